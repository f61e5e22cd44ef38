package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL over {@code task_state}, the key/value map of a task execution. Every statement also reads
 * the task row, so that "no such task" and "no such key" are told apart in one round trip; a task
 * of a tenant other than the one bound (when one is) is no such task.
 */
public final class TaskStateStore {
  private static final String GET =
      "SELECT t.id, s.value FROM task_executions t LEFT JOIN task_state s"
          + " ON s.task_execution_id = t.id AND s.key = $2 WHERE t.id = $1"
          + Sql.tenantIs("t.tenant_id", 3);

  private static final String SET =
      "INSERT INTO task_state (task_execution_id, key, value)"
          + " SELECT id, $2, decode($3, 'base64') FROM task_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 4)
          + " ON CONFLICT (task_execution_id, key)"
          + " DO UPDATE SET value = EXCLUDED.value, updated_at = now() RETURNING task_execution_id";

  private static final String CLEAR =
      "WITH task AS (SELECT id FROM task_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 3)
          + "), gone AS (DELETE FROM task_state s USING task"
          + " WHERE s.task_execution_id = task.id AND s.key = $2)"
          + " SELECT id FROM task";

  private static final String CLEAR_ALL =
      "WITH task AS (SELECT id FROM task_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 2)
          + "), gone AS (DELETE FROM task_state s USING task"
          + " WHERE s.task_execution_id = task.id)"
          + " SELECT id FROM task";

  private static final String KEYS =
      "SELECT t.id, s.key FROM task_executions t LEFT JOIN task_state s"
          + " ON s.task_execution_id = t.id WHERE t.id = $1"
          + Sql.tenantIs("t.tenant_id", 2);

  private final Connection connection;

  TaskStateStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * The value of {@code key}: emits an empty Optional when the key is absent, and nothing when the
   * task does not exist.
   */
  public Mono<Optional<byte[]>> get(String tenant, UUID taskId, String key) {
    return Sql.query(
            connection,
            GET,
            row ->
                Optional.ofNullable(row.get("value", ByteBuffer.class)).map(TaskStateStore::bytes),
            taskId,
            key,
            Sql.text(tenant))
        .next();
  }

  /** Sets {@code key}; emits true, or nothing when the task does not exist. */
  public Mono<Boolean> set(String tenant, UUID taskId, String key, byte[] value) {
    return Sql.query(connection, SET, row -> true, taskId, key, Sql.base64(value), Sql.text(tenant))
        .next();
  }

  /** Clears {@code key} (absent is fine); emits true, or nothing when the task does not exist. */
  public Mono<Boolean> clear(String tenant, UUID taskId, String key) {
    return Sql.query(connection, CLEAR, row -> true, taskId, key, Sql.text(tenant)).next();
  }

  /** Clears every key; emits true, or nothing when the task does not exist. */
  public Mono<Boolean> clearAll(String tenant, UUID taskId) {
    return Sql.query(connection, CLEAR_ALL, row -> true, taskId, Sql.text(tenant)).next();
  }

  /**
   * One element per key (an empty Optional alone when there is none); nothing when the task does
   * not exist.
   */
  public Flux<Optional<String>> keys(String tenant, UUID taskId) {
    return Sql.query(
        connection,
        KEYS,
        row -> Optional.ofNullable(row.get("key", String.class)),
        taskId,
        Sql.text(tenant));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
