package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Timers fire once, when due by the services' clock, and resume their workflow. */
class TimerChoreIT {
  private static ChoreFixture fixture;

  @BeforeAll
  static void database() {
    fixture = ChoreFixture.create();
  }

  @AfterAll
  static void drop() {
    fixture.close();
  }

  @Test
  void aDueTimerFiresOnceAndResumesItsWorkflow() throws Exception {
    UUID workflow = fixture.claimedWorkflow("timers");
    fixture.batch(workflow, RequestedStatus.SUSPENDED, new Command.StartTimer("nap", 60_000));
    TimerChore timers = new TimerChore(fixture.transactor);
    assertEquals(0, fixture.runOnce(timers), "not due yet");

    fixture.clock.advance(Duration.ofMinutes(2));
    MaintenanceService.Run run = fixture.firstBusyRun(timers, 500);

    assertEquals(1, run.items());
    assertEquals(0, fixture.runOnce(timers), "a fired timer fires no more");
    assertEquals(
        List.of("WORKFLOW_STARTED", "TIMER_STARTED", "TIMER_FIRED"), fixture.eventTypes(workflow));
    assertEquals(
        "{\"timerId\":\"nap\"}", fixture.events(workflow).get(2).get("data"), "its event data");
    assertEquals(
        "FIRED",
        fixture.value(
            "SELECT status FROM timers WHERE workflow_execution_id = ? AND timer_id = 'nap'",
            workflow));
    assertEquals(
        "PENDING",
        fixture.value("SELECT status FROM workflow_executions WHERE id = ?", workflow),
        "the workflow resumed");
  }
}
