package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL over {@code task_executions}. */
public final class TaskStore {
  private static final String INSERT =
      "INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input, queue,"
          + " max_retries, timeout_ms, priority_seconds, status, traceparent, idempotency_key,"
          + " metadata, worker_pool_id, order_key, visible_at)"
          + " SELECT t.id, t.tenant_id, t.workflow_id, t.task_type, decode(t.input, 'base64'),"
          + " t.queue, t.max_retries, t.timeout_ms, t.priority, 'PENDING', t.traceparent, t.idem,"
          + " COALESCE(t.metadata::jsonb, '{}'::jsonb), t.pool,"
          + " now() - make_interval(secs => t.priority), now()"
          + " FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[],"
          + " $7::int[], $8::bigint[], $9::int[], $10::text[], $11::text[], $12::text[],"
          + " $13::text[]) AS t(id, tenant_id, workflow_id, task_type, input, queue, max_retries,"
          + " timeout_ms, priority, traceparent, idem, metadata, pool)"
          // one lock order for every batch: overlapping concurrent batches cannot deadlock
          + " ORDER BY t.id"
          + " ON CONFLICT (id) DO NOTHING RETURNING id";

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
    int n = tasks.size();
    UUID[] ids = new UUID[n];
    String[] tenants = new String[n];
    UUID[] workflows = new UUID[n];
    String[] types = new String[n];
    String[] inputs = new String[n];
    String[] queues = new String[n];
    Integer[] retries = new Integer[n];
    Long[] timeouts = new Long[n];
    Integer[] priorities = new Integer[n];
    String[] traceparents = new String[n];
    String[] keys = new String[n];
    String[] metadata = new String[n];
    String[] pools = new String[n];
    for (int i = 0; i < n; i++) {
      NewTask task = tasks.get(i);
      ids[i] = task.id();
      tenants[i] = task.tenantId();
      workflows[i] = task.workflowId();
      types[i] = task.taskType();
      inputs[i] = Sql.base64(task.input());
      queues[i] = task.queue();
      retries[i] = task.maxRetries();
      timeouts[i] = task.timeoutMs();
      priorities[i] = task.prioritySeconds();
      traceparents[i] = task.traceparent();
      keys[i] = task.idempotencyKey();
      metadata[i] = task.metadataJson();
      pools[i] = task.workerPoolId();
    }
    return Sql.query(
            connection,
            INSERT,
            row -> row.get("id", UUID.class),
            ids,
            tenants,
            workflows,
            types,
            inputs,
            queues,
            retries,
            timeouts,
            priorities,
            traceparents,
            keys,
            metadata,
            pools)
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
