package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * State changes of RUNNING tasks: complete, fail (retry with backoff or finally fail), cancel,
 * heartbeat and progress. Every finished attempt is kept in {@code task_attempts}.
 */
public final class TaskLifecycleStore {
  // While attempts remain (execution_count <= max_retries) the task returns to PENDING after an
  // exponential backoff; after the last one it is FAILED.
  private static final String FAIL_UPDATE =
      " upd AS (UPDATE task_executions t SET"
          + " status = CASE WHEN t.execution_count <= t.max_retries THEN 'PENDING' ELSE 'FAILED' END,"
          + " visible_at = CASE WHEN t.execution_count <= t.max_retries"
          + " THEN now() + LEAST($3 * power(2, LEAST(t.execution_count - 1, 62)), $4)"
          + " * interval '1 millisecond' ELSE t.visible_at END,"
          + " completed_at = CASE WHEN t.execution_count <= t.max_retries THEN NULL ELSE now() END,"
          + " error = $2, worker_id = NULL, lease_expires_at = NULL, updated_at = now()"
          + " FROM target WHERE t.id = target.id"
          + " RETURNING t.id, t.status, t.workflow_execution_id, t.tenant_id, t.queue,"
          + " t.visible_at),"
          + " att AS (INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome,"
          + " error, started_at) SELECT target.id, target.execution_count, target.worker_id, $5,"
          + " $2, target.started_at FROM target JOIN upd ON upd.id = target.id"
          + " ON CONFLICT DO NOTHING)"
          + " SELECT * FROM upd";

  private static final String EXPIRE_LEASES =
      "WITH target AS (SELECT id, worker_id, started_at, execution_count FROM task_executions"
          + " WHERE status = 'RUNNING' AND lease_expires_at <= $6"
          + " ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),"
          + FAIL_UPDATE;

  private static final String CANCEL =
      "WITH target AS (SELECT id, status, worker_id, started_at, execution_count"
          + " FROM task_executions WHERE id = $1 AND status IN ('PENDING', 'RUNNING')"
          + Sql.tenantIs("tenant_id", 2)
          + " FOR UPDATE),"
          + " upd AS (UPDATE task_executions t SET status = 'CANCELLED', cancel_requested = true,"
          + " completed_at = now(), updated_at = now(), lease_expires_at = NULL"
          + " FROM target WHERE t.id = target.id"
          + " RETURNING t.id, t.status, t.workflow_execution_id, t.tenant_id, t.queue,"
          + " t.visible_at),"
          + " att AS (INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome,"
          + " started_at) SELECT target.id, target.execution_count, target.worker_id, 'CANCELLED',"
          + " target.started_at FROM target WHERE target.status = 'RUNNING'"
          + " ON CONFLICT DO NOTHING)"
          + " SELECT * FROM upd";

  // Finishes a group of RUNNING tasks in one statement: each completes, fails for good, or (failed
  // with attempts left) returns to PENDING after its backoff; every finished attempt is kept. The
  // outcomes of tasks finished for good are appended to their workflows at the next sequence
  // numbers, in input order, gapless per workflow, and each workflow is woken once. The history
  // limit ($9 bytes) applies to completions in input order, as if they ran one after another (the
  // failures, server-made and small, are never refused but count): when the first completion of a
  // workflow that would pass it is found, the statement writes nothing and returns, for each such
  // workflow, that first refused task, so that the caller runs the group again without it. Tasks
  // are locked in id order, then workflows in id order.
  private static final String FINISH =
      "WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[],"
          + " $5::text[], $6::text[], $10::text[]) WITH ORDINALITY AS i(id, outcome, output, error,"
          + " type, data, tenant, ord)),"
          + " target AS (SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id,"
          + " t.queue, t.visible_at, t.workflow_execution_id AS wf, i.outcome,"
          + " i.outcome = 'FAILED' AND t.execution_count <= t.max_retries AS retry,"
          + " i.output, i.error, i.type, i.data, i.ord"
          + " FROM input i JOIN task_executions t ON t.id = i.id WHERE t.status = 'RUNNING'"
          // another tenant's task is not found by the same statement
          + " AND (i.tenant IS NULL OR t.tenant_id = i.tenant)"
          + " ORDER BY t.id FOR UPDATE OF t),"
          // LATERAL ... LIMIT 1: one index probe per event for the identity check
          + " fresh AS (SELECT g.id, g.wf, g.outcome, g.type, g.data, g.ord,"
          + " row_number() OVER w AS n,"
          + " sum(octet_length(g.data) + octet_length(g.type) + "
          + EventStore.EVENT_OVERHEAD_BYTES
          + ") OVER w AS upto"
          + " FROM target g LEFT JOIN LATERAL (SELECT 1 AS found FROM workflow_events e"
          + " WHERE e.workflow_execution_id = g.wf AND e.identity = 'TASK_FINISHED:' || g.id"
          + " LIMIT 1) x ON true"
          + " WHERE g.wf IS NOT NULL AND NOT g.retry AND x.found IS NULL"
          + " WINDOW w AS (PARTITION BY g.wf ORDER BY g.ord)),"
          + " locked AS (SELECT w.id, w.history_bytes FROM workflow_executions w"
          + " WHERE w.id IN (SELECT wf FROM fresh)"
          + " AND w.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')"
          + " ORDER BY w.id FOR UPDATE OF w),"
          + " refused AS (SELECT DISTINCT ON (f.wf) f.id FROM fresh f JOIN locked l ON l.id = f.wf"
          + " WHERE f.outcome = 'COMPLETED' AND l.history_bytes + f.upto > $9"
          + " ORDER BY f.wf, f.ord),"
          + " go AS (SELECT NOT EXISTS (SELECT 1 FROM refused) AS ok),"
          + " upd AS (UPDATE task_executions t SET"
          + " status = CASE WHEN g.outcome = 'COMPLETED' THEN 'COMPLETED'"
          + " WHEN g.retry THEN 'PENDING' ELSE 'FAILED' END,"
          + " output = CASE WHEN g.outcome = 'COMPLETED' THEN decode(g.output, 'base64')"
          + " ELSE t.output END,"
          + " visible_at = CASE WHEN g.retry"
          + " THEN now() + LEAST($7 * power(2, LEAST(t.execution_count - 1, 62)), $8)"
          + " * interval '1 millisecond' ELSE t.visible_at END,"
          + " completed_at = CASE WHEN g.retry THEN NULL ELSE now() END,"
          + " error = CASE WHEN g.outcome = 'FAILED' THEN g.error ELSE t.error END,"
          + " worker_id = CASE WHEN g.outcome = 'FAILED' THEN NULL ELSE t.worker_id END,"
          + " lease_expires_at = NULL, updated_at = now()"
          + " FROM target g, go WHERE t.id = g.id AND go.ok"
          + " RETURNING t.id, t.status, t.workflow_execution_id, t.tenant_id, t.queue,"
          + " t.visible_at),"
          + " att AS (INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome,"
          + " error, started_at) SELECT g.id, g.execution_count, g.worker_id, g.outcome, g.error,"
          + " g.started_at FROM target g, go WHERE go.ok ON CONFLICT DO NOTHING),"
          + " counts AS (SELECT f.wf, count(*)::int AS k, max(f.upto)::bigint AS bytes"
          + " FROM fresh f JOIN locked l ON l.id = f.wf GROUP BY f.wf),"
          + " woken AS (UPDATE workflow_executions w"
          + " SET current_sequence = w.current_sequence + c.k,"
          + " history_bytes = w.history_bytes + c.bytes,"
          + " status = CASE WHEN w.status = 'WAITING' THEN 'PENDING' ELSE w.status END,"
          + " resume_pending = w.resume_pending OR w.status = 'RUNNING', updated_at = now()"
          + " FROM counts c, go WHERE w.id = c.wf AND go.ok"
          + " RETURNING w.id, w.current_sequence, c.k, w.status, w.tenant_id, w.queue),"
          + " ins AS (INSERT INTO workflow_events (workflow_execution_id, sequence_number,"
          + " event_type, event_data, identity)"
          + " SELECT f.wf, k.current_sequence - k.k + f.n, f.type, f.data, 'TASK_FINISHED:' || f.id"
          + " FROM fresh f JOIN woken k ON k.id = f.wf)"
          + " SELECT u.id, u.status, u.workflow_execution_id, u.tenant_id, u.queue, u.visible_at,"
          + " false AS refused, k.status AS wf_status, k.tenant_id AS wf_tenant,"
          + " k.queue AS wf_queue, k.current_sequence AS wf_sequence"
          + " FROM upd u LEFT JOIN woken k ON k.id = u.workflow_execution_id"
          + " UNION ALL SELECT g.id, 'RUNNING', g.wf, g.tenant_id, g.queue, g.visible_at, true,"
          + " NULL, NULL, NULL, NULL FROM target g JOIN refused r ON r.id = g.id";

  private static final String STATES =
      "SELECT t.id, t.status, t.workflow_execution_id, t.output, t.error,"
          + " a.outcome AS last_outcome, a.error AS last_error"
          + " FROM unnest($1::uuid[], $2::text[]) AS i(id, tenant) JOIN task_executions t ON t.id = i.id"
          + " AND (i.tenant IS NULL OR t.tenant_id = i.tenant)"
          + " LEFT JOIN LATERAL (SELECT outcome, error FROM task_attempts"
          + " WHERE task_execution_id = t.id ORDER BY attempt DESC LIMIT 1) a ON true";

  private static final String HEARTBEAT =
      "UPDATE task_executions SET last_heartbeat_at = now(), updated_at = now(),"
          + " progress = COALESCE($3, progress), progress_details = COALESCE($4, progress_details),"
          + " lease_expires_at = CASE WHEN timeout_ms IS NULL"
          + " THEN now() + $2 * interval '1 millisecond' ELSE lease_expires_at END"
          + " WHERE id = $1 AND status = 'RUNNING'"
          + Sql.tenantIs("tenant_id", 5)
          + " RETURNING lease_expires_at";

  private static final String STATE =
      "SELECT t.id, t.status, t.workflow_execution_id, t.output, t.error,"
          + " a.outcome AS last_outcome, a.error AS last_error FROM task_executions t"
          + " LEFT JOIN LATERAL (SELECT outcome, error FROM task_attempts"
          + " WHERE task_execution_id = t.id ORDER BY attempt DESC LIMIT 1) a ON true"
          + " WHERE t.id = $1"
          + Sql.tenantIs("t.tenant_id", 2);

  private final Connection connection;

  TaskLifecycleStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Finishes the RUNNING tasks among {@code group} (task ids distinct) in one statement and appends
   * the outcomes of those finished for good to their workflows, waking each workflow once; emits a
   * row per task changed. When a completion would grow its workflow's history past {@code
   * maxHistoryBytes}, nothing is written and the first such completion of each workflow is emitted,
   * refused. Tasks that are not RUNNING (or do not exist) are not emitted.
   */
  public Flux<FinishedTask> finish(
      List<TaskFinish> group, double backoffBaseMs, double backoffMaxMs, long maxHistoryBytes) {
    if (group.isEmpty()) {
      return Flux.empty();
    }
    return Sql.query(
        connection,
        FINISH,
        TaskLifecycleStore::toFinished,
        Sql.column(group, TaskFinish::taskId, UUID[]::new),
        Sql.column(group, f -> f.failed() ? "FAILED" : "COMPLETED", String[]::new),
        Sql.column(group, f -> f.failed() ? null : Sql.base64(f.output()), String[]::new),
        Sql.column(group, f -> f.failed() ? f.error() : null, String[]::new),
        Sql.column(group, TaskFinish::eventType, String[]::new),
        Sql.column(group, TaskFinish::eventData, String[]::new),
        backoffBaseMs,
        backoffMaxMs,
        maxHistoryBytes,
        Sql.column(group, TaskFinish::tenant, String[]::new));
  }

  /**
   * Fails the attempts whose lease expired at {@code now} (timeout or missed heartbeats), at most
   * {@code limit}, skipping rows other instances hold; emits the tasks changed.
   */
  public Flux<TaskOutcome> expireLeases(
      Instant now, double backoffBaseMs, double backoffMaxMs, int limit) {
    return Sql.query(
        connection,
        EXPIRE_LEASES,
        TaskLifecycleStore::toOutcome,
        limit,
        "timed out: no completion or heartbeat before the lease expired",
        backoffBaseMs,
        backoffMaxMs,
        "TIMED_OUT",
        SweepStore.at(now));
  }

  /**
   * Cancels a PENDING or RUNNING task of {@code tenant} (any tenant when null); empty if it is in
   * neither state.
   */
  public Mono<TaskOutcome> cancel(String tenant, UUID id) {
    return Sql.query(connection, CANCEL, TaskLifecycleStore::toOutcome, id, Sql.text(tenant))
        .next();
  }

  /**
   * Records a heartbeat (and progress, when not null) of a RUNNING task, renewing a lease that has
   * no hard timeout by {@code leaseMs}; emits the lease end, or empty if it is not RUNNING.
   */
  public Mono<Instant> heartbeat(
      String tenant, UUID id, long leaseMs, Double progress, String details) {
    return Sql.query(
            connection,
            HEARTBEAT,
            row -> ClaimStore.instant(row, "lease_expires_at"),
            id,
            leaseMs,
            progress == null ? new Sql.Null(Double.class) : progress,
            Sql.text(details),
            Sql.text(tenant))
        .next();
  }

  /**
   * The task as it is; empty if it does not exist or belongs to a tenant other than {@code tenant}.
   */
  public Mono<TaskState> state(String tenant, UUID id) {
    return Sql.query(connection, STATE, TaskLifecycleStore::toState, id, Sql.text(tenant)).next();
  }

  /**
   * The tasks of {@code calls} as they are; those that do not exist, or belong to a tenant other
   * than the call's, are not emitted.
   */
  public Flux<TaskState> states(List<TaskFinish> calls) {
    if (calls.isEmpty()) {
      return Flux.empty();
    }
    return Sql.query(
        connection,
        STATES,
        TaskLifecycleStore::toState,
        Sql.column(calls, TaskFinish::taskId, UUID[]::new),
        Sql.column(calls, TaskFinish::tenant, String[]::new));
  }

  private static TaskState toState(Readable row) {
    return new TaskState(
        row.get("id", UUID.class),
        TaskStatus.valueOf(row.get("status", String.class)),
        row.get("workflow_execution_id", UUID.class),
        Sql.bytes(row, "output"),
        row.get("error", String.class),
        row.get("last_outcome", String.class),
        row.get("last_error", String.class));
  }

  private static FinishedTask toFinished(Readable row) {
    String workflowStatus = row.get("wf_status", String.class);
    TaskOutcome task = toOutcome(row);
    Wake wake =
        workflowStatus == null
            ? null
            : new Wake(
                task.workflowId(),
                WorkflowStatus.valueOf(workflowStatus),
                row.get("wf_tenant", String.class),
                row.get("wf_queue", String.class),
                row.get("wf_sequence", Integer.class),
                false);
    return new FinishedTask(task, Boolean.TRUE.equals(row.get("refused", Boolean.class)), wake);
  }

  private static TaskOutcome toOutcome(Readable row) {
    return new TaskOutcome(
        row.get("id", UUID.class),
        TaskStatus.valueOf(row.get("status", String.class)),
        row.get("workflow_execution_id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("queue", String.class),
        ClaimStore.instant(row, "visible_at"));
  }
}
