package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.support.DispatchMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A refresh of the backlog gauges shows each queue with PENDING work, its depth and how long its
 * oldest claimable item has waited, and drops a queue that emptied.
 */
class QueueBacklogChoreIT {
  private static ChoreFixture fixture;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void database() {
    fixture = ChoreFixture.create();
  }

  @AfterAll
  static void drop() {
    fixture.close();
  }

  @Test
  void aRefreshShowsEveryQueueWithPendingWorkAndDropsOneThatEmptied() {
    QueueBacklogChore backlog =
        new QueueBacklogChore(fixture.transactor, new DispatchMetrics(registry));
    pendingWorkflow("orders", "10 minutes");
    pendingWorkflow("orders", "0 minutes");
    // a retry waiting for its backoff: PENDING, but no poll can claim it for an hour
    UUID retry =
        fixture
            .dispatch
            .submitTask(
                Scope.unrestricted(),
                SubmitTask.builder(ChoreFixture.TENANT, "job").queue("retrying").build())
            .block(ChoreFixture.WAIT)
            .taskExecutionId();
    fixture.db.execute(
        "UPDATE task_executions SET visible_at = now() + interval '1 hour' WHERE id = ?::uuid",
        retry.toString());

    assertEquals(0, fixture.runOnce(backlog), "a refresh handles no items");

    assertEquals(2, gauge("dispatch_queue_depth", "workflow", "orders").value());
    double age = gauge("dispatch_queue_oldest_age_seconds", "workflow", "orders").value();
    assertTrue(age >= 600 && age < 3600, "the oldest waited 10 minutes: " + age);
    assertEquals(1, gauge("dispatch_queue_depth", "task", "retrying").value());
    assertEquals(0, gauge("dispatch_queue_oldest_age_seconds", "task", "retrying").value());

    fixture.db.execute("DELETE FROM workflow_executions WHERE queue = 'orders'");
    fixture.runOnce(backlog);

    assertNull(
        registry.find("dispatch_queue_depth").tags("kind", "workflow", "queue", "orders").gauge());
    assertEquals(1, gauge("dispatch_queue_depth", "task", "retrying").value());
  }

  private static void pendingWorkflow(String queue, String ago) {
    fixture.db.execute(
        "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key)"
            + " VALUES (?::uuid, ?, 'k', ?, 'PENDING', now() - ?::interval)",
        UUID.randomUUID().toString(),
        ChoreFixture.TENANT,
        queue,
        ago);
  }

  private Gauge gauge(String name, String kind, String queue) {
    return registry
        .get(name)
        .tags("kind", kind, "tenant_id", ChoreFixture.TENANT, "queue", queue)
        .gauge();
  }
}
