package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.UUID_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

import io.r2dbc.spi.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL over {@code task_executions}. */
public final class TaskStore {
  // One statement for all tasks, in id order, skipping ids that exist; a short text for the driver
  // to tokenise instead of 840 characters.
  private static final SqlFunction INSERT =
      SqlFunction.of(
          "dispatch_insert_tasks",
          param("p_ids", UUID_ARRAY),
          param("p_tenants", TEXT_ARRAY),
          param("p_workflows", UUID_ARRAY),
          param("p_task_types", TEXT_ARRAY),
          param("p_inputs", TEXT_ARRAY),
          param("p_queues", TEXT_ARRAY),
          param("p_max_retries", INTEGER_ARRAY),
          param("p_timeouts_ms", BIGINT_ARRAY),
          param("p_priorities", INTEGER_ARRAY),
          param("p_traceparents", TEXT_ARRAY),
          param("p_idempotency_keys", TEXT_ARRAY),
          param("p_metadata", TEXT_ARRAY),
          param("p_pools", TEXT_ARRAY));

  private static final String OWNERS =
      "SELECT id, workflow_execution_id, task_type FROM task_executions WHERE id = ANY($1::uuid[])";

  private final Connection connection;

  TaskStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Inserts the tasks in one statement, skipping ids that already exist (or that a concurrent
   * transaction committed first); emits the ids it inserted.
   */
  public Mono<Set<UUID>> insert(List<NewTask> tasks) {
    if (tasks.isEmpty()) {
      return Mono.just(Set.of());
    }
    return Sql.call(
            connection,
            INSERT,
            row -> row.get("id", UUID.class),
            Sql.column(tasks, NewTask::id, UUID[]::new),
            Sql.column(tasks, NewTask::tenantId, String[]::new),
            Sql.column(tasks, NewTask::workflowId, UUID[]::new),
            Sql.column(tasks, NewTask::taskType, String[]::new),
            Sql.column(tasks, task -> Sql.base64(task.input()), String[]::new),
            Sql.column(tasks, NewTask::queue, String[]::new),
            Sql.column(tasks, NewTask::maxRetries, Integer[]::new),
            Sql.column(tasks, NewTask::timeoutMs, Long[]::new),
            Sql.column(tasks, NewTask::prioritySeconds, Integer[]::new),
            Sql.column(tasks, NewTask::traceparent, String[]::new),
            Sql.column(tasks, NewTask::idempotencyKey, String[]::new),
            Sql.column(tasks, NewTask::metadataJson, String[]::new),
            Sql.column(tasks, NewTask::workerPoolId, String[]::new))
        .collect(HashSet::new, Set::add);
  }

  /** Emits the workflow and type of each of the given tasks that exists. */
  public Flux<Owner> owners(UUID[] ids) {
    return Sql.query(
        connection,
        OWNERS,
        row ->
            new Owner(
                row.get("id", UUID.class),
                row.get("workflow_execution_id", UUID.class),
                row.get("task_type", String.class)),
        (Object) ids);
  }
}
