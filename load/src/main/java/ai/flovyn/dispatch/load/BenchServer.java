package ai.flovyn.dispatch.load;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh database on the benchmark's PostgreSQL with the server jar running on it, for the
 * benchmarks that start one of each (load/peer-bench.sh, load/soak.sh); {@link #close} stops the
 * server and drops the database, and a shutdown hook does the same on Ctrl-C.
 */
final class BenchServer implements AutoCloseable {
  final Pg pg;
  final String database;
  final ServerProcess server;
  final List<ManagedChannel> channels = new ArrayList<>();
  private final Thread onExit;

  /** Where PostgreSQL is: loopback, trust authentication. */
  record Pg(String host, int port, String user) {
    String jdbcUrl(String database) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Runs {@code sql} on {@code database}; returns the first column of the first row, or "". */
    String query(String database, String sql) throws SQLException {
      try (Connection connection =
              DriverManager.getConnection(jdbcUrl(database) + "?user=" + user);
          Statement statement = connection.createStatement()) {
        if (!statement.execute(sql)) {
          return "";
        }
        try (ResultSet rows = statement.getResultSet()) {
          return rows.next() ? String.valueOf(rows.getObject(1)) : "";
        }
      }
    }

    /** {@code name=value, …} of the instance's settings {@code names}, as PostgreSQL shows them. */
    String settings(String... names) throws SQLException {
      return query(
          "postgres",
          "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM"
              + " pg_settings WHERE name IN ('"
              + String.join("', '", names)
              + "')");
    }

    void createDatabase(String database) throws SQLException {
      query("postgres", "CREATE DATABASE " + database);
    }

    void dropDatabase(String database) {
      try {
        query("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      } catch (SQLException e) {
        System.err.println("dropping " + database + " failed: " + e.getMessage());
      }
    }
  }

  private BenchServer(Pg pg, String database, ServerProcess server, Thread onExit) {
    this.pg = pg;
    this.database = database;
    this.server = server;
    this.onExit = onExit;
  }

  /** Creates {@code database}, starts {@code jar} on it and waits until it answers. */
  static BenchServer start(Pg pg, String database, Path jar, int poolSize, Path log)
      throws IOException, SQLException, InterruptedException {
    pg.createDatabase(database);
    ServerProcess server;
    try {
      server =
          ServerProcess.start(
              jar,
              pg.jdbcUrl(database),
              pg.user(),
              poolSize,
              Benchmark.freePort(),
              Benchmark.freePort(),
              log);
    } catch (IOException | RuntimeException e) {
      pg.dropDatabase(database);
      throw e;
    }
    Thread onExit =
        new Thread(
            () -> {
              try {
                server.close();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              pg.dropDatabase(database);
            });
    Runtime.getRuntime().addShutdownHook(onExit);
    BenchServer started = new BenchServer(pg, database, server, onExit);
    try {
      for (int i = 0; i < 2; i++) {
        started.channels.add(Requests.channel(server.host()));
      }
      if (!server.awaitReady(started.channels.get(0), Duration.ofSeconds(120))) {
        throw new IOException("the server did not answer StartWorkflow; see " + log);
      }
    } catch (LoadConfigException e) {
      started.close();
      throw new IOException(
          "cannot reach the server at " + server.host() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException | InterruptedException e) {
      started.close();
      throw e;
    }
    return started;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.close();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
    pg.dropDatabase(database);
  }
}
