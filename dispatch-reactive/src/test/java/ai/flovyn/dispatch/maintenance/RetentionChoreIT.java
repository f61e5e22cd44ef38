package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Finished workflows past their retention period go with their events; the others stay. */
class RetentionChoreIT {
  private static ChoreFixture fixture;

  @BeforeAll
  static void database() {
    fixture =
        ChoreFixture.create(
            DispatchOptions.defaults().toBuilder().retention(Duration.ofDays(1), Map.of()).build());
  }

  @AfterAll
  static void drop() {
    fixture.close();
  }

  @Test
  void aWorkflowFinishedLongerAgoThanItsRetentionIsDeletedWithItsEvents() throws Exception {
    UUID finished = fixture.claimedWorkflow("retained");
    fixture.batch(
        finished, RequestedStatus.COMPLETED, new Command.CompleteWorkflow(new byte[] {1}));
    UUID running = fixture.claimedWorkflow("retained");
    RetentionChore retention =
        new RetentionChore(fixture.transactor, fixture.options, fixture.metrics);
    assertEquals(0, fixture.runOnce(retention), "finished within its retention");

    fixture.clock.advance(Duration.ofDays(2));
    MaintenanceService.Run run = fixture.firstBusyRun(retention, 50);

    assertEquals(1, run.items());
    assertEquals(
        0, fixture.db.scalar("SELECT count(*) FROM workflow_executions WHERE id = ?", finished));
    assertEquals(
        0,
        fixture.db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", finished));
    assertEquals(
        "RUNNING",
        fixture.value("SELECT status FROM workflow_executions WHERE id = ?", running),
        "an unfinished workflow stays");
  }
}
