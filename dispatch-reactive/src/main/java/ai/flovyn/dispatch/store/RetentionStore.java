package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Deletes what the retention period no longer keeps: finished workflows with everything recorded
 * for them (and the idempotency keys naming them or their tasks), finished standalone tasks,
 * expired idempotency keys. Each call is one statement (one short transaction) over at most {@code
 * limit} rows, skipping rows other transactions hold, so it never waits for nor blocks the hot path
 * for long.
 */
public final class RetentionStore {
  /** How long finished work is kept: a default and per-tenant overrides, in milliseconds. */
  public record Periods(long defaultMs, String[] tenants, Long[] tenantMs) {
    long shortestMs() {
      long shortest = defaultMs;
      for (Long ms : tenantMs) {
        shortest = Math.min(shortest, ms);
      }
      return shortest;
    }
  }

  // $1 now, $2 default period ms, $3/$4 tenant overrides, $5 limit, $6 now - shortest period (an
  // index range bound: nothing finished later can be due).
  private static final String DUE =
      " LEFT JOIN unnest($3::text[], $4::bigint[]) AS o(tenant, ms) ON o.tenant = x.tenant_id"
          + " WHERE x.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND x.completed_at < $6"
          + " AND x.completed_at < $1 - COALESCE(o.ms, $2) * interval '1 millisecond'";

  // A workflow goes only once its children are gone: parent links never dangle, and a parent
  // outlives every descendant still running.
  private static final String DELETE_WORKFLOWS =
      "WITH doomed AS (SELECT x.id FROM workflow_executions x"
          + DUE
          + " AND NOT EXISTS (SELECT 1 FROM workflow_executions c"
          + " WHERE c.parent_workflow_execution_id = x.id)"
          // a task a worker still runs (its workflow ended without awaiting it) is left to end
          + " AND NOT EXISTS (SELECT 1 FROM task_executions r"
          + " WHERE r.workflow_execution_id = x.id AND r.status = 'RUNNING')"
          + " ORDER BY x.completed_at LIMIT $5 FOR UPDATE OF x SKIP LOCKED),"
          + " doomed_tasks AS (SELECT t.id FROM task_executions t JOIN doomed d"
          + " ON t.workflow_execution_id = d.id),"
          + " attempts AS (DELETE FROM task_attempts a USING doomed_tasks d"
          + " WHERE a.task_execution_id = d.id RETURNING 1),"
          + " tasks AS (DELETE FROM task_executions t USING doomed_tasks d WHERE t.id = d.id"
          + " RETURNING 1),"
          + " events AS (DELETE FROM workflow_events e USING doomed d"
          + " WHERE e.workflow_execution_id = d.id RETURNING 1),"
          + " timers AS (DELETE FROM timers x USING doomed d WHERE x.workflow_execution_id = d.id"
          + " RETURNING 1),"
          + " promises AS (DELETE FROM promises x USING doomed d"
          + " WHERE x.workflow_execution_id = d.id RETURNING 1),"
          + " state AS (DELETE FROM workflow_state x USING doomed d"
          + " WHERE x.workflow_execution_id = d.id RETURNING 1),"
          + " workflows AS (DELETE FROM workflow_executions w USING doomed d WHERE w.id = d.id"
          + " RETURNING 1),"
          // a key that outlived its workflow or task would name something that is gone
          + " keys AS (DELETE FROM idempotency_keys k WHERE k.target_id IN"
          + " (SELECT id FROM doomed UNION ALL SELECT id FROM doomed_tasks) RETURNING 1)"
          + " SELECT (SELECT count(*) FROM workflows) AS workflow_executions,"
          + " (SELECT count(*) FROM events) AS workflow_events,"
          + " (SELECT count(*) FROM tasks) AS task_executions,"
          + " (SELECT count(*) FROM attempts) AS task_attempts,"
          + " (SELECT count(*) FROM timers) AS timers,"
          + " (SELECT count(*) FROM promises) AS promises,"
          + " (SELECT count(*) FROM state) AS workflow_state,"
          + " (SELECT count(*) FROM keys) AS idempotency_keys";

  private static final String DELETE_STANDALONE_TASKS =
      "WITH doomed AS (SELECT x.id FROM task_executions x"
          + DUE
          + " AND x.workflow_execution_id IS NULL"
          + " ORDER BY x.completed_at LIMIT $5 FOR UPDATE OF x SKIP LOCKED),"
          + " attempts AS (DELETE FROM task_attempts a USING doomed d"
          + " WHERE a.task_execution_id = d.id RETURNING 1),"
          + " tasks AS (DELETE FROM task_executions t USING doomed d WHERE t.id = d.id"
          + " RETURNING 1),"
          + " keys AS (DELETE FROM idempotency_keys k USING doomed d WHERE k.target_id = d.id"
          + " RETURNING 1)"
          + " SELECT (SELECT count(*) FROM tasks) AS task_executions,"
          + " (SELECT count(*) FROM attempts) AS task_attempts,"
          + " (SELECT count(*) FROM keys) AS idempotency_keys";

  private static final String DELETE_IDEMPOTENCY_KEYS =
      "WITH doomed AS (SELECT tenant_id, scope, idempotency_key FROM idempotency_keys"
          + " WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
          + " DELETE FROM idempotency_keys k USING doomed d WHERE k.tenant_id = d.tenant_id"
          + " AND k.scope = d.scope AND k.idempotency_key = d.idempotency_key";

  // Registrations of worker processes unseen for the default period: every restart registers anew.
  private static final String DELETE_WORKERS =
      "WITH doomed AS (SELECT id FROM workers"
          + " WHERE last_seen_at < $1 - $2 * interval '1 millisecond'"
          + " ORDER BY last_seen_at LIMIT $3 FOR UPDATE SKIP LOCKED)"
          + " DELETE FROM workers w USING doomed d WHERE w.id = d.id";

  private static final String[] WORKFLOW_TABLES = {
    "workflow_executions",
    "workflow_events",
    "task_executions",
    "task_attempts",
    "timers",
    "promises",
    "workflow_state",
    "idempotency_keys"
  };

  private static final String[] TASK_TABLES = {
    "task_executions", "task_attempts", "idempotency_keys"
  };

  private final Connection connection;

  RetentionStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Deletes at most {@code limit} finished workflows past their period (and everything of theirs);
   * emits the rows deleted per table, the workflows under {@code workflow_executions}.
   */
  public Mono<Map<String, Long>> deleteWorkflows(Instant now, Periods periods, int limit) {
    return due(DELETE_WORKFLOWS, WORKFLOW_TABLES, now, periods, limit);
  }

  /** Deletes at most {@code limit} finished standalone tasks past their period. */
  public Mono<Map<String, Long>> deleteStandaloneTasks(Instant now, Periods periods, int limit) {
    return due(DELETE_STANDALONE_TASKS, TASK_TABLES, now, periods, limit);
  }

  /** Deletes at most {@code limit} idempotency keys expired at {@code now}. */
  public Mono<Map<String, Long>> deleteIdempotencyKeys(Instant now, int limit) {
    return Sql.update(connection, DELETE_IDEMPOTENCY_KEYS, SweepStore.at(now), limit)
        .map(count -> Map.of("idempotency_keys", count));
  }

  /** Deletes at most {@code limit} worker registrations not seen for the default period. */
  public Mono<Map<String, Long>> deleteWorkers(Instant now, Periods periods, int limit) {
    return Sql.update(connection, DELETE_WORKERS, SweepStore.at(now), periods.defaultMs(), limit)
        .map(count -> Map.of("workers", count));
  }

  private Mono<Map<String, Long>> due(
      String sql, String[] tables, Instant now, Periods periods, int limit) {
    return Sql.query(
            connection,
            sql,
            row -> counts(row, tables),
            SweepStore.at(now),
            periods.defaultMs(),
            periods.tenants(),
            periods.tenantMs(),
            limit,
            SweepStore.at(now.minusMillis(periods.shortestMs())))
        .next();
  }

  private static Map<String, Long> counts(Readable row, String[] tables) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : tables) {
      counts.put(table, row.get(table, Long.class));
    }
    return counts;
  }
}
