package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Settling promises by their global id. */
public final class PromiseStore {
  /** A promise as it is. */
  public record PromiseRow(
      String id, UUID workflowId, String name, String status, byte[] value, String error) {}

  // promises carry no tenant: theirs is their workflow's (tested only for a tenant-limited caller)
  private static final String OF_TENANT_5 =
      " AND ($5::varchar IS NULL OR EXISTS (SELECT 1 FROM workflow_executions w"
          + " WHERE w.id = promises.workflow_execution_id AND w.tenant_id = $5))";

  private static final String OF_TENANT_2 = OF_TENANT_5.replace("$5", "$2");

  private static final String SETTLE =
      "UPDATE promises SET status = $2, value = decode($3, 'base64'), error = $4,"
          + " settled_at = now() WHERE id = $1 AND status = 'PENDING'"
          + OF_TENANT_5
          + " RETURNING id, workflow_execution_id, name, status, value, error";

  private static final String FIND =
      "SELECT id, workflow_execution_id, name, status, value, error FROM promises WHERE id = $1"
          + OF_TENANT_2;

  private final Connection connection;

  PromiseStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Settles a PENDING promise of {@code tenant} (any when null) as RESOLVED or REJECTED; empty if
   * it is not PENDING or not the tenant's.
   */
  public Mono<PromiseRow> settle(
      String tenant, String id, String status, byte[] value, String error) {
    return Sql.query(
            connection,
            SETTLE,
            PromiseStore::toRow,
            id,
            status,
            Sql.text(Sql.base64(value)),
            Sql.text(error),
            Sql.text(tenant))
        .next();
  }

  /** The promise as it is; empty if there is none of {@code tenant} (any when null). */
  public Mono<PromiseRow> find(String tenant, String id) {
    return Sql.query(connection, FIND, PromiseStore::toRow, id, Sql.text(tenant)).next();
  }

  private static PromiseRow toRow(io.r2dbc.spi.Readable row) {
    return new PromiseRow(
        row.get("id", String.class),
        row.get("workflow_execution_id", UUID.class),
        row.get("name", String.class),
        row.get("status", String.class),
        Sql.bytes(row, "value"),
        row.get("error", String.class));
  }
}
