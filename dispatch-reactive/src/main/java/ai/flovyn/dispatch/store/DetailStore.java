package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.EventPage;
import ai.flovyn.dispatch.domain.TaskAttempt;
import ai.flovyn.dispatch.domain.TaskDetail;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowDetail;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL of the operator's detail views: one workflow or task execution and what hangs off it. Every
 * statement that names an execution by id reads it through its tenant (bound last; none when NULL),
 * so that another tenant's execution is simply not found, and tells "no such execution" from "none
 * of these rows" in the same round trip (a LEFT JOIN from the execution's row).
 *
 * <p>Times are read as epoch milliseconds, the precision the API shows.
 */
public final class DetailStore {
  private static final String SNAPSHOT =
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  private static final String WORKFLOW =
      """
      SELECT w.id, w.tenant_id, w.kind, w.status, w.queue, w.workflow_version,
             w.parent_workflow_execution_id, w.metadata::text AS metadata, w.input, w.output,
             w.error, w.current_sequence, w.worker_id, w.history_bytes, w.cancel_requested,
             %s, %s, %s, %s,
             p.kind AS parent_kind, p.status AS parent_status,
             %s, %s,
             (SELECT count(*) FROM workflow_executions c
               WHERE c.parent_workflow_execution_id = w.id) AS child_count
        FROM workflow_executions w
        LEFT JOIN workflow_executions p ON p.id = w.parent_workflow_execution_id
       WHERE w.id = $1
      """
              .formatted(
                  millis("w.created_at", "created_ms"),
                  millis("w.updated_at", "updated_ms"),
                  millis("w.claimed_at", "claimed_ms"),
                  millis("w.completed_at", "completed_ms"),
                  millis("p.created_at", "parent_created_ms"),
                  millis("p.completed_at", "parent_completed_ms"))
          + Sql.tenantIs("w.tenant_id", 2);

  // children by the partial index on parent_workflow_execution_id; the parent row was read (and
  // its tenant checked) by the statement before, or is checked here by the LEFT JOIN
  private static final String CHILDREN =
      """
      SELECT w.id AS parent, c.id, c.kind, c.status, c.created_ms, c.completed_ms
        FROM workflow_executions w
        LEFT JOIN LATERAL (
              SELECT id, kind, status, created_at, %s, %s
                FROM workflow_executions
               WHERE parent_workflow_execution_id = w.id
               ORDER BY created_at, id
               LIMIT $2) c ON true
       WHERE w.id = $1
      """
              .formatted(millis("created_at", "created_ms"), millis("completed_at", "completed_ms"))
          + Sql.tenantIs("w.tenant_id", 3)
          + " ORDER BY c.created_at, c.id";

  private static final String TIMERS =
      """
      SELECT timer_id, status, %s, %s
        FROM timers
       WHERE workflow_execution_id = $1
       ORDER BY fire_at, timer_id
       LIMIT $2
      """
          .formatted(millis("fire_at", "fire_ms"), millis("fired_at", "fired_ms"));

  private static final String PROMISES =
      """
      SELECT id, name, status, value, error, %s, %s, %s
        FROM promises
       WHERE workflow_execution_id = $1
       ORDER BY created_at, id
       LIMIT $2
      """
          .formatted(
              millis("timeout_at", "timeout_ms"),
              millis("created_at", "created_ms"),
              millis("settled_at", "settled_ms"));

  private static final String WORKFLOW_STATE =
      """
      SELECT w.id, s.key, s.value
        FROM workflow_executions w
        LEFT JOIN workflow_state s ON s.workflow_execution_id = w.id
       WHERE w.id = $1
      """
          + Sql.tenantIs("w.tenant_id", 2)
          + " ORDER BY s.key";

  // by the partial index on workflow_execution_id
  private static final String TASK_COUNTS =
      """
      SELECT status, count(*) AS n
        FROM task_executions
       WHERE workflow_execution_id = $1
       GROUP BY status
      """;

  private static final String FAILURE_TYPE =
      "(e.event_type LIKE '%FAILED%' OR e.event_type LIKE '%TIMEOUT%'"
          + " OR e.event_type LIKE '%TIMED_OUT%')";

  // keyset on the primary key (workflow_execution_id, sequence_number): an index range scan from
  // $2 that stops after $5 matching rows, at any depth of any history
  private static final String EVENT_PAGE =
      """
      SELECT w.id, e.sequence_number, e.event_type, e.event_data, e.created_ms
        FROM workflow_executions w
        LEFT JOIN LATERAL (
              SELECT sequence_number, event_type, event_data, %s
                FROM workflow_events e
               WHERE e.workflow_execution_id = w.id
                 AND e.sequence_number > $2
                 AND (cardinality($3::text[]) = 0 OR e.event_type = ANY($3::text[]))
                 AND (NOT $4 OR %s)
               ORDER BY e.sequence_number
               LIMIT $5) e ON true
       WHERE w.id = $1
      """
              .formatted(millis("e.created_at", "created_ms"), FAILURE_TYPE)
          + Sql.tenantIs("w.tenant_id", 6)
          + " ORDER BY e.sequence_number";

  private static final String TASK_COLUMNS =
      """
      t.id, t.tenant_id, t.task_type, t.status, t.queue, t.workflow_execution_id,
      t.execution_count, t.max_retries, t.progress, t.progress_details, t.error, t.worker_id,
      t.metadata::text AS metadata, %s, %s, %s, %s
      """
          .formatted(
              millis("t.created_at", "created_ms"),
              millis("t.started_at", "started_ms"),
              millis("t.completed_at", "completed_ms"),
              millis("t.updated_at", "updated_ms"));

  private static final String TASK =
      "SELECT "
          + TASK_COLUMNS
          + ", t.input, t.output FROM task_executions t WHERE t.id = $1"
          + Sql.tenantIs("t.tenant_id", 2);

  // payloads left out: a listing shows them on the single task only
  private static final String WORKFLOW_TASKS =
      """
      SELECT w.id AS workflow, t.*
        FROM workflow_executions w
        LEFT JOIN LATERAL (
              SELECT %s, NULL::bytea AS input, NULL::bytea AS output
                FROM task_executions t
               WHERE t.workflow_execution_id = w.id
               ORDER BY t.created_at, t.id
               LIMIT $2) t ON true
       WHERE w.id = $1
      """
              .formatted(TASK_COLUMNS)
          + Sql.tenantIs("w.tenant_id", 3)
          + " ORDER BY t.created_ms, t.id";

  // the recorded attempts of the tasks, and the attempt a worker runs now (not recorded until it
  // finishes), oldest first
  private static final String ATTEMPTS =
      """
      SELECT task_execution_id AS task, attempt, outcome AS status, worker_id, error,
             %s, %s
        FROM task_attempts
       WHERE task_execution_id = ANY($1::uuid[])
      UNION ALL
      SELECT t.id, t.execution_count, 'RUNNING', t.worker_id, NULL, %s, NULL
        FROM task_executions t
       WHERE t.id = ANY($1::uuid[])
         AND t.status = 'RUNNING'
         AND NOT EXISTS (SELECT 1 FROM task_attempts a
                          WHERE a.task_execution_id = t.id AND a.attempt = t.execution_count)
       ORDER BY task, attempt
      """
          .formatted(
              millis("started_at", "started_ms"),
              millis("finished_at", "finished_ms"),
              millis("t.started_at", "started_ms"));

  private static final String TASK_EXISTS =
      "SELECT id FROM task_executions WHERE id = $1" + Sql.tenantIs("tenant_id", 2);

  private static final String TASK_STATE =
      """
      SELECT t.id, s.key, s.value
        FROM task_executions t
        LEFT JOIN task_state s ON s.task_execution_id = t.id
       WHERE t.id = $1
      """
          + Sql.tenantIs("t.tenant_id", 2)
          + " ORDER BY s.key";

  private final Connection connection;

  DetailStore(Connection connection) {
    this.connection = connection;
  }

  /** A time column as epoch milliseconds (floored), named {@code alias}. */
  private static String millis(String column, String alias) {
    return "floor(extract(epoch FROM " + column + ") * 1000)::bigint AS " + alias;
  }

  /**
   * Makes the rest of this transaction read one snapshot, read-only: the parts of a detail agree
   * with one another. Must be the transaction's first statement.
   */
  public Mono<Void> snapshot() {
    return Sql.update(connection, SNAPSHOT).then();
  }

  /**
   * The workflow's row with its parent and child count (children, timers, promises, state and task
   * counts left empty); nothing when there is none of {@code tenant} (any when null).
   */
  public Mono<WorkflowDetail> workflow(String tenant, UUID id) {
    return Sql.query(connection, WORKFLOW, DetailStore::toWorkflow, id, Sql.text(tenant)).next();
  }

  /**
   * The workflow's first {@code limit} children, oldest first: one element per child (an empty
   * Optional alone when it has none), nothing when there is no such workflow of {@code tenant}.
   */
  public Flux<Optional<WorkflowDetail.Relative>> children(String tenant, UUID id, int limit) {
    return Sql.query(
        connection,
        CHILDREN,
        row ->
            Optional.ofNullable(row.get("id", UUID.class))
                .map(
                    child ->
                        new WorkflowDetail.Relative(
                            child,
                            row.get("kind", String.class),
                            WorkflowStatus.valueOf(row.get("status", String.class)),
                            Sql.millis(row, "created_ms"),
                            Sql.millis(row, "completed_ms"))),
        id,
        limit,
        Sql.text(tenant));
  }

  /** The workflow's timers by fire time, at most {@code limit} (its tenant checked before). */
  public Flux<WorkflowDetail.Timer> timers(UUID id, int limit) {
    return Sql.query(
        connection,
        TIMERS,
        row ->
            new WorkflowDetail.Timer(
                row.get("timer_id", String.class),
                Sql.millis(row, "fire_ms"),
                row.get("status", String.class),
                Sql.millis(row, "fired_ms")),
        id,
        limit);
  }

  /** The workflow's promises, oldest first, at most {@code limit} (its tenant checked before). */
  public Flux<WorkflowDetail.Promise> promises(UUID id, int limit) {
    return Sql.query(
        connection,
        PROMISES,
        row ->
            new WorkflowDetail.Promise(
                row.get("id", String.class),
                row.get("name", String.class),
                row.get("status", String.class),
                bytesOrNull(row, "value"),
                row.get("error", String.class),
                Sql.millis(row, "timeout_ms"),
                Sql.millis(row, "created_ms"),
                Sql.millis(row, "settled_ms")),
        id,
        limit);
  }

  /**
   * The workflow's state: one element per key, by key (an empty Optional alone when it has none),
   * nothing when there is no such workflow of {@code tenant}.
   */
  public Flux<Optional<Map.Entry<String, byte[]>>> workflowState(String tenant, UUID id) {
    return Sql.query(connection, WORKFLOW_STATE, DetailStore::toEntry, id, Sql.text(tenant));
  }

  /** How many of the workflow's tasks are in each status that has any (tenant checked before). */
  public Flux<Map.Entry<TaskStatus, Long>> taskCounts(UUID id) {
    return Sql.query(
        connection,
        TASK_COUNTS,
        row ->
            Map.entry(
                TaskStatus.valueOf(row.get("status", String.class)), row.get("n", Long.class)),
        id);
  }

  /**
   * A page of the workflow's history after {@code sinceSequence}, oldest first, at most {@code
   * limit} events of {@code types} (any when empty), failures only when {@code failedOnly}: one
   * element per event (an empty Optional alone when none matches), nothing when there is no such
   * workflow of {@code tenant}.
   */
  public Flux<Optional<EventPage.Event>> events(
      String tenant, UUID id, int sinceSequence, String[] types, boolean failedOnly, int limit) {
    return Sql.query(
        connection,
        EVENT_PAGE,
        row ->
            Optional.ofNullable(row.get("sequence_number", Integer.class))
                .map(
                    sequence ->
                        new EventPage.Event(
                            sequence,
                            row.get("event_type", String.class),
                            Sql.millis(row, "created_ms"),
                            row.get("event_data", String.class))),
        id,
        sinceSequence,
        types,
        failedOnly,
        limit,
        Sql.text(tenant));
  }

  /** The task with its payloads (attempts left empty); nothing when there is none of tenant. */
  public Mono<TaskDetail> task(String tenant, UUID id) {
    return Sql.query(connection, TASK, DetailStore::toTask, id, Sql.text(tenant)).next();
  }

  /** Whether there is such a task of {@code tenant} (any when null): emits its id, or nothing. */
  public Mono<UUID> taskExists(String tenant, UUID id) {
    return Sql.query(
            connection, TASK_EXISTS, row -> row.get("id", UUID.class), id, Sql.text(tenant))
        .next();
  }

  /**
   * The workflow's first {@code limit} tasks, oldest first, without payloads or attempts: one
   * element per task (an empty Optional alone when it has none), nothing when there is no such
   * workflow of {@code tenant}.
   */
  public Flux<Optional<TaskDetail>> workflowTasks(String tenant, UUID id, int limit) {
    return Sql.query(
        connection,
        WORKFLOW_TASKS,
        row -> Optional.ofNullable(row.get("id", UUID.class)).map(task -> toTask(row)),
        id,
        limit,
        Sql.text(tenant));
  }

  /** The attempts of these tasks, by task and attempt: (task id, attempt) pairs. */
  public Flux<Map.Entry<UUID, TaskAttempt>> attempts(UUID[] taskIds) {
    if (taskIds.length == 0) {
      return Flux.empty();
    }
    return Sql.query(
        connection,
        ATTEMPTS,
        row ->
            Map.entry(
                row.get("task", UUID.class),
                new TaskAttempt(
                    row.get("attempt", Integer.class),
                    row.get("status", String.class),
                    Sql.millis(row, "started_ms"),
                    Sql.millis(row, "finished_ms"),
                    row.get("worker_id", String.class),
                    row.get("error", String.class))),
        (Object) taskIds);
  }

  /**
   * The task's state: one element per key, by key (an empty Optional alone when it has none),
   * nothing when there is no such task of {@code tenant}.
   */
  public Flux<Optional<Map.Entry<String, byte[]>>> taskState(String tenant, UUID id) {
    return Sql.query(connection, TASK_STATE, DetailStore::toEntry, id, Sql.text(tenant));
  }

  // workflow_state.value may be NULL (a key set to nothing): an empty value, shown as null
  private static Optional<Map.Entry<String, byte[]>> toEntry(Readable row) {
    return Optional.ofNullable(row.get("key", String.class))
        .map(key -> Map.entry(key, Sql.bytes(row, "value")));
  }

  private static WorkflowDetail toWorkflow(Readable row) {
    UUID parentId = row.get("parent_workflow_execution_id", UUID.class);
    String parentStatus = row.get("parent_status", String.class);
    WorkflowDetail.Relative parent =
        parentId == null || parentStatus == null
            ? null
            : new WorkflowDetail.Relative(
                parentId,
                row.get("parent_kind", String.class),
                WorkflowStatus.valueOf(parentStatus),
                Sql.millis(row, "parent_created_ms"),
                Sql.millis(row, "parent_completed_ms"));
    WorkflowDetail.Execution execution =
        new WorkflowDetail.Execution(
            row.get("id", UUID.class),
            row.get("tenant_id", String.class),
            row.get("kind", String.class),
            WorkflowStatus.valueOf(row.get("status", String.class)),
            row.get("queue", String.class),
            row.get("workflow_version", String.class),
            parentId,
            Sql.millis(row, "created_ms"),
            Sql.millis(row, "updated_ms"),
            Sql.millis(row, "claimed_ms"),
            Sql.millis(row, "completed_ms"),
            row.get("metadata", String.class),
            bytesOrNull(row, "input"),
            bytesOrNull(row, "output"),
            row.get("error", String.class),
            row.get("current_sequence", Integer.class),
            row.get("worker_id", String.class),
            row.get("history_bytes", Long.class),
            Boolean.TRUE.equals(row.get("cancel_requested", Boolean.class)));
    return new WorkflowDetail(
        execution,
        parent,
        java.util.List.of(),
        row.get("child_count", Long.class),
        java.util.List.of(),
        java.util.List.of(),
        Map.of(),
        Map.of());
  }

  private static TaskDetail toTask(Readable row) {
    return new TaskDetail(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("task_type", String.class),
        TaskStatus.valueOf(row.get("status", String.class)),
        row.get("queue", String.class),
        row.get("workflow_execution_id", UUID.class),
        row.get("execution_count", Integer.class),
        row.get("max_retries", Integer.class),
        row.get("progress", Double.class),
        row.get("progress_details", String.class),
        bytesOrNull(row, "input"),
        bytesOrNull(row, "output"),
        row.get("error", String.class),
        row.get("worker_id", String.class),
        Sql.millis(row, "created_ms"),
        Sql.millis(row, "started_ms"),
        Sql.millis(row, "completed_ms"),
        Sql.millis(row, "updated_ms"),
        row.get("metadata", String.class),
        java.util.List.of());
  }

  private static byte[] bytesOrNull(Readable row, String column) {
    ByteBuffer buffer = row.get(column, ByteBuffer.class);
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
