package ai.flovyn.dispatch.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server run by this process from the binaries on the classpath, keeping its data in a
 * directory so that a restart finds what was acknowledged before.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "dispatch";
  static final String USER = "postgres";

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL over {@code dataDir/postgres} (initialising it on first use) and makes sure
   * the {@value #DATABASE} database exists.
   */
  static EmbeddedDatabase start(Path dataDir) {
    Path pgData = dataDir.toAbsolutePath().resolve("postgres");
    EmbeddedPostgres postgres;
    try {
      Files.createDirectories(pgData);
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgData)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "200")
              // the library's own hook would stop PostgreSQL on SIGTERM at the same time as the
              // server's hook closes the server, cutting connections still in use: the server
              // stops it itself, last (DispatchServer's shutdown hook)
              .setRegisterShutdownHook(false)
              .start();
    } catch (IOException | RuntimeException e) {
      throw new StartupException(
          "cannot start the embedded PostgreSQL in "
              + pgData
              + " ("
              + rootMessage(e)
              + "): check DISPATCH_DATA_DIR, or set DISPATCH_DB_URL to use a PostgreSQL server",
          e);
    }
    EmbeddedDatabase database = new EmbeddedDatabase(postgres);
    database.createDatabaseIfMissing();
    return database;
  }

  /** The JDBC URL of the dispatch database. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
  }

  private void createDatabaseIfMissing() {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rows.next()) {
          return;
        }
      }
      statement.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new StartupException("cannot create the embedded database: " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot stop the embedded PostgreSQL", e);
    }
  }
}
