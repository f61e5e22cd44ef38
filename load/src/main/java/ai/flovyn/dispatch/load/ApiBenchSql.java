package ai.flovyn.dispatch.load;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements the server runs for each call measured by load/api-bench.sh, written out with
 * literal values as psql would send them (store/ListStore and store/DetailStore hold the
 * originals): pgbench runs them as one script, PostgreSQL alone, so the API's latency stands next
 * to the database's share of it.
 */
final class ApiBenchSql {
  private static final String TENANT = "tenant_id = 'bench'";
  private static final String COLUMNS =
      "id, kind, status, queue, workflow_version, parent_workflow_execution_id,"
          + " (extract(epoch FROM created_at) * 1000000)::bigint AS created_us, updated_at,"
          + " claimed_at, completed_at, metadata::text AS metadata_text, left(error, 200)";
  private static final List<String> STATUSES =
      List.of("PENDING", "RUNNING", "WAITING", "COMPLETED", "FAILED", "CANCELLED");

  private ApiBenchSql() {}

  private static String script(List<String> statements) {
    return statements.stream().collect(Collectors.joining(";\n")) + ";\n";
  }

  private static String where(String filter) {
    return TENANT + (filter.isEmpty() ? "" : " AND " + filter);
  }

  /** A list page (20 rows and one more) with its capped total and, past the cap, the estimate. */
  static String page(String filter, String extraCondition, int offset) {
    String condition = where(filter) + (extraCondition.isEmpty() ? "" : " AND " + extraCondition);
    return script(
        List.of(
            "SELECT "
                + COLUMNS
                + " FROM workflow_executions WHERE "
                + condition
                + " ORDER BY created_at DESC, id DESC LIMIT 21 OFFSET "
                + offset,
            "SELECT count(*) FROM (SELECT 1 FROM workflow_executions WHERE "
                + where(filter)
                + " LIMIT 10001) AS matched",
            "EXPLAIN SELECT 1 FROM workflow_executions WHERE " + where(filter)));
  }

  /** The first page of {@code filter}. */
  static String firstPage(String filter) {
    return page(filter, "", 0);
  }

  /** The page after a cursor's position (epoch microseconds and id). */
  static String afterCursor(String micros, String id) {
    return page(
        "",
        "(created_at, id) < (to_timestamp("
            + micros
            + "::double precision / 1000000), '"
            + id
            + "'::uuid)",
        0);
  }

  /**
   * Counts by status: one grouped pass over at most 10,001 rows; past it, with the tenant alone one
   * capped count per status, and the planner's estimate for each status (at the cap, or always with
   * a filter).
   */
  static String counts(String filter) {
    String condition = where(filter);
    List<String> statements = new java.util.ArrayList<>();
    statements.add(
        "SELECT status, count(*) FROM (SELECT status FROM workflow_executions WHERE "
            + condition
            + " LIMIT 10001) AS matched GROUP BY status");
    // past the cap: capped counts per status with the tenant alone, estimates with any filter
    if (filter.isEmpty())
      statements.add(
          "SELECT s.status, (SELECT count(*) FROM (SELECT 1 FROM workflow_executions WHERE status"
              + " = s.status AND "
              + condition
              + " LIMIT 10001) AS matched) AS n FROM unnest('{"
              + String.join(",", STATUSES)
              + "}'::text[]) AS s(status)");
    for (String status : STATUSES) {
      statements.add(
          "EXPLAIN SELECT 1 FROM workflow_executions WHERE status = '"
              + status
              + "' AND "
              + condition);
    }
    return script(statements);
  }

  /** A page of up to 200 events after {@code since}. */
  static String history(int since, String filter) {
    return script(
        List.of(
            "SELECT sequence_number, event_type, event_data, created_at FROM workflow_events e"
                + " WHERE workflow_execution_id = '"
                + ApiBench.LONG_HISTORY
                + "' AND sequence_number > "
                + since
                + (filter.isEmpty() ? "" : " AND " + filter)
                + " AND EXISTS (SELECT 1 FROM workflow_executions w WHERE w.id ="
                + " e.workflow_execution_id AND w."
                + TENANT
                + ") ORDER BY sequence_number LIMIT 201"));
  }

  /** The workflow row of the detail page with its parent and child count. */
  static String detail(String id) {
    return script(
        List.of(
            "SELECT w.*, (SELECT count(*) FROM workflow_executions c WHERE"
                + " c.parent_workflow_execution_id = w.id) FROM workflow_executions w WHERE w.id"
                + " = '"
                + id
                + "' AND w."
                + TENANT,
            "SELECT timer_id, fire_at, status, fired_at FROM timers WHERE workflow_execution_id ="
                + " '"
                + id
                + "' ORDER BY fire_at LIMIT 1000",
            "SELECT id, name, status, value, error FROM promises WHERE workflow_execution_id = '"
                + id
                + "' ORDER BY created_at LIMIT 1000",
            "SELECT key, value FROM workflow_state WHERE workflow_execution_id = '" + id + "'",
            "SELECT status, count(*) FROM task_executions WHERE workflow_execution_id = '"
                + id
                + "' GROUP BY status"));
  }
}
