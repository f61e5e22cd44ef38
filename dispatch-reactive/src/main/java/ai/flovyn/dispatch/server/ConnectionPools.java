package ai.flovyn.dispatch.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;
import java.time.Duration;
import java.util.Map;

/** Builds the R2DBC connection pool the service runs on, from the JDBC-style settings. */
final class ConnectionPools {
  private ConnectionPools() {}

  /** The single-connection factory (no pool) for the LISTEN connection. */
  static PostgresqlConnectionFactory listenFactory(
      String jdbcUrl, String user, String pw, DatabaseTimeouts timeouts) {
    return connectionFactory(jdbcUrl, user, pw, timeouts.listening());
  }

  /** The single-connection factory (no pool) for the given database, with startup parameters. */
  static PostgresqlConnectionFactory connectionFactory(
      String jdbcUrl, String user, String pw, Map<String, String> startupOptions) {
    JdbcUrl url = JdbcUrl.parse(jdbcUrl);
    String username = url.params().getOrDefault("user", user);
    String password = url.params().getOrDefault("password", pw);
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host(url.host())
            .port(url.port())
            .database(url.database())
            .username(username == null || username.isEmpty() ? "postgres" : username)
            .applicationName("dispatch-reactive")
            .connectTimeout(Duration.ofSeconds(10))
            // without it Nagle holds back the small messages of the extended query protocol
            .tcpNoDelay(true)
            // a bounded cache: the unbounded one has had races
            .preparedStatementCacheQueries(256)
            .options(startupOptions);
    if (password != null && !password.isEmpty()) {
      builder.password(password);
    }
    return new PostgresqlConnectionFactory(builder.build());
  }

  /**
   * A pool of {@code size} connections with acquire, idle and lifetime limits and the database's
   * time limits. Each acquire checks that the connection is still open (a local check, no round
   * trip) and evicts it if not; the store's {@code Transactor} retries such evictions, so that
   * after a database restart the first call gets a fresh connection instead of failing once per
   * stale one. Failures to connect are not retried beyond the pool's one retry: during an outage
   * callers hear UNAVAILABLE within the acquire time.
   */
  static ConnectionPool pool(
      String jdbcUrl, String user, String password, int size, DatabaseTimeouts timeouts) {
    return pool(connectionFactory(jdbcUrl, user, password, timeouts.pooled()), size);
  }

  /** {@link #pool(String, String, String, int, DatabaseTimeouts)} over any connection factory. */
  static ConnectionPool pool(ConnectionFactory connections, int size) {
    ConnectionPoolConfiguration configuration =
        ConnectionPoolConfiguration.builder(connections)
            .name("dispatch")
            .initialSize(Math.min(2, size))
            .maxSize(size)
            .maxAcquireTime(Duration.ofSeconds(10))
            .maxCreateConnectionTime(Duration.ofSeconds(10))
            .maxIdleTime(Duration.ofMinutes(10))
            .maxLifeTime(Duration.ofMinutes(30))
            .validationDepth(ValidationDepth.LOCAL)
            .build();
    return new ConnectionPool(configuration);
  }

  /** Exposes the pool's use: connections acquired, idle, allocated, and acquires waiting. */
  static void bindMetrics(ConnectionPool pool, MeterRegistry registry) {
    pool.getMetrics()
        .ifPresent(
            metrics -> {
              Gauge.builder("dispatch_db_pool_acquired", metrics, PoolMetrics::acquiredSize)
                  .description("database connections in use")
                  .register(registry);
              Gauge.builder("dispatch_db_pool_idle", metrics, PoolMetrics::idleSize)
                  .description("database connections idle in the pool")
                  .register(registry);
              Gauge.builder("dispatch_db_pool_allocated", metrics, PoolMetrics::allocatedSize)
                  .description("database connections open")
                  .register(registry);
              Gauge.builder("dispatch_db_pool_pending", metrics, PoolMetrics::pendingAcquireSize)
                  .description("callers waiting for a database connection")
                  .register(registry);
            });
  }
}
