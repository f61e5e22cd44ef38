package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Undoes a task claim nobody received (its subscriber cancelled while the claim ran): the task is
 * PENDING again as if never claimed, its attempt not counted.
 */
public final class HandBackStore {
  private static final String HAND_BACK =
      "UPDATE task_executions SET status = 'PENDING', worker_id = NULL,"
          + " execution_count = execution_count - 1, started_at = NULL, last_heartbeat_at = NULL,"
          + " lease_expires_at = NULL, updated_at = now()"
          + " WHERE id = $1 AND status = 'RUNNING' AND worker_id = $2 AND execution_count = $3"
          + " RETURNING tenant_id, queue";

  private final Connection connection;

  HandBackStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Puts the task back to PENDING if it is still the claim {@code (workerId, executionCount)};
   * emits the notification payload that wakes its pollers, empty when the claim moved on.
   */
  public Mono<String> handBack(UUID taskId, String workerId, int executionCount) {
    return Sql.query(
            connection,
            HAND_BACK,
            row ->
                new WorkSignal(
                        WorkSignal.Kind.TASK,
                        row.get("tenant_id", String.class),
                        row.get("queue", String.class))
                    .payload(),
            taskId,
            workerId,
            executionCount)
        .next();
  }
}
