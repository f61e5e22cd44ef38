package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.TaskLogLine;
import io.r2dbc.spi.Connection;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL over {@code task_logs}. The per-task line count lives in {@code task_log_counts}: its upsert
 * locks the task's counter row, so concurrent writers of one task never pass the cap.
 */
public final class TaskLogStore {
  /** What happened to one line. */
  public enum Appended {
    STORED,
    /** The task already holds the most lines allowed. */
    DROPPED
  }

  private static final String APPEND =
      "WITH task AS (SELECT id FROM task_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 5)
          + "), counted AS (INSERT INTO task_log_counts (task_execution_id, lines)"
          + " SELECT id, 1 FROM task ON CONFLICT (task_execution_id)"
          + " DO UPDATE SET lines = task_log_counts.lines + 1 WHERE task_log_counts.lines < $4"
          + " RETURNING task_execution_id),"
          + " line AS (INSERT INTO task_logs (task_execution_id, level, message)"
          + " SELECT task_execution_id, $2, $3 FROM counted RETURNING id)"
          + " SELECT (SELECT count(*) FROM line) AS stored FROM task";

  private static final String LIST =
      "SELECT t.id AS task, l.id, l.level, l.message, l.logged_at FROM task_executions t"
          + " LEFT JOIN LATERAL (SELECT id, level, message, logged_at FROM task_logs"
          + " WHERE task_execution_id = t.id AND id > $2 ORDER BY id LIMIT $3) l ON true"
          + " WHERE t.id = $1"
          + Sql.tenantIs("t.tenant_id", 4)
          + " ORDER BY l.id";

  private final Connection connection;

  TaskLogStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Appends a line unless the task holds {@code maxLines} already; emits what happened, or nothing
   * when the task does not exist or is not of {@code tenant} (any when null).
   */
  public Mono<Appended> append(
      String tenant, UUID taskId, String level, String message, int maxLines) {
    return Sql.query(
            connection,
            APPEND,
            row -> row.get("stored", Long.class) > 0 ? Appended.STORED : Appended.DROPPED,
            taskId,
            level,
            message,
            maxLines,
            Sql.text(tenant))
        .next();
  }

  /**
   * The task's lines after {@code afterId}, oldest first, at most {@code limit}: one element per
   * line (an empty Optional alone when there is none), nothing when the task does not exist or is
   * not of {@code tenant} (any when null).
   */
  public Flux<Optional<TaskLogLine>> list(String tenant, UUID taskId, long afterId, int limit) {
    return Sql.query(
        connection,
        LIST,
        row ->
            Optional.ofNullable(row.get("id", Long.class))
                .map(
                    id ->
                        new TaskLogLine(
                            id,
                            row.get("level", String.class),
                            row.get("message", String.class),
                            ClaimStore.instant(row, "logged_at"))),
        taskId,
        afterId,
        limit,
        Sql.text(tenant));
  }
}
