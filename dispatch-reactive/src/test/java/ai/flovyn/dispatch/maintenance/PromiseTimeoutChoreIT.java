package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Open promises time out once, when due by the services' clock, and resume their workflow. */
class PromiseTimeoutChoreIT {
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
  void aPromisePastItsTimeoutGetsPromiseTimeoutOnceAndResumesItsWorkflow() throws Exception {
    UUID workflow = fixture.claimedWorkflow("promises");
    fixture.batch(
        workflow,
        RequestedStatus.SUSPENDED,
        new Command.CreatePromise("approval", 30_000L, null, null));
    PromiseTimeoutChore timeouts = new PromiseTimeoutChore(fixture.transactor);
    assertEquals(0, fixture.runOnce(timeouts), "not due yet");

    fixture.clock.advance(Duration.ofMinutes(1));
    MaintenanceService.Run run = fixture.firstBusyRun(timeouts, 500);

    assertEquals(1, run.items());
    assertEquals(0, fixture.runOnce(timeouts), "a timed-out promise times out no more");
    assertEquals(
        List.of("WORKFLOW_STARTED", "PROMISE_CREATED", "PROMISE_TIMEOUT"),
        fixture.eventTypes(workflow));
    String data = (String) fixture.events(workflow).get(2).get("data");
    assertTrue(data.contains("\"promiseId\":\"" + workflow + ":approval\""), data);
    assertTrue(data.contains("\"promiseName\":\"approval\""), data);
    assertEquals(
        "TIMED_OUT",
        fixture.value("SELECT status FROM promises WHERE id = ?", workflow + ":approval"));
    assertEquals(
        "PENDING",
        fixture.value("SELECT status FROM workflow_executions WHERE id = ?", workflow),
        "the workflow resumed");
  }
}
