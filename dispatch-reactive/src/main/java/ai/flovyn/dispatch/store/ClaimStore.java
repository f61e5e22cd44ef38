package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Atomic claims of the next ready tasks or workflows of (tenant, queue), ordered by creation time
 * minus priority, one statement for several waiting workers; {@code FOR UPDATE SKIP LOCKED} means
 * two pollers never get the same item. Also undoes claims whose worker has gone.
 */
public final class ClaimStore {
  /**
   * The longest lease a claim grants, 30 days: the edge rejects longer timeouts, and the clamp
   * makes sure no stored row can make the claim fail ("interval out of range") for everyone else.
   */
  static final long MAX_LEASE_MS = 30L * 24 * 3600 * 1000;

  // Tasks with a timeout_ms get it as a hard lease; others get the renewable default lease. One
  // statement serves several waiting workers ($4, one per slot): the n-th ready task goes to the
  // n-th worker. The old values come back so that a claim whose worker has gone can be undone.
  private static final String CLAIM_TASKS =
      "WITH locked AS (SELECT id, order_key, worker_id, started_at, last_heartbeat_at,"
          + " lease_expires_at FROM task_executions"
          + " WHERE status = 'PENDING' AND tenant_id = $1 AND queue = $2 AND visible_at <= now()"
          + " AND (worker_pool_id IS NULL OR worker_pool_id = $3)"
          + " ORDER BY order_key LIMIT cardinality($4::text[]) FOR UPDATE SKIP LOCKED),"
          + " next AS (SELECT locked.*, (row_number() OVER (ORDER BY order_key))::int AS slot"
          + " FROM locked)"
          + " UPDATE task_executions t SET status = 'RUNNING', worker_id = ($4::text[])[next.slot],"
          + " execution_count = t.execution_count + 1, started_at = now(),"
          + " last_heartbeat_at = now(), updated_at = now(),"
          + " lease_expires_at = now() + LEAST(GREATEST(COALESCE(t.timeout_ms, $5), 1), "
          + MAX_LEASE_MS
          + ") * interval '1 millisecond'"
          + " FROM next WHERE t.id = next.id"
          + " RETURNING next.slot, t.id, t.task_type, t.input, t.workflow_execution_id,"
          + " t.execution_count, t.queue, t.worker_pool_id, t.traceparent, t.lease_expires_at,"
          + " t.worker_id, COALESCE(next.worker_id, '') AS previous_worker_id,"
          + " COALESCE(next.started_at::text, '') AS previous_started_at,"
          + " COALESCE(next.last_heartbeat_at::text, '') AS previous_heartbeat_at,"
          + " COALESCE(next.lease_expires_at::text, '') AS previous_lease_expires_at";

  // Only a claim still held as made (same worker, same attempt) is undone; the attempt it counted
  // is given back, since the worker never saw the task.
  private static final String RELEASE_TASKS =
      "UPDATE task_executions t SET status = 'PENDING', worker_id = NULLIF(u.previous_worker, ''),"
          + " execution_count = t.execution_count - 1,"
          + " started_at = NULLIF(u.started, '')::timestamptz,"
          + " last_heartbeat_at = NULLIF(u.heartbeat, '')::timestamptz,"
          + " lease_expires_at = NULLIF(u.lease, '')::timestamptz, updated_at = now()"
          + " FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],"
          + " $7::text[]) AS u(id, worker, attempt, previous_worker, started, heartbeat, lease)"
          + " WHERE t.id = u.id AND t.status = 'RUNNING' AND t.worker_id = u.worker"
          + " AND t.execution_count = u.attempt";

  private static final String CLAIM_WORKFLOWS =
      "WITH locked AS (SELECT id, order_key, worker_id, visible_at, claimed_at, resume_pending,"
          + " last_batch_digest, lease_expires_at FROM workflow_executions"
          + " WHERE status = 'PENDING' AND tenant_id = $1 AND queue = $2"
          + " AND (cardinality($3::text[]) = 0 OR kind = ANY($3::text[]))"
          + " AND (worker_pool_id IS NULL OR worker_pool_id = $4)"
          // a released claim (W8, W9) waits out its backoff
          + " AND (visible_at IS NULL OR visible_at <= now())"
          + " ORDER BY order_key LIMIT cardinality($5::text[]) FOR UPDATE SKIP LOCKED),"
          + " next AS (SELECT locked.*, (row_number() OVER (ORDER BY order_key))::int AS slot"
          + " FROM locked)"
          + " UPDATE workflow_executions w SET status = 'RUNNING',"
          + " worker_id = ($5::text[])[next.slot], visible_at = NULL,"
          + " claimed_at = now(), updated_at = now(), resume_pending = false,"
          // a new activation may send the very batch the last one did (FFI's empty suspend):
          // it is new work, not a network retry of the old one
          + " last_batch_digest = NULL,"
          + " lease_expires_at = now() + $6 * interval '1 millisecond'"
          + " FROM next WHERE w.id = next.id"
          + " RETURNING next.slot, w.id, w.kind, w.tenant_id, w.input, w.queue, w.priority_seconds,"
          + " w.created_at, w.current_sequence, w.workflow_definition_id, w.worker_pool_id,"
          + " w.workflow_version, w.traceparent, w.lease_expires_at, w.claimed_at, w.worker_id,"
          + " w.claimed_at::text AS claimed_at_text,"
          + " COALESCE(next.worker_id, '') AS previous_worker_id,"
          + " COALESCE(next.visible_at::text, '') AS previous_visible_at,"
          + " COALESCE(next.claimed_at::text, '') AS previous_claimed_at,"
          + " next.resume_pending AS previous_resume_pending,"
          + " COALESCE(encode(next.last_batch_digest, 'base64'), '') AS previous_batch_digest,"
          + " COALESCE(next.lease_expires_at::text, '') AS previous_lease_expires_at";

  // Only a claim still held as made (same worker, same claim time) is undone.
  private static final String RELEASE_WORKFLOWS =
      "UPDATE workflow_executions w SET status = 'PENDING',"
          + " worker_id = NULLIF(u.previous_worker, ''),"
          + " visible_at = NULLIF(u.visible, '')::timestamptz,"
          + " claimed_at = NULLIF(u.previous_claimed, '')::timestamptz,"
          + " resume_pending = u.resume,"
          + " last_batch_digest = decode(NULLIF(u.digest, ''), 'base64'),"
          + " lease_expires_at = NULLIF(u.lease, '')::timestamptz, updated_at = now()"
          + " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
          + " $7::bool[], $8::text[], $9::text[])"
          + " AS u(id, worker, claimed, previous_worker, visible, previous_claimed, resume, digest,"
          + " lease)"
          + " WHERE w.id = u.id AND w.status = 'RUNNING' AND w.worker_id = u.worker"
          + " AND w.claimed_at = u.claimed::timestamptz";

  private final Connection connection;

  ClaimStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Claims up to one ready task for each of {@code workerIds} in one statement, oldest first, the
   * n-th for the n-th worker; emits what it claimed (nothing when no task is ready).
   */
  public Flux<TaskClaim> claimTasks(
      String tenantId, String queue, String workerPoolId, String[] workerIds, long leaseMs) {
    return Sql.query(
        connection,
        CLAIM_TASKS,
        ClaimStore::toTaskClaim,
        tenantId,
        queue,
        Sql.text(workerPoolId),
        workerIds,
        leaseMs);
  }

  /**
   * Undoes claims whose worker has gone: each task still held by its claim is PENDING again as
   * before, its attempt not counted; emits how many were undone.
   */
  /**
   * Puts one claimed task nobody received back to PENDING as if never claimed (no earlier worker,
   * lease or timestamps kept), if it is still the claim of {@code workerId} at its attempt; emits
   * the rows changed (0 when the claim moved on).
   */
  public Mono<Long> releaseTask(ClaimedTask task, String workerId) {
    return releaseTasks(List.of(new TaskClaim(0, task, workerId, "", "", "", "")));
  }

  public Mono<Long> releaseTasks(List<TaskClaim> claims) {
    return Sql.update(
        connection,
        RELEASE_TASKS,
        Sql.column(claims, claim -> claim.task().id(), UUID[]::new),
        Sql.column(claims, TaskClaim::workerId, String[]::new),
        Sql.column(claims, claim -> claim.task().executionCount(), Integer[]::new),
        Sql.column(claims, TaskClaim::previousWorkerId, String[]::new),
        Sql.column(claims, TaskClaim::previousStartedAt, String[]::new),
        Sql.column(claims, TaskClaim::previousHeartbeatAt, String[]::new),
        Sql.column(claims, TaskClaim::previousLeaseExpiresAt, String[]::new));
  }

  /**
   * Claims up to one PENDING workflow of one of {@code kinds} (any when empty) for each of {@code
   * workerIds} in one statement, oldest first, the n-th for the n-th worker; emits what it claimed.
   */
  public Flux<WorkflowClaim> claimWorkflows(
      String tenantId,
      String queue,
      String[] kinds,
      String workerPoolId,
      String[] workerIds,
      long leaseMs) {
    return Sql.query(
        connection,
        CLAIM_WORKFLOWS,
        ClaimStore::toWorkflowClaim,
        tenantId,
        queue,
        kinds,
        Sql.text(workerPoolId),
        workerIds,
        leaseMs);
  }

  /**
   * Undoes claims whose worker has gone: each workflow still held by its claim is PENDING again
   * with the values it had before; emits how many were undone.
   */
  public Mono<Long> releaseWorkflows(List<WorkflowClaim> claims) {
    return Sql.update(
        connection,
        RELEASE_WORKFLOWS,
        Sql.column(claims, claim -> claim.workflow().id(), UUID[]::new),
        Sql.column(claims, WorkflowClaim::workerId, String[]::new),
        Sql.column(claims, WorkflowClaim::claimedAt, String[]::new),
        Sql.column(claims, WorkflowClaim::previousWorkerId, String[]::new),
        Sql.column(claims, WorkflowClaim::previousVisibleAt, String[]::new),
        Sql.column(claims, WorkflowClaim::previousClaimedAt, String[]::new),
        Sql.column(claims, WorkflowClaim::previousResumePending, Boolean[]::new),
        Sql.column(claims, WorkflowClaim::previousBatchDigest, String[]::new),
        Sql.column(claims, WorkflowClaim::previousLeaseExpiresAt, String[]::new));
  }

  private static TaskClaim toTaskClaim(Readable row) {
    return new TaskClaim(
        row.get("slot", Integer.class) - 1,
        toTask(row),
        row.get("worker_id", String.class),
        row.get("previous_worker_id", String.class),
        row.get("previous_started_at", String.class),
        row.get("previous_heartbeat_at", String.class),
        row.get("previous_lease_expires_at", String.class));
  }

  private static WorkflowClaim toWorkflowClaim(Readable row) {
    return new WorkflowClaim(
        row.get("slot", Integer.class) - 1,
        toWorkflow(row),
        row.get("worker_id", String.class),
        row.get("claimed_at_text", String.class),
        row.get("previous_worker_id", String.class),
        row.get("previous_visible_at", String.class),
        row.get("previous_claimed_at", String.class),
        Boolean.TRUE.equals(row.get("previous_resume_pending", Boolean.class)),
        row.get("previous_batch_digest", String.class),
        row.get("previous_lease_expires_at", String.class));
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
