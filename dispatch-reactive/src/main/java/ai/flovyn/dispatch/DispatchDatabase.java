package ai.flovyn.dispatch;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.migrations.Migrations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ValidationDepth;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One set of database settings that yields everything the pipeline needs: the tuned R2DBC
 * connection factory and pool (TCP_NODELAY, a bounded prepared-statement cache, acquire and idle
 * limits), their {@code dispatch_db_pool_*} metrics, and the schema migrations (run over JDBC, with
 * the URL derived from the same settings).
 *
 * <pre>{@code
 * DispatchDatabase database = DispatchDatabase.fromUrl("r2dbc:postgresql://app:secret@db:5432/app");
 * database.migrate().block();
 * ConnectionPool pool = database.pool(8);
 * }</pre>
 *
 * @param host the PostgreSQL host
 * @param port its port
 * @param database the database name
 * @param user the user name
 * @param password the password, null for none
 * @param startupOptions run-time parameters set on each connection (e.g. {@code statement_timeout})
 */
public record DispatchDatabase(
    String host,
    int port,
    String database,
    String user,
    String password,
    Map<String, String> startupOptions) {

  /** The prepared statements each connection keeps: bounded, the unbounded cache has had races. */
  public static final int STATEMENT_CACHE = 256;

  /** How long a caller waits for a pooled connection before it fails with UNAVAILABLE. */
  public static final Duration MAX_ACQUIRE_TIME = Duration.ofSeconds(10);

  /**
   * Copies {@code startupOptions}; a null map means none.
   *
   * @param host the PostgreSQL host name or address
   * @param port its TCP port, usually 5432
   * @param database the database to connect to; it must exist (the migrations create no database)
   * @param user the user name; null or empty connects as {@code postgres}
   * @param password the password; null or empty sends none (trust or peer authentication)
   * @param startupOptions run-time parameters for each connection, copied; null for none
   */
  public DispatchDatabase {
    startupOptions = startupOptions == null ? Map.of() : Map.copyOf(startupOptions);
  }

  /**
   * The settings of {@code database} on {@code host:port} for {@code user} with {@code password}.
   *
   * @param host the PostgreSQL host name or address
   * @param port its TCP port, usually 5432
   * @param database the database to connect to
   * @param user the user name; null or empty connects as {@code postgres}
   * @param password the password; null or empty sends none
   * @return the settings, with no startup options
   */
  public static DispatchDatabase of(
      String host, int port, String database, String user, String password) {
    return new DispatchDatabase(host, port, database, user, password, Map.of());
  }

  /**
   * The settings an R2DBC URL ({@code r2dbc:postgresql://user:password@host:port/database}) names.
   *
   * @throws IllegalArgumentException when it is not such a URL
   * @param r2dbcUrl the URL; user and port may be left out ({@code postgres}, 5432)
   * @return the settings the URL names, with no startup options (URL query options are not kept)
   */
  public static DispatchDatabase fromUrl(String r2dbcUrl) {
    return from(ConnectionFactoryOptions.parse(r2dbcUrl));
  }

  /**
   * The settings R2DBC options name (host, port (default 5432), database, user (default {@code
   * postgres}), password), so that the pipeline and the migrations read the same configuration.
   *
   * @throws IllegalArgumentException when host or database is missing
   * @param options parsed R2DBC options; only host, port, database, user and password are read
   * @return the settings, with no startup options
   */
  public static DispatchDatabase from(ConnectionFactoryOptions options) {
    Object host = options.getValue(ConnectionFactoryOptions.HOST);
    Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
    if (host == null || database == null) {
      throw new IllegalArgumentException("the R2DBC options must name a host and a database");
    }
    Object port = options.getValue(ConnectionFactoryOptions.PORT);
    Object user = options.getValue(ConnectionFactoryOptions.USER);
    Object password = options.getValue(ConnectionFactoryOptions.PASSWORD);
    return of(
        host.toString(),
        port == null ? 5432 : Integer.parseInt(port.toString()),
        database.toString(),
        user == null ? "postgres" : user.toString(),
        password == null ? null : password.toString());
  }

  /**
   * These settings for another database on the same server.
   *
   * @param value the other database's name
   * @return a copy with only the database changed
   */
  public DispatchDatabase withDatabase(String value) {
    return new DispatchDatabase(host, port, value, user, password, startupOptions);
  }

  /**
   * These settings with run-time parameters set on each connection.
   *
   * @param value parameter names to values (e.g. {@code statement_timeout} to {@code 5s}),
   *     replacing the present ones; null for none
   * @return a copy with only the startup options changed
   */
  public DispatchDatabase withStartupOptions(Map<String, String> value) {
    return new DispatchDatabase(host, port, database, user, password, value);
  }

  /**
   * The JDBC URL of the same database, without credentials (for the migrations).
   *
   * @return {@code jdbc:postgresql://host:port/database}, the database name URL-encoded
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://"
        + host
        + ":"
        + port
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8);
  }

  /**
   * A tuned connection factory of single connections (no pool): TCP_NODELAY, bounded cache.
   *
   * @return a new factory; each {@code create()} opens a new connection (10 s connect timeout)
   */
  public PostgresqlConnectionFactory connectionFactory() {
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host(host)
            .port(port)
            .database(database)
            .username(user == null || user.isEmpty() ? "postgres" : user)
            .applicationName("dispatch-reactive")
            .connectTimeout(Duration.ofSeconds(10))
            // without it Nagle holds back the small messages of the extended query protocol
            .tcpNoDelay(true)
            .preparedStatementCacheQueries(STATEMENT_CACHE)
            .options(startupOptions);
    if (password != null && !password.isEmpty()) {
      builder.password(password);
    }
    return new PostgresqlConnectionFactory(builder.build());
  }

  /**
   * A pool of {@code size} tuned connections; see {@link #pool(ConnectionFactory, int)}. Dispatch
   * takes its LISTEN connection from the factory the pool wraps, so {@code size} is all for calls.
   *
   * @param size the most connections open at once, at least 1
   * @return a new pool of at most {@code size} connections
   * @throws IllegalArgumentException when {@code size} is less than 1
   */
  public ConnectionPool pool(int size) {
    return pool(connectionFactory(), size);
  }

  /**
   * A pool of {@code size} connections of {@code connections}: acquiring waits at most {@link
   * #MAX_ACQUIRE_TIME} (then the call fails with UNAVAILABLE instead of hanging), idle connections
   * close after 10 minutes, every connection after 30, and each acquire checks locally (no round
   * trip) that the connection is still open. Dispose it after closing the {@link Dispatch}.
   *
   * @param connections where the pool opens its connections
   * @param size the most connections open at once, at least 1
   * @return a new pool of at most {@code size} connections
   * @throws IllegalArgumentException when {@code size} is less than 1
   */
  public static ConnectionPool pool(ConnectionFactory connections, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, got " + size);
    }
    ConnectionPoolConfiguration configuration =
        ConnectionPoolConfiguration.builder(connections)
            .name("dispatch")
            .initialSize(Math.min(2, size))
            .maxSize(size)
            .maxAcquireTime(MAX_ACQUIRE_TIME)
            .maxCreateConnectionTime(Duration.ofSeconds(10))
            .maxIdleTime(Duration.ofMinutes(10))
            .maxLifeTime(Duration.ofMinutes(30))
            .validationDepth(ValidationDepth.LOCAL)
            .build();
    return new ConnectionPool(configuration);
  }

  /**
   * Registers the pool's gauges in {@code registry}: {@code dispatch_db_pool_acquired}, {@code
   * _idle}, {@code _allocated} and {@code _pending} (callers waiting for a connection).
   *
   * @param pool the pool to watch; when it offers no metrics, nothing is registered
   * @param registry where the gauges are registered
   */
  public static void bindMetrics(ConnectionPool pool, MeterRegistry registry) {
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

  /**
   * Applies the schema migrations not yet applied (Liquibase, over JDBC, on a bounded-elastic
   * thread; logging through SLF4J); several instances may run it at once. Completes when the schema
   * is up to date; errors with UNAVAILABLE when the database cannot be reached and
   * FAILED_PRECONDITION when a migration fails.
   *
   * @return a Mono completing empty once the schema is current; run it before {@code
   *     Dispatch.Builder.start()}, which checks for the schema
   */
  public Mono<Void> migrate() {
    return Mono.<Void>fromRunnable(() -> Migrations.apply(jdbcUrl(), user, password))
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(DispatchDatabase::migrationFailure);
  }

  private static DispatchException migrationFailure(Throwable error) {
    for (Throwable each = error; each != null; each = each.getCause()) {
      if (each instanceof java.net.ConnectException) {
        return DispatchException.unavailable(
            "cannot connect to the database (connection refused): check host and port", error);
      }
      if (each instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.equals("3D000")) {
          return DispatchException.unavailable(
              "the database does not exist (3D000): check the database name in the settings",
              error);
        }
        if (state.startsWith("28")) {
          return DispatchException.unavailable(
              "the database refused the credentials (" + state + ")", error);
        }
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")) {
          return DispatchException.unavailable("the database is unavailable; retry", error);
        }
      }
    }
    LoggerFactory.getLogger(DispatchDatabase.class).error("the dispatch migrations failed", error);
    return DispatchException.failedPrecondition("the dispatch migrations failed; see the log");
  }

  /** The settings without the password, for logs. */
  @Override
  public String toString() {
    return "DispatchDatabase[" + user + "@" + host + ":" + port + "/" + database + "]";
  }
}
