package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** SQL over {@code idempotency_keys}: per tenant and scope, each key valid until it expires. */
public final class IdempotencyKeyStore {
  /** The outcome of claiming a key: the id it stands for, and whether this claim created it. */
  public record Claim(UUID targetId, boolean created) {}

  // An expired key is taken over by the new claim; a live one is left alone (no row returned).
  private static final String CLAIM =
      "INSERT INTO idempotency_keys (tenant_id, scope, idempotency_key, target_id, expires_at)"
          + " VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')"
          + " ON CONFLICT (tenant_id, scope, idempotency_key) DO UPDATE"
          + " SET target_id = EXCLUDED.target_id, expires_at = EXCLUDED.expires_at,"
          + " created_at = now() WHERE idempotency_keys.expires_at <= now()"
          + " RETURNING target_id";

  private static final String FIND =
      "SELECT target_id FROM idempotency_keys WHERE tenant_id = $1 AND scope = $2"
          + " AND idempotency_key = $3";

  private static final String REPOINT =
      "UPDATE idempotency_keys SET target_id = $5, expires_at = now() + $6 * interval '1 second',"
          + " created_at = now() WHERE tenant_id = $1 AND scope = $2 AND idempotency_key = $3"
          + " AND target_id = $4";

  private final Connection connection;

  IdempotencyKeyStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Points a live key from {@code fromId} to {@code toId} for a new {@code ttlSeconds}; emits
   * whether it did (false: a concurrent caller moved it first).
   */
  public Mono<Boolean> repoint(
      String tenantId, String scope, String key, UUID fromId, UUID toId, long ttlSeconds) {
    return Sql.update(connection, REPOINT, tenantId, scope, key, fromId, toId, ttlSeconds)
        .map(rows -> rows > 0);
  }

  /**
   * Claims {@code key} for {@code candidateId} for {@code ttlSeconds}; emits the candidate with
   * {@code created = true}, or the id a live claim already holds with {@code created = false}.
   */
  public Mono<Claim> claim(
      String tenantId, String scope, String key, UUID candidateId, long ttlSeconds) {
    return Sql.query(
            connection,
            CLAIM,
            row -> new Claim(row.get("target_id", UUID.class), true),
            tenantId,
            scope,
            key,
            candidateId,
            ttlSeconds)
        .next()
        .switchIfEmpty(
            Sql.query(
                    connection,
                    FIND,
                    row -> new Claim(row.get("target_id", UUID.class), false),
                    tenantId,
                    scope,
                    key)
                .next());
  }
}
