package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.migrations.Migrations;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh database of its own for one test class, on the shared real PostgreSQL server, with the
 * real migrations applied; dropped on close. Offers JDBC helpers to assert on rows.
 */
public final class TestDatabase implements AutoCloseable {
  private final PostgresServer.Admin admin;
  private final String name;
  private final String jdbcUrl;
  private ConnectionPool pool;

  private TestDatabase(PostgresServer.Admin admin, String name, String jdbcUrl) {
    this.admin = admin;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
  }

  /** Creates an empty database with the migrations applied. */
  public static TestDatabase create() {
    TestDatabase database = createEmpty();
    Migrations.apply(database.jdbcUrl(), database.user(), database.password());
    return database;
  }

  /** Creates an empty database without the migrations. */
  public static TestDatabase createEmpty() {
    PostgresServer.Admin admin = PostgresServer.admin();
    String name = "dispatch_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection connection = connect(admin.jdbcUrl(), admin);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new TestDatabase(admin, name, withDatabase(admin.jdbcUrl(), name));
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return admin.user();
  }

  public String password() {
    return admin.password();
  }

  /** A pooled R2DBC connection factory on this database (created once, closed with it). */
  public synchronized ConnectionFactory connectionFactory() {
    if (pool == null) {
      pool =
          new ConnectionPool(
              ConnectionPoolConfiguration.builder(connectionFactoryUnpooled())
                  .maxSize(8)
                  .maxAcquireTime(Duration.ofSeconds(10))
                  .build());
    }
    return pool;
  }

  /** A plain R2DBC connection factory (one new connection per create()). */
  public PostgresqlConnectionFactory connectionFactoryUnpooled() {
    return connectionFactoryVia(host(), port());
  }

  /** The host of the PostgreSQL server this database is on. */
  public String host() {
    return URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
  }

  /** The port of the PostgreSQL server this database is on. */
  public int port() {
    int port = URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    return port < 0 ? 5432 : port;
  }

  /**
   * A plain R2DBC connection factory on this database that connects to {@code host:port} (a proxy
   * in front of the server) instead of the server itself.
   */
  public PostgresqlConnectionFactory connectionFactoryVia(String host, int port) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host(host)
            .port(port)
            .database(name)
            .username(queryParam(uri, "user", admin.user()))
            .preparedStatementCacheQueries(64)
            .tcpNoDelay(true);
    String password = queryParam(uri, "password", admin.password());
    if (!password.isEmpty()) {
      builder.password(password);
    }
    return new PostgresqlConnectionFactory(builder.build());
  }

  /** A new JDBC connection to this database, for assertions and setup. */
  public Connection jdbc() throws SQLException {
    return connect(jdbcUrl, admin);
  }

  /** The single long value the query returns (e.g. a count). */
  public long scalar(String sql, Object... args) {
    List<Map<String, Object>> rows = rows(sql, args);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException("expected one value from " + sql + ", got " + rows);
    }
    Object value = rows.get(0).values().iterator().next();
    return ((Number) value).longValue();
  }

  /** Every row of the query as column-name → value maps, in order. */
  public List<Map<String, Object>> rows(String sql, Object... args) {
    try (Connection connection = jdbc();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData meta = result.getMetaData();
        while (result.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= meta.getColumnCount(); c++) {
            row.put(meta.getColumnLabel(c).toLowerCase(Locale.ROOT), result.getObject(c));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  /** Runs one statement (DDL or DML) and returns the update count. */
  public int execute(String sql, Object... args) {
    try (Connection connection = jdbc();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed: " + sql, e);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.disposeLater().block(Duration.ofSeconds(10));
    }
    try (Connection connection = connect(admin.jdbcUrl(), admin);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test database " + name, e);
    }
  }

  private static Connection connect(String url, PostgresServer.Admin admin) throws SQLException {
    Properties props = new Properties();
    if (!url.contains("user=")) {
      props.setProperty("user", admin.user());
    }
    if (!admin.password().isEmpty() && !url.contains("password=")) {
      props.setProperty("password", admin.password());
    }
    return DriverManager.getConnection(url, props);
  }

  static String withDatabase(String jdbcUrl, String database) {
    int start = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
    int query = jdbcUrl.indexOf('?');
    String base =
        start < 0
            ? (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query))
            : jdbcUrl.substring(0, start);
    String params = query < 0 ? "" : jdbcUrl.substring(query);
    return base + "/" + database + params;
  }

  private static String queryParam(URI uri, String key, String fallback) {
    String query = uri.getQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith(key + "=")) {
          return pair.substring(key.length() + 1);
        }
      }
    }
    return fallback == null ? "" : fallback;
  }
}
