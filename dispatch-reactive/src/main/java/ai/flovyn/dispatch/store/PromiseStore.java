package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Settling promises by their global id. */
public final class PromiseStore {
  /** A promise as it is. */
  public record PromiseRow(
      String id, UUID workflowId, String name, String status, byte[] value, String error) {}

  private static final String SETTLE =
      "UPDATE promises SET status = $2, value = decode($3, 'base64'), error = $4,"
          + " settled_at = now() WHERE id = $1 AND status = 'PENDING'"
          + " RETURNING id, workflow_execution_id, name, status, value, error";

  private static final String FIND =
      "SELECT id, workflow_execution_id, name, status, value, error FROM promises WHERE id = $1";

  private final Connection connection;

  PromiseStore(Connection connection) {
    this.connection = connection;
  }

  /** Settles a PENDING promise as RESOLVED or REJECTED; empty if it is not PENDING. */
  public Mono<PromiseRow> settle(String id, String status, byte[] value, String error) {
    return Sql.query(
            connection,
            SETTLE,
            PromiseStore::toRow,
            id,
            status,
            Sql.text(Sql.base64(value)),
            Sql.text(error))
        .next();
  }

  /** The promise as it is; empty if there is none. */
  public Mono<PromiseRow> find(String id) {
    return Sql.query(connection, FIND, PromiseStore::toRow, id).next();
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
