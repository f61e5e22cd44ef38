package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attempts whose lease ended by the services' clock fail as timed out: retried while attempts
 * remain, else failed for good, and the workflow hears TASK_FAILED.
 */
class TaskLeaseChoreIT {
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
  void expiredAttemptsAreRetriedOrFailForGoodAndTheirWorkflowHears() throws Exception {
    String queue = "leases";
    UUID workflow = fixture.claimedWorkflow(queue);
    UUID last = UUID.randomUUID();
    fixture.batch(
        workflow,
        RequestedStatus.SUSPENDED,
        Command.ScheduleTask.builder(last, "job").maxRetries(0).queue(queue).build());
    assertEquals(
        last,
        fixture
            .dispatch
            .pollTask(Scope.unrestricted(), ChoreFixture.TENANT, queue, null, "w", Duration.ZERO)
            .block(ChoreFixture.WAIT)
            .id());
    UUID retried = fixture.claimedTask(queue, "w", 3);
    List<Instant> announced = new CopyOnWriteArrayList<>();
    TaskLeaseChore leases =
        new TaskLeaseChore(fixture.transactor, fixture.options, fixture.metrics, announced::add);
    assertEquals(0, fixture.runOnce(leases), "both leases run");

    fixture.clock.advance(fixture.options.taskLease().plusMinutes(1));
    MaintenanceService.Run run = fixture.firstBusyRun(leases, 500);

    assertEquals(2, run.items());
    assertEquals("FAILED", fixture.value("SELECT status FROM task_executions WHERE id = ?", last));
    assertEquals(
        "PENDING", fixture.value("SELECT status FROM task_executions WHERE id = ?", retried));
    for (UUID task : List.of(last, retried)) {
      assertEquals(
          "TIMED_OUT",
          fixture.value("SELECT outcome FROM task_attempts WHERE task_execution_id = ?", task));
    }
    assertEquals(1, announced.size(), "the retried task is announced once visible");
    assertEquals(
        List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_FAILED"), fixture.eventTypes(workflow));
    String data = (String) fixture.events(workflow).get(2).get("data");
    assertTrue(data.contains("\"error\":\"timed out\""), data);
    assertEquals(
        "PENDING",
        fixture.value("SELECT status FROM workflow_executions WHERE id = ?", workflow),
        "the workflow resumed");
  }
}
