package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

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

  // The statement is the function dispatch_claim_tasks: a short text for the driver to tokenise on
  // every call, and a plan PL/pgSQL keeps between calls. One call serves several waiting workers
  // (one per slot): the n-th ready task goes to the n-th worker; tasks with a timeout_ms get it as
  // a hard lease, others the renewable default, at most p_max_lease_ms. The old values come back
  // so that a claim whose worker has gone can be undone.
  private static final SqlFunction CLAIM_TASKS =
      SqlFunction.of(
          "dispatch_claim_tasks",
          param("p_tenant", TEXT),
          param("p_queue", TEXT),
          param("p_pool", TEXT),
          param("p_workers", TEXT_ARRAY),
          param("p_lease_ms", BIGINT),
          param("p_max_lease_ms", BIGINT));

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

  // The function dispatch_claim_workflows, for the same reason as the task claim: one call serves
  // several waiting workers (one per slot) of the kinds given (any when empty).
  private static final SqlFunction CLAIM_WORKFLOWS =
      SqlFunction.of(
          "dispatch_claim_workflows",
          param("p_tenant", TEXT),
          param("p_queue", TEXT),
          param("p_kinds", TEXT_ARRAY),
          param("p_pool", TEXT),
          param("p_workers", TEXT_ARRAY),
          param("p_lease_ms", BIGINT));

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
    return Sql.call(
        connection,
        CLAIM_TASKS,
        ClaimStore::toTaskClaim,
        tenantId,
        queue,
        Sql.text(workerPoolId),
        workerIds,
        leaseMs,
        MAX_LEASE_MS);
  }

  /**
   * Puts one claimed task nobody received back to PENDING as if never claimed (no earlier worker,
   * lease or timestamps kept), if it is still the claim of {@code workerId} at its attempt; emits
   * the rows changed (0 when the claim moved on).
   */
  public Mono<Long> releaseTask(ClaimedTask task, String workerId) {
    return releaseTasks(List.of(new TaskClaim(0, task, workerId, "", "", "", "")));
  }

  /**
   * Undoes claims whose worker has gone: each task still held by its claim is PENDING again as
   * before, its attempt not counted; emits how many were undone.
   */
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
    return Sql.call(
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
        Sql.millis(row, "lease_expires_ms"));
  }

  private static ClaimedWorkflow toWorkflow(Readable row) {
    return new ClaimedWorkflow(
        row.get("id", UUID.class),
        row.get("kind", String.class),
        row.get("tenant_id", String.class),
        Sql.bytes(row, "input"),
        row.get("queue", String.class),
        row.get("priority_seconds", Integer.class),
        Sql.millis(row, "created_ms"),
        row.get("current_sequence", Integer.class),
        row.get("workflow_definition_id", String.class),
        row.get("worker_pool_id", String.class),
        row.get("workflow_version", String.class),
        row.get("traceparent", String.class),
        Sql.millis(row, "lease_expires_ms"),
        Sql.millis(row, "claimed_ms"));
  }

  static Instant instant(Readable row, String column) {
    OffsetDateTime value = row.get(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
