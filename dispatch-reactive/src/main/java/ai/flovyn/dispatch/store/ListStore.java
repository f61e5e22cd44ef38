package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.query.Cursor;
import ai.flovyn.dispatch.query.FqlQuery;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.query.QueueStats;
import ai.flovyn.dispatch.query.SqlBinds;
import ai.flovyn.dispatch.query.TaskFilter;
import ai.flovyn.dispatch.query.TaskSummary;
import ai.flovyn.dispatch.query.WorkflowFilter;
import ai.flovyn.dispatch.query.WorkflowSummary;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL of the operator's lists and counts: the one place a {@link WorkflowFilter} or {@link
 * TaskFilter} becomes a WHERE clause. Every value a client gave is a bind value; what is formatted
 * into the statements below is only this class's own SQL and the FQL compiler's placeholders.
 *
 * <p>Lists are ordered {@code created_at DESC, id DESC} (unless FQL orders them otherwise), which
 * migration 022's indexes serve for the common filters (tenant alone, with a status, with a kind).
 * Counts stop at {@value ListPage#EXACT_UP_TO} + 1 rows; beyond, the planner's row estimate is
 * taken.
 */
public final class ListStore {
  private static final int CAP = ListPage.EXACT_UP_TO + 1;
  private static final Pattern PLAN_ROWS = Pattern.compile("rows=(\\d+)");

  private static final String WORKFLOWS = "workflow_executions";
  private static final String TASKS = "task_executions";

  private static final String WORKFLOW_COLUMNS =
      "id, kind, status, queue, workflow_version, parent_workflow_execution_id,"
          + " (extract(epoch FROM created_at) * 1000000)::bigint AS created_us, updated_at,"
          + " claimed_at, completed_at, metadata::text AS metadata_text,"
          + " left(error, "
          + WorkflowSummary.ERROR_CHARS
          + ") AS error_text";

  private static final String TASK_COLUMNS =
      "id, task_type, status, queue, workflow_execution_id, execution_count, max_retries,"
          + " progress, progress_details, worker_id,"
          + " (extract(epoch FROM created_at) * 1000000)::bigint AS created_us, started_at,"
          + " completed_at, updated_at, metadata::text AS metadata_text,"
          + " left(error, "
          + WorkflowSummary.ERROR_CHARS
          + ") AS error_text";

  // columns, table, condition, order, limit and offset placeholders
  private static final String PAGE = "SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT %s OFFSET %s";

  // stops counting at CAP rows: an exact count of millions would scan them all
  private static final String CAPPED_COUNT =
      "SELECT count(*) AS n FROM (SELECT 1 FROM %s WHERE %s LIMIT " + CAP + ") AS matched";

  // every status in one pass over at most CAP rows: exact whenever fewer than CAP match in all
  private static final String CAPPED_GROUPED_COUNTS =
      "SELECT status, count(*) AS n FROM (SELECT status FROM %s WHERE %s LIMIT "
          + CAP
          + ") AS matched GROUP BY status";

  // one capped count per status, each served by the (tenant_id, status, created_at) index
  private static final String CAPPED_STATUS_COUNTS =
      "SELECT s.status, (SELECT count(*) FROM (SELECT 1 FROM %1$s"
          + " WHERE status = s.status AND %2$s LIMIT "
          + CAP
          + ") AS matched) AS n"
          + " FROM unnest(%3$s::text[]) AS s(status)";

  // the planner's estimate of the rows a condition matches (first line: the top plan node)
  private static final String ESTIMATE = "EXPLAIN SELECT 1 FROM %s WHERE %s";

  private static final String MATCHING_UNFINISHED =
      "SELECT id FROM workflow_executions WHERE %s"
          + " AND status IN ('PENDING', 'RUNNING', 'WAITING')"
          + " ORDER BY created_at DESC, id DESC LIMIT %s";

  // unfinished work per queue; the oldest PENDING item from the status index's PENDING range
  private static final String QUEUE_STATS =
      "SELECT 'workflow' AS side, queue, status, count(*) AS n,"
          + " min(created_at) FILTER (WHERE status = 'PENDING') AS oldest"
          + " FROM workflow_executions WHERE %1$s status IN ('PENDING', 'RUNNING', 'WAITING')"
          + " GROUP BY queue, status"
          + " UNION ALL"
          + " SELECT 'task' AS side, queue, status, count(*) AS n,"
          + " min(created_at) FILTER (WHERE status = 'PENDING') AS oldest"
          + " FROM task_executions WHERE %1$s status IN ('PENDING', 'RUNNING')"
          + " GROUP BY queue, status";

  // PENDING items per tenant and queue, from the partial "ready" indexes (status = 'PENDING'): the
  // work is the backlog's size, never the table's. An item is claimable from its order key (its
  // creation, or its resume) or, for a retry or a released workflow, from the end of its backoff.
  private static final String QUEUE_BACKLOG =
      "SELECT kind, tenant_id, queue, depth,"
          + " COALESCE(extract(epoch FROM now() - oldest), 0)::float8 AS age FROM ("
          + " SELECT 'workflow' AS kind, tenant_id, queue, count(*) AS depth,"
          + " min(GREATEST(order_key, COALESCE(visible_at, order_key)))"
          + " FILTER (WHERE visible_at IS NULL OR visible_at <= now()) AS oldest"
          + " FROM workflow_executions WHERE status = 'PENDING' GROUP BY tenant_id, queue"
          + " UNION ALL"
          + " SELECT 'task', tenant_id, queue, count(*),"
          + " min(GREATEST(order_key, visible_at)) FILTER (WHERE visible_at <= now())"
          + " FROM task_executions WHERE status = 'PENDING' GROUP BY tenant_id, queue"
          + " UNION ALL"
          + " SELECT 'agent', tenant_id, queue, count(*), min(order_key)"
          + " FROM agent_executions WHERE status = 'PENDING' GROUP BY tenant_id, queue) backlog"
          + " ORDER BY depth DESC, kind, tenant_id, queue LIMIT $1";

  /**
   * A count, exact or estimated.
   *
   * @param value how many rows
   * @param estimated whether it is the planner's estimate (more than the exact cap matched)
   */
  public record Count(long value, boolean estimated) {}

  private final Connection connection;

  ListStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * One page of workflows, plus one row more when there is a next page.
   *
   * @param tenant the tenant whose rows to take; null for every tenant
   */
  public Flux<WorkflowSummary> workflows(String tenant, WorkflowFilter filter, Page page) {
    return page(
        WORKFLOW_COLUMNS,
        WORKFLOWS,
        binds -> workflowWhere(tenant, filter, true, binds),
        filter.query(),
        page,
        ListStore::toWorkflow);
  }

  /** How many workflows match, exact up to the cap. */
  public Mono<Count> countWorkflows(String tenant, WorkflowFilter filter) {
    return count(WORKFLOWS, binds -> workflowWhere(tenant, filter, true, binds));
  }

  /** Every workflow status to how many match the filter with its statuses ignored. */
  public Mono<Map<String, Count>> countWorkflowsByStatus(String tenant, WorkflowFilter filter) {
    return countByStatus(
        WORKFLOWS,
        names(WorkflowStatus.values()),
        binds -> workflowWhere(tenant, filter, false, binds),
        onlyStatusIndexed(filter));
  }

  /** The ids of up to {@code max} matching workflows that have not finished, newest first. */
  public Flux<UUID> matchingUnfinished(String tenant, WorkflowFilter filter, int max) {
    SqlBinds binds = new SqlBinds();
    String sql =
        String.format(
            MATCHING_UNFINISHED, workflowWhere(tenant, filter, true, binds), binds.add(max));
    return Sql.query(connection, sql, row -> row.get("id", UUID.class), binds.values().toArray());
  }

  /** One page of tasks, plus one row more when there is a next page. */
  public Flux<TaskSummary> tasks(String tenant, TaskFilter filter, Page page) {
    return page(
        TASK_COLUMNS,
        TASKS,
        binds -> taskWhere(tenant, filter, true, binds),
        filter.query(),
        page,
        ListStore::toTask);
  }

  /** How many tasks match, exact up to the cap. */
  public Mono<Count> countTasks(String tenant, TaskFilter filter) {
    return count(TASKS, binds -> taskWhere(tenant, filter, true, binds));
  }

  /** Every task status to how many match the filter with its statuses ignored. */
  public Mono<Map<String, Count>> countTasksByStatus(String tenant, TaskFilter filter) {
    return countByStatus(
        TASKS,
        names(TaskStatus.values()),
        binds -> taskWhere(tenant, filter, false, binds),
        filter.kinds().isEmpty()
            && filter.queues().isEmpty()
            && filter.workflowId() == null
            && !filter.standalone()
            && filter.createdAfter() == null
            && filter.createdBefore() == null
            && (filter.query() == null || !filter.query().hasCondition()));
  }

  /**
   * The PENDING items of each kind on every queue of every tenant, deepest first, at most {@code
   * limit} rows; a queue with nothing PENDING is not listed.
   */
  public Flux<QueueBacklog> queueBacklog(int limit) {
    return Sql.query(
        connection,
        QUEUE_BACKLOG,
        row ->
            new QueueBacklog(
                row.get("kind", String.class),
                row.get("tenant_id", String.class),
                row.get("queue", String.class),
                row.get("depth", Long.class),
                row.get("age", Double.class)),
        limit);
  }

  /** Unfinished workflows and tasks per queue, busiest queue first. */
  public Mono<List<QueueStats>> queueStats(String tenant) {
    SqlBinds binds = new SqlBinds();
    String tenantIs = tenant == null ? "" : "tenant_id = " + binds.add(tenant) + " AND";
    return Sql.query(
            connection, String.format(QUEUE_STATS, tenantIs), row -> row, binds.values().toArray())
        .map(QueueRow::of)
        .collectList()
        .map(ListStore::toQueueStats);
  }

  // the page in the query's order, one row more than the page when there is a next one
  private <T> Flux<T> page(
      String columns,
      String table,
      java.util.function.Function<SqlBinds, String> where,
      FqlQuery query,
      Page page,
      java.util.function.Function<Readable, T> mapper) {
    SqlBinds binds = new SqlBinds();
    String condition = where.apply(binds);
    String sql =
        String.format(
            PAGE,
            columns,
            table,
            condition + after(page.cursor(), binds),
            query.orderBy(),
            binds.add(page.limit() + 1),
            binds.add(page.offset()));
    return Sql.query(connection, sql, mapper, binds.values().toArray());
  }

  private Mono<Count> count(String table, java.util.function.Function<SqlBinds, String> where) {
    SqlBinds binds = new SqlBinds();
    String sql = String.format(CAPPED_COUNT, table, where.apply(binds));
    return Sql.query(connection, sql, row -> row.get("n", Long.class), binds.values().toArray())
        .next()
        .flatMap(n -> n < CAP ? Mono.just(new Count(n, false)) : estimate(table, where, null));
  }

  // Whether a workflow filter names nothing but the tenant (and statuses, which counts ignore):
  // then
  // each status's capped count is a range of the (tenant_id, status, created_at) index.
  private static boolean onlyStatusIndexed(WorkflowFilter filter) {
    return filter.kinds().isEmpty()
        && filter.queues().isEmpty()
        && filter.createdAfter() == null
        && filter.createdBefore() == null
        && filter.updatedAfter() == null
        && filter.updatedBefore() == null
        && filter.parentId() == null
        && filter.id() == null
        && filter.idPrefix() == null
        && (filter.query() == null || !filter.query().hasCondition());
  }

  /**
   * Counts by status: exact when fewer than CAP match in all. Beyond that, with nothing but the
   * tenant to filter on, each status is counted up to CAP on its own index range; with any other
   * condition, each status is the planner's estimate: a capped count of a rare status under such a
   * condition walks the whole status range (measured at 230-330 ms on a million workflows by
   * load/api-bench.sh), past what a count may cost.
   */
  private Mono<Map<String, Count>> countByStatus(
      String table,
      List<String> statuses,
      java.util.function.Function<SqlBinds, String> where,
      boolean onlyTenant) {
    SqlBinds binds = new SqlBinds();
    String sql = String.format(CAPPED_GROUPED_COUNTS, table, where.apply(binds));
    return Sql.query(
            connection,
            sql,
            row -> Map.entry(row.get("status", String.class), row.get("n", Long.class)),
            binds.values().toArray())
        .collectList()
        .flatMap(
            entries ->
                entries.stream().mapToLong(Map.Entry::getValue).sum() < CAP
                    ? Mono.just(exact(statuses, entries))
                    : onlyTenant
                        ? countEachStatus(table, statuses, where)
                        : estimateEachStatus(table, statuses, where));
  }

  // each status as the planner estimates it, one EXPLAIN per status
  private Mono<Map<String, Count>> estimateEachStatus(
      String table, List<String> statuses, java.util.function.Function<SqlBinds, String> where) {
    return Flux.fromIterable(statuses)
        .concatMap(
            status -> estimate(table, where, status, 0).map(count -> Map.entry(status, count)))
        .collectList()
        .map(
            entries -> {
              Map<String, Count> counts = new LinkedHashMap<>();
              entries.forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
              return counts;
            });
  }

  private static Map<String, Count> exact(
      List<String> statuses, List<Map.Entry<String, Long>> entries) {
    Map<String, Count> counts = new LinkedHashMap<>();
    statuses.forEach(status -> counts.put(status, new Count(0, false)));
    entries.forEach(entry -> counts.put(entry.getKey(), new Count(entry.getValue(), false)));
    return counts;
  }

  // more than CAP match in all: each status capped on its own, estimated beyond
  private Mono<Map<String, Count>> countEachStatus(
      String table, List<String> statuses, java.util.function.Function<SqlBinds, String> where) {
    SqlBinds binds = new SqlBinds();
    String whereSql = where.apply(binds);
    String sql =
        String.format(
            CAPPED_STATUS_COUNTS, table, whereSql, binds.add(statuses.toArray(String[]::new)));
    return Sql.query(
            connection,
            sql,
            row -> Map.entry(row.get("status", String.class), row.get("n", Long.class)),
            binds.values().toArray())
        // read the whole result before the next statement: one connection runs one at a time
        .collectList()
        .flatMapIterable(entries -> entries)
        .concatMap(
            entry ->
                entry.getValue() < CAP
                    ? Mono.just(Map.entry(entry.getKey(), new Count(entry.getValue(), false)))
                    : estimate(table, where, entry.getKey())
                        .map(count -> Map.entry(entry.getKey(), count)))
        .collectList()
        .map(
            entries -> {
              Map<String, Count> counts = new LinkedHashMap<>();
              statuses.forEach(status -> counts.put(status, new Count(0, false)));
              entries.forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
              return counts;
            });
  }

  // more than the cap matched: the planner's estimate, never below the cap
  private Mono<Count> estimate(
      String table, java.util.function.Function<SqlBinds, String> where, String status) {
    return estimate(table, where, status, CAP);
  }

  // the planner's estimate of the matching rows, never below {@code floor}
  private Mono<Count> estimate(
      String table,
      java.util.function.Function<SqlBinds, String> where,
      String status,
      long floor) {
    SqlBinds binds = new SqlBinds();
    String condition = where.apply(binds);
    if (status != null) {
      condition = "status = " + binds.add(status) + " AND " + condition;
    }
    String sql = String.format(ESTIMATE, table, condition);
    return Sql.query(connection, sql, row -> row.get(0, String.class), binds.values().toArray())
        .collectList()
        .map(
            plan -> {
              Matcher rows = PLAN_ROWS.matcher(plan.isEmpty() ? "" : plan.get(0));
              long estimate = rows.find() ? Long.parseLong(rows.group(1)) : CAP;
              return new Count(Math.max(estimate, floor), true);
            });
  }

  /** The workflow filter as a condition over {@code workflow_executions}. */
  static String workflowWhere(
      String tenant, WorkflowFilter filter, boolean withStatuses, SqlBinds binds) {
    List<String> conditions =
        common(
            tenant,
            withStatuses ? filter.statuses() : Set.of(),
            "kind",
            filter.kinds(),
            filter.queues(),
            binds);
    window(conditions, "created_at", filter.createdAfter(), filter.createdBefore(), binds);
    window(conditions, "updated_at", filter.updatedAfter(), filter.updatedBefore(), binds);
    if (filter.parentId() != null) {
      conditions.add("parent_workflow_execution_id = " + binds.add(filter.parentId()));
    }
    if (filter.id() != null) {
      conditions.add("id = " + binds.add(filter.id()));
    }
    if (filter.idPrefix() != null) {
      conditions.add(
          "id BETWEEN "
              + binds.add(filter.idPrefix().low())
              + " AND "
              + binds.add(filter.idPrefix().high()));
    }
    return joined(conditions, filter.query(), binds);
  }

  /** The task filter as a condition over {@code task_executions}. */
  static String taskWhere(String tenant, TaskFilter filter, boolean withStatuses, SqlBinds binds) {
    List<String> conditions =
        common(
            tenant,
            withStatuses ? filter.statuses() : Set.of(),
            "task_type",
            filter.kinds(),
            filter.queues(),
            binds);
    if (filter.workflowId() != null) {
      conditions.add("workflow_execution_id = " + binds.add(filter.workflowId()));
    }
    if (filter.standalone()) {
      conditions.add("workflow_execution_id IS NULL");
    }
    window(conditions, "created_at", filter.createdAfter(), filter.createdBefore(), binds);
    return joined(conditions, filter.query(), binds);
  }

  // the conditions both filters start with, in the order their binds are numbered
  private static List<String> common(
      String tenant,
      Set<? extends Enum<?>> statuses,
      String kindColumn,
      List<String> kinds,
      List<String> queues,
      SqlBinds binds) {
    List<String> conditions = new ArrayList<>();
    if (tenant != null) {
      conditions.add("tenant_id = " + binds.add(tenant));
    }
    if (!statuses.isEmpty()) {
      conditions.add(in("status", names(statuses.toArray(Enum[]::new)), binds));
    }
    if (!kinds.isEmpty()) {
      conditions.add(in(kindColumn, kinds, binds));
    }
    if (!queues.isEmpty()) {
      conditions.add(in("queue", queues, binds));
    }
    return conditions;
  }

  // the FQL condition last, then every condition ANDed
  private static String joined(List<String> conditions, FqlQuery query, SqlBinds binds) {
    if (query.hasCondition()) {
      conditions.add(query.where(binds));
    }
    return conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions);
  }

  // keyset paging: strictly after the previous page's last row in (created_at, id) DESC order
  private static String after(Cursor cursor, SqlBinds binds) {
    if (cursor == null) {
      return "";
    }
    return " AND (created_at, id) < ("
        + binds.time(cursor.createdAt())
        + ", "
        + binds.add(cursor.id())
        + ")";
  }

  private static void window(
      List<String> conditions, String column, Instant after, Instant before, SqlBinds binds) {
    if (after != null) {
      conditions.add(column + " > " + binds.time(after));
    }
    if (before != null) {
      conditions.add(column + " < " + binds.time(before));
    }
  }

  private static String in(String column, List<String> values, SqlBinds binds) {
    if (values.size() == 1) {
      return column + " = " + binds.add(values.get(0));
    }
    return values.stream().map(binds::add).collect(Collectors.joining(", ", column + " IN (", ")"));
  }

  private static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).toList();
  }

  private static WorkflowSummary toWorkflow(Readable row) {
    return new WorkflowSummary(
        row.get("id", UUID.class),
        row.get("kind", String.class),
        WorkflowStatus.valueOf(row.get("status", String.class)),
        row.get("queue", String.class),
        row.get("workflow_version", String.class),
        row.get("parent_workflow_execution_id", UUID.class),
        micros(row),
        ClaimStore.instant(row, "updated_at"),
        ClaimStore.instant(row, "claimed_at"),
        ClaimStore.instant(row, "completed_at"),
        row.get("metadata_text", String.class),
        row.get("error_text", String.class));
  }

  private static TaskSummary toTask(Readable row) {
    return new TaskSummary(
        row.get("id", UUID.class),
        row.get("task_type", String.class),
        TaskStatus.valueOf(row.get("status", String.class)),
        row.get("queue", String.class),
        row.get("workflow_execution_id", UUID.class),
        row.get("execution_count", Integer.class),
        row.get("max_retries", Integer.class),
        row.get("progress", Double.class),
        row.get("progress_details", String.class),
        row.get("error_text", String.class),
        row.get("worker_id", String.class),
        micros(row),
        ClaimStore.instant(row, "started_at"),
        ClaimStore.instant(row, "completed_at"),
        ClaimStore.instant(row, "updated_at"),
        row.get("metadata_text", String.class));
  }

  // created_at to the microsecond: cursors compare it exactly
  private static Instant micros(Readable row) {
    return Instant.EPOCH.plus(row.get("created_us", Long.class), ChronoUnit.MICROS);
  }

  /** One row of the queue statistics. */
  private record QueueRow(String side, String queue, String status, long n, Instant oldest) {
    static QueueRow of(Readable row) {
      return new QueueRow(
          row.get("side", String.class),
          row.get("queue", String.class),
          row.get("status", String.class),
          row.get("n", Long.class),
          ClaimStore.instant(row, "oldest"));
    }
  }

  private static List<QueueStats> toQueueStats(List<QueueRow> rows) {
    Map<String, List<QueueRow>> byQueue = new LinkedHashMap<>();
    rows.forEach(row -> byQueue.computeIfAbsent(row.queue(), queue -> new ArrayList<>()).add(row));
    List<QueueStats> stats = new ArrayList<>();
    byQueue.forEach(
        (queue, queueRows) -> {
          Map<String, Long> workflows = zeros("PENDING", "RUNNING", "WAITING");
          Map<String, Long> tasks = zeros("PENDING", "RUNNING");
          Instant oldestWorkflow = null;
          Instant oldestTask = null;
          for (QueueRow row : queueRows) {
            if (row.side().equals("workflow")) {
              workflows.put(row.status(), row.n());
              oldestWorkflow = row.oldest() != null ? row.oldest() : oldestWorkflow;
            } else {
              tasks.put(row.status(), row.n());
              oldestTask = row.oldest() != null ? row.oldest() : oldestTask;
            }
          }
          stats.add(new QueueStats(queue, workflows, tasks, oldestWorkflow, oldestTask));
        });
    stats.sort(
        java.util.Comparator.comparingLong(QueueStats::size)
            .reversed()
            .thenComparing(QueueStats::queue));
    return stats;
  }

  private static Map<String, Long> zeros(String... statuses) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String status : statuses) {
      counts.put(status, 0L);
    }
    return counts;
  }
}
