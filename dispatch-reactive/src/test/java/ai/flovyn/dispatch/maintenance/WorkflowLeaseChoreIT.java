package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.flovyn.dispatch.workflow.Releases;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A claim whose lease ended by the services' clock without a batch is released: the workflow is
 * PENDING again after a backoff, its releases counted (docs/sdk-compatibility.md, W8).
 */
class WorkflowLeaseChoreIT {
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
  void aClaimPastItsLeaseIsReleasedWithABackoff() throws Exception {
    UUID workflow = fixture.claimedWorkflow("released");
    Releases releases =
        new Releases(fixture.transactor, fixture.options, fixture.metrics, at -> {});
    WorkflowLeaseChore leases = new WorkflowLeaseChore(fixture.transactor, releases);
    assertEquals(0, fixture.runOnce(leases), "the claim runs");

    fixture.clock.advance(fixture.options.workflowLease().plusMinutes(1));
    MaintenanceService.Run run = fixture.firstBusyRun(leases, 500);

    assertEquals(1, run.items());
    List<Map<String, Object>> rows =
        fixture.db.rows(
            "SELECT status, releases, worker_id, visible_at FROM workflow_executions WHERE id = ?",
            workflow);
    assertEquals("PENDING", rows.get(0).get("status"));
    assertEquals(1, ((Number) rows.get(0).get("releases")).intValue());
    assertEquals(null, rows.get(0).get("worker_id"), "the claim is gone");
    assertNotNull(rows.get(0).get("visible_at"), "claimable again after a backoff");
    assertEquals(List.of("WORKFLOW_STARTED"), fixture.eventTypes(workflow), "nothing appended");
  }
}
