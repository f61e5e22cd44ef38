package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A flush renews the leases of the tasks whose worker showed signs of life, and forgets them. */
class LeaseRenewalChoreIT {
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
  void aTaskWhoseWorkerWasSeenHasItsLeaseRenewed() throws Exception {
    UUID task = fixture.claimedTask("renewed", "w", 0);
    // past half of its lease: a sign of life renews it
    fixture.db.execute(
        "UPDATE task_executions SET lease_expires_at = now() + interval '1 minute' WHERE id = ?",
        task);
    LeaseRenewal renewal =
        new LeaseRenewal(
            fixture.transactor, fixture.options.taskLease(), new SimpleMeterRegistry());
    LeaseRenewalChore chore = new LeaseRenewalChore(renewal);
    renewal.workerSeen(ChoreFixture.TENANT, "w");

    MaintenanceService.Run run = fixture.firstBusyRun(chore, Integer.MAX_VALUE);

    assertEquals(1, run.items());
    assertEquals(
        1,
        fixture.db.scalar(
            "SELECT count(*) FROM task_executions WHERE id = ?"
                + " AND lease_expires_at > now() + interval '10 minutes'",
            task),
        "renewed for a whole lease (15 minutes)");
    assertEquals(0, fixture.runOnce(chore), "what was seen is flushed once");
  }
}
