package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.DispatchDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import java.util.Map;

/**
 * Builds the R2DBC connection pool the service runs on from the JDBC-style settings, with the
 * library's {@link DispatchDatabase}.
 */
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
    return settings(jdbcUrl, user, pw).withStartupOptions(startupOptions).connectionFactory();
  }

  /** The library's database settings for a JDBC URL, whose user and password parameters win. */
  static DispatchDatabase settings(String jdbcUrl, String user, String pw) {
    JdbcUrl url = JdbcUrl.parse(jdbcUrl);
    String username = url.params().getOrDefault("user", user);
    String password = url.params().getOrDefault("password", pw);
    return DispatchDatabase.of(
        url.host(),
        url.port(),
        url.database(),
        username == null || username.isEmpty() ? "postgres" : username,
        password);
  }

  /** The library's tuned pool ({@link DispatchDatabase#pool(ConnectionFactory, int)}). */
  static ConnectionPool pool(
      String jdbcUrl, String user, String password, int size, DatabaseTimeouts timeouts) {
    return pool(connectionFactory(jdbcUrl, user, password, timeouts.pooled()), size);
  }

  /** {@link #pool(String, String, String, int, DatabaseTimeouts)} over any connection factory. */
  static ConnectionPool pool(ConnectionFactory connections, int size) {
    return DispatchDatabase.pool(connections, size);
  }

  /** Exposes the pool's use: connections acquired, idle, allocated, and acquires waiting. */
  static void bindMetrics(ConnectionPool pool, MeterRegistry registry) {
    DispatchDatabase.bindMetrics(pool, registry);
  }
}
