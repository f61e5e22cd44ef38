package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.RegisteredWorker;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL over {@code workers}: registrations and their last-seen times. */
public final class WorkerStore {
  private static final String INSERT =
      "INSERT INTO workers (id, tenant_id, worker_name, worker_version, worker_type, host_name,"
          + " process_id, team_id, workflow_kinds, task_kinds, task_timeouts, agent_kinds)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::text[], $11::jsonb,"
          + " $12::text[])";

  // Heartbeats of the SDK carry no kinds; when one does, it replaces the registered ones.
  private static final String HEARTBEAT =
      "UPDATE workers SET last_seen_at = now(),"
          + " workflow_kinds = CASE WHEN cardinality($2::text[]) > 0 THEN $2::text[]"
          + " ELSE workflow_kinds END,"
          + " task_kinds = CASE WHEN cardinality($3::text[]) > 0 THEN $3::text[]"
          + " ELSE task_kinds END"
          + " WHERE id = $1"
          + Sql.tenantIs("tenant_id", 4)
          + " RETURNING worker_name";

  private static final String LIST =
      "SELECT id, worker_name, worker_version, worker_type, host_name, process_id,"
          + " workflow_kinds, task_kinds, registered_at, last_seen_at FROM workers"
          + " WHERE tenant_id = $1 ORDER BY last_seen_at DESC, id LIMIT $2";

  private final Connection connection;

  WorkerStore(Connection connection) {
    this.connection = connection;
  }

  /** Stores a registration under {@code id}; {@code taskTimeoutsJson} maps kind to seconds. */
  public Mono<Void> register(UUID id, WorkerRegistration worker, String taskTimeoutsJson) {
    return Sql.update(
            connection,
            INSERT,
            id,
            worker.tenantId(),
            worker.workerName(),
            worker.workerVersion(),
            worker.workerType(),
            worker.hostName(),
            worker.processId(),
            Sql.text(worker.teamId()),
            worker.workflowKinds().toArray(String[]::new),
            worker.taskKinds().toArray(String[]::new),
            taskTimeoutsJson,
            worker.agentKinds().toArray(String[]::new))
        .then();
  }

  /**
   * Refreshes the last-seen time (and the kinds, when given) of a registration; emits its worker
   * name, or empty when the id is unknown or not of {@code tenant} (any when null).
   */
  public Mono<String> heartbeat(
      String tenant, UUID id, List<String> workflowKinds, List<String> taskKinds) {
    return Sql.query(
            connection,
            HEARTBEAT,
            row -> row.get("worker_name", String.class),
            id,
            workflowKinds.toArray(String[]::new),
            taskKinds.toArray(String[]::new),
            Sql.text(tenant))
        .next();
  }

  /** The tenant's registrations, most recently seen first, at most {@code limit}. */
  public Flux<RegisteredWorker> list(String tenantId, int limit) {
    return Sql.query(connection, LIST, WorkerStore::toWorker, tenantId, limit);
  }

  private static RegisteredWorker toWorker(Readable row) {
    return new RegisteredWorker(
        row.get("id", UUID.class),
        row.get("worker_name", String.class),
        row.get("worker_version", String.class),
        row.get("worker_type", String.class),
        row.get("host_name", String.class),
        row.get("process_id", String.class),
        List.of(row.get("workflow_kinds", String[].class)),
        List.of(row.get("task_kinds", String[].class)),
        ClaimStore.instant(row, "registered_at"),
        ClaimStore.instant(row, "last_seen_at"));
  }
}
