package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Atomic claims of the next ready task or workflow of (tenant, queue), ordered by creation time
 * minus priority; {@code FOR UPDATE SKIP LOCKED} means two pollers never get the same item.
 */
public final class ClaimStore {
  /**
   * The longest lease a claim grants, 30 days: the edge rejects longer timeouts, and the clamp
   * makes sure no stored row can make the claim fail ("interval out of range") for everyone else.
   */
  static final long MAX_LEASE_MS = 30L * 24 * 3600 * 1000;

  // Tasks with a timeout_ms get it as a hard lease; others get the renewable default lease.
  private static final String CLAIM_TASK =
      "WITH next AS (SELECT id FROM task_executions"
          + " WHERE status = 'PENDING' AND tenant_id = $1 AND queue = $2 AND visible_at <= now()"
          + " AND (worker_pool_id IS NULL OR worker_pool_id = $3)"
          + " ORDER BY order_key LIMIT 1 FOR UPDATE SKIP LOCKED)"
          + " UPDATE task_executions t SET status = 'RUNNING', worker_id = $4,"
          + " execution_count = t.execution_count + 1, started_at = now(),"
          + " last_heartbeat_at = now(), updated_at = now(),"
          + " lease_expires_at = now() + LEAST(GREATEST(COALESCE(t.timeout_ms, $5), 1), "
          + MAX_LEASE_MS
          + ") * interval '1 millisecond'"
          + " FROM next WHERE t.id = next.id"
          + " RETURNING t.id, t.task_type, t.input, t.workflow_execution_id, t.execution_count,"
          + " t.queue, t.worker_pool_id, t.traceparent, t.lease_expires_at";

  private static final String CLAIM_WORKFLOW =
      "WITH next AS (SELECT id FROM workflow_executions"
          + " WHERE status = 'PENDING' AND tenant_id = $1 AND queue = $2"
          + " AND (cardinality($3::text[]) = 0 OR kind = ANY($3::text[]))"
          + " AND (worker_pool_id IS NULL OR worker_pool_id = $4)"
          // a released claim (W8, W9) waits out its backoff
          + " AND (visible_at IS NULL OR visible_at <= now())"
          + " ORDER BY order_key LIMIT 1 FOR UPDATE SKIP LOCKED)"
          + " UPDATE workflow_executions w SET status = 'RUNNING', worker_id = $5, visible_at = NULL,"
          + " claimed_at = now(), updated_at = now(), resume_pending = false,"
          // a new activation may send the very batch the last one did (FFI's empty suspend):
          // it is new work, not a network retry of the old one
          + " last_batch_digest = NULL,"
          + " lease_expires_at = now() + $6 * interval '1 millisecond'"
          + " FROM next WHERE w.id = next.id"
          + " RETURNING w.id, w.kind, w.tenant_id, w.input, w.queue, w.priority_seconds,"
          + " w.created_at, w.current_sequence, w.workflow_definition_id, w.worker_pool_id,"
          + " w.workflow_version, w.traceparent, w.lease_expires_at, w.claimed_at";

  private final Connection connection;

  ClaimStore(Connection connection) {
    this.connection = connection;
  }

  /** Claims the next ready task; empty when there is none. */
  public Mono<ClaimedTask> claimTask(
      String tenantId, String queue, String workerPoolId, String workerId, long leaseMs) {
    return Sql.query(
            connection,
            CLAIM_TASK,
            ClaimStore::toTask,
            tenantId,
            queue,
            Sql.text(workerPoolId),
            workerId,
            leaseMs)
        .next();
  }

  /** Claims the next PENDING workflow of one of {@code kinds} (any when empty); empty if none. */
  public Mono<ClaimedWorkflow> claimWorkflow(
      String tenantId,
      String queue,
      String[] kinds,
      String workerPoolId,
      String workerId,
      long leaseMs) {
    return Sql.query(
            connection,
            CLAIM_WORKFLOW,
            ClaimStore::toWorkflow,
            tenantId,
            queue,
            kinds,
            Sql.text(workerPoolId),
            workerId,
            leaseMs)
        .next();
  }

  private static ClaimedTask toTask(Readable row) {
    return new ClaimedTask(
        row.get("id", UUID.class),
        row.get("task_type", String.class),
        Sql.bytes(row, "input"),
        row.get("workflow_execution_id", UUID.class),
        row.get("execution_count", Integer.class),
        row.get("queue", String.class),
        row.get("worker_pool_id", String.class),
        row.get("traceparent", String.class),
        instant(row, "lease_expires_at"));
  }

  private static ClaimedWorkflow toWorkflow(Readable row) {
    return new ClaimedWorkflow(
        row.get("id", UUID.class),
        row.get("kind", String.class),
        row.get("tenant_id", String.class),
        Sql.bytes(row, "input"),
        row.get("queue", String.class),
        row.get("priority_seconds", Integer.class),
        instant(row, "created_at"),
        row.get("current_sequence", Integer.class),
        row.get("workflow_definition_id", String.class),
        row.get("worker_pool_id", String.class),
        row.get("workflow_version", String.class),
        row.get("traceparent", String.class),
        instant(row, "lease_expires_at"),
        instant(row, "claimed_at"));
  }

  static Instant instant(Readable row, String column) {
    OffsetDateTime value = row.get(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
