package ai.flovyn.dispatch.load;

import java.util.Locale;

/**
 * A backlog of finished workflows older than any retention period, inserted before the measured
 * runs so that the server's retention service deletes it while the load runs; the sampler then
 * reads how fast the rows went from {@code dispatch_retention_rows_deleted_total}.
 */
final class RetentionBacklog {
  /** Rows per backlog workflow: itself, 5 events, 2 tasks, 2 attempts. */
  static final int ROWS_PER_WORKFLOW = 10;

  private RetentionBacklog() {}

  /** The statement that inserts {@code workflows} finished workflows, 30 days old. */
  static String insert(int workflows) {
    return String.format(
        Locale.ROOT,
        "WITH w AS (INSERT INTO workflow_executions (id, tenant_id, kind, queue, status,"
            + " order_key, created_at, updated_at, completed_at, current_sequence)"
            + " SELECT gen_random_uuid(), 'bench-retention', 'old', 'old', 'COMPLETED',"
            + " now() - interval '31 days', now() - interval '31 days', now() - interval '30 days',"
            + " now() - interval '30 days', 5 FROM generate_series(1, %d) RETURNING id),"
            + " e AS (INSERT INTO workflow_events (workflow_execution_id, sequence_number,"
            + " event_type, event_data) SELECT w.id, s, 'TASK_COMPLETED', '{\"output\":1}'"
            + " FROM w, generate_series(1, 5) s RETURNING 1),"
            + " t AS (INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type,"
            + " queue, status, execution_count, order_key, visible_at, created_at, completed_at)"
            + " SELECT gen_random_uuid(), 'bench-retention', w.id, 'old', 'old', 'COMPLETED', 1,"
            + " now(), now(), now() - interval '31 days', now() - interval '30 days'"
            + " FROM w, generate_series(1, 2) RETURNING id),"
            + " a AS (INSERT INTO task_attempts (task_execution_id, attempt, outcome)"
            + " SELECT id, 1, 'COMPLETED' FROM t RETURNING 1)"
            + " SELECT (SELECT count(*) FROM w) + (SELECT count(*) FROM e)"
            + " + (SELECT count(*) FROM t) + (SELECT count(*) FROM a)",
        workflows);
  }

  /** What the sampler saw of the deletions: rows, and the time from the first to the last. */
  record Drain(long rows, double seconds) {
    /** Rows deleted per second while draining; 0 when nothing or too little was seen. */
    double rowsPerSecond() {
      return seconds > 0 ? rows / seconds : 0;
    }

    String note(int workflows) {
      if (rows <= 0) {
        return "retention: no deletions seen (backlog of "
            + workflows
            + " finished workflows not reached while the loop ran)";
      }
      return String.format(
          Locale.ROOT,
          "retention: deleted %d rows of a backlog of %d finished workflows (%d rows) in %.1f s"
              + " while the throughput loop ran: %.0f rows/s (sampled every 0.5 s)",
          rows,
          workflows,
          (long) workflows * ROWS_PER_WORKFLOW,
          seconds,
          rowsPerSecond());
    }
  }
}
