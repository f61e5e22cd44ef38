package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.AccessToken;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.TokenRole;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL over {@code access_tokens}. Creating and revoking a token each notify {@value #CHANNEL} in
 * the same statement, so every server instance reloads its token snapshot once the change has
 * committed.
 */
public final class TokenStore {
  /** The LISTEN/NOTIFY channel announcing token changes to every instance. */
  public static final String CHANNEL = "dispatch_tokens";

  private static final String COLUMNS =
      "id, lookup_id, tenant_id, role, name, created_at, revoked_at";

  // one statement: the row and its notification commit together
  private static final String INSERT =
      "WITH created AS (INSERT INTO access_tokens"
          + " (id, lookup_id, secret_hash, tenant_id, role, name)"
          + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING "
          + COLUMNS
          + ") SELECT "
          + COLUMNS
          + ", pg_notify('"
          + CHANNEL
          + "', lookup_id) FROM created";

  private static final String REVOKE =
      "WITH revoked AS (UPDATE access_tokens SET revoked_at = now()"
          + " WHERE lookup_id = $1 AND revoked_at IS NULL RETURNING "
          + COLUMNS
          + ") SELECT "
          + COLUMNS
          + ", pg_notify('"
          + CHANNEL
          + "', lookup_id) FROM revoked";

  private static final String LIST =
      "SELECT " + COLUMNS + " FROM access_tokens ORDER BY tenant_id, created_at, lookup_id";

  private static final String LIST_TENANT =
      "SELECT "
          + COLUMNS
          + " FROM access_tokens WHERE tenant_id = $1 ORDER BY created_at, lookup_id";

  private static final String FIND =
      "SELECT " + COLUMNS + " FROM access_tokens WHERE lookup_id = $1";

  // revoked rows too, so that an audit line can tell a revoked token from an unknown one
  private static final String SNAPSHOT =
      "SELECT lookup_id, secret_hash, tenant_id, role, revoked_at IS NOT NULL AS revoked"
          + " FROM access_tokens";

  // the slug names one tenant: setting another tenant's slug is refused by its UNIQUE constraint
  private static final String SET_SLUG =
      "WITH saved AS (INSERT INTO tenant_slugs (tenant_id, slug) VALUES ($1, $2)"
          + " ON CONFLICT (tenant_id) DO UPDATE SET slug = EXCLUDED.slug"
          + " RETURNING tenant_id, slug)"
          + " SELECT tenant_id, slug, pg_notify('"
          + CHANNEL
          + "', '') FROM saved";

  private static final String SLUGS = "SELECT tenant_id, slug FROM tenant_slugs ORDER BY tenant_id";

  private static final String UNIQUE_VIOLATION = "23505";

  /** A token as the authentication snapshot needs it: hash, tenant, role, whether revoked. */
  public record StoredToken(
      String lookupId, byte[] secretHash, String tenantId, TokenRole role, boolean revoked) {}

  private final ConnectionFactory connections;

  public TokenStore(ConnectionFactory connections) {
    this.connections = connections;
  }

  /** Stores a new active token; emits it as stored. */
  public Mono<AccessToken> insert(
      UUID id, String lookupId, byte[] secretHash, String tenantId, TokenRole role, String name) {
    return run(connection ->
            Sql.query(
                connection,
                INSERT,
                TokenStore::toToken,
                id,
                lookupId,
                ByteBuffer.wrap(secretHash),
                tenantId,
                role.wireName(),
                name))
        .next();
  }

  /** Revokes the active token {@code lookupId}; emits it, or empty when none is active. */
  public Mono<AccessToken> revoke(String lookupId) {
    return run(connection -> Sql.query(connection, REVOKE, TokenStore::toToken, lookupId)).next();
  }

  /** The token {@code lookupId}, active or revoked, or empty. */
  public Mono<AccessToken> find(String lookupId) {
    return run(connection -> Sql.query(connection, FIND, TokenStore::toToken, lookupId)).next();
  }

  /** Every token (active and revoked), by tenant and age; of one tenant when it is not null. */
  public Flux<AccessToken> list(String tenantId) {
    return run(
        connection ->
            tenantId == null
                ? Sql.query(connection, LIST, TokenStore::toToken)
                : Sql.query(connection, LIST_TENANT, TokenStore::toToken, tenantId));
  }

  /** Every token with its hash: the rows of one authentication snapshot. */
  public Flux<StoredToken> snapshot() {
    return run(connection -> Sql.query(connection, SNAPSHOT, TokenStore::toStored));
  }

  /** The organization slug of a tenant. */
  public record TenantSlug(String tenantId, String slug) {}

  /**
   * Gives {@code tenantId} the slug {@code slug} (replacing its former one) and announces it on
   * {@value #CHANNEL}; errors with FAILED_PRECONDITION when the slug names another tenant.
   */
  public Mono<TenantSlug> setSlug(String tenantId, String slug) {
    return Flux.usingWhen(
            connections.create(),
            connection -> Sql.query(connection, SET_SLUG, TokenStore::toSlug, tenantId, slug),
            Connection::close)
        .onErrorMap(
            error ->
                error instanceof R2dbcException r2dbc
                    && UNIQUE_VIOLATION.equals(r2dbc.getSqlState()),
            error ->
                DispatchException.failedPrecondition(
                    "slug '" + slug + "' already names another tenant"))
        .onErrorMap(error -> !(error instanceof DispatchException), StoreErrors::classify)
        .next();
  }

  /** Every tenant's slug: the slug half of the authentication snapshot. */
  public Flux<TenantSlug> slugs() {
    return run(connection -> Sql.query(connection, SLUGS, TokenStore::toSlug));
  }

  private static TenantSlug toSlug(Readable row) {
    return new TenantSlug(row.get("tenant_id", String.class), row.get("slug", String.class));
  }

  private <T> Flux<T> run(Function<Connection, Flux<T>> work) {
    return Flux.usingWhen(connections.create(), work, Connection::close)
        .onErrorMap(StoreErrors::classify);
  }

  private static AccessToken toToken(Readable row) {
    return new AccessToken(
        row.get("id", UUID.class),
        row.get("lookup_id", String.class),
        row.get("tenant_id", String.class),
        role(row),
        row.get("name", String.class),
        ClaimStore.instant(row, "created_at"),
        ClaimStore.instant(row, "revoked_at"));
  }

  private static StoredToken toStored(Readable row) {
    return new StoredToken(
        row.get("lookup_id", String.class),
        Sql.bytes(row, "secret_hash"),
        row.get("tenant_id", String.class),
        role(row),
        Boolean.TRUE.equals(row.get("revoked", Boolean.class)));
  }

  private static TokenRole role(Readable row) {
    String role = row.get("role", String.class);
    return TokenRole.parse(role)
        .orElseThrow(
            () -> new IllegalStateException("unknown token role in the database: " + role));
  }
}
