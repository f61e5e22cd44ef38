package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.DOUBLE;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.UUID_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

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
  /**
   * The retry backoff of the schema, in milliseconds, for use inside a statement: base doubled for
   * each earlier attempt (0 for the first retry), at most max. Failed tasks and released workflow
   * claims wait this long.
   */
  static final SqlFunction BACKOFF_MS =
      SqlFunction.of(
          "dispatch_backoff_ms",
          param("p_base_ms", DOUBLE),
          param("p_max_ms", DOUBLE),
          param("p_attempt", INTEGER));

  // While attempts remain (execution_count <= max_retries) the task returns to PENDING after an
  // exponential backoff; after the last one it is FAILED.
  private static final String FAIL_UPDATE =
      " upd AS (UPDATE task_executions t SET"
          + " status = CASE WHEN t.execution_count <= t.max_retries THEN 'PENDING' ELSE 'FAILED' END,"
          + " visible_at = CASE WHEN t.execution_count <= t.max_retries"
          + " THEN now() + "
          + BACKOFF_MS.call("$3", "$4", "t.execution_count - 1")
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

  // Finishes a group of RUNNING tasks in one call (its migration file says what it does): a short
  // text for the driver to tokenise instead of a 4,000-character statement, and a plan PL/pgSQL
  // keeps between calls.
  private static final SqlFunction FINISH =
      SqlFunction.of(
          "dispatch_finish_tasks",
          param("p_ids", UUID_ARRAY),
          param("p_tenants", TEXT_ARRAY),
          param("p_outcomes", TEXT_ARRAY),
          param("p_outputs", TEXT_ARRAY),
          param("p_errors", TEXT_ARRAY),
          param("p_event_types", TEXT_ARRAY),
          param("p_event_data", TEXT_ARRAY),
          param("p_identities", TEXT_ARRAY),
          param("p_backoff_base_ms", DOUBLE),
          param("p_backoff_max_ms", DOUBLE),
          param("p_max_history_bytes", BIGINT),
          param("p_event_overhead_bytes", INTEGER));

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
    return Sql.call(
        connection,
        FINISH,
        TaskLifecycleStore::toFinished,
        Sql.column(group, TaskFinish::taskId, UUID[]::new),
        Sql.column(group, TaskFinish::tenant, String[]::new),
        Sql.column(group, f -> f.failed() ? "FAILED" : "COMPLETED", String[]::new),
        Sql.column(group, f -> f.failed() ? null : Sql.base64(f.output()), String[]::new),
        Sql.column(group, f -> f.failed() ? f.error() : null, String[]::new),
        Sql.column(group, TaskFinish::eventType, String[]::new),
        Sql.column(group, TaskFinish::eventData, String[]::new),
        Sql.column(group, TaskFinish::eventIdentity, String[]::new),
        backoffBaseMs,
        backoffMaxMs,
        maxHistoryBytes,
        EventStore.EVENT_OVERHEAD_BYTES);
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
    TaskOutcome task =
        new TaskOutcome(
            row.get("id", UUID.class),
            TaskStatus.valueOf(row.get("status", String.class)),
            row.get("workflow_execution_id", UUID.class),
            row.get("tenant_id", String.class),
            row.get("queue", String.class),
            Sql.millis(row, "visible_at_ms"));
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
