package ai.flovyn.dispatch.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one real PostgreSQL server the tests of this JVM share, chosen in this order: the server
 * named by {@code DISPATCH_TEST_DB_URL}, else a Testcontainers container when Docker answers, else
 * an embedded PostgreSQL. Each test class then creates its own database on it.
 */
public final class PostgresServer {
  private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

  /** A JDBC URL of a database on the server from which new databases can be created. */
  record Admin(String jdbcUrl, String user, String password, String source) {}

  private static Admin admin;

  private PostgresServer() {}

  static synchronized Admin admin() {
    if (admin == null) {
      admin = start();
      log.info("tests use PostgreSQL from {}", admin.source());
    }
    return admin;
  }

  private static Admin start() {
    String url = System.getenv("DISPATCH_TEST_DB_URL");
    if (url != null && !url.isBlank()) {
      return new Admin(
          url.trim(),
          System.getenv().getOrDefault("DISPATCH_TEST_DB_USER", "postgres"),
          System.getenv().getOrDefault("DISPATCH_TEST_DB_PASSWORD", ""),
          "DISPATCH_TEST_DB_URL");
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      return new Admin(
          container.getJdbcUrl(),
          container.getUsername(),
          container.getPassword(),
          "Testcontainers");
    }
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
      return new Admin(
          "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
          "postgres",
          "",
          "embedded PostgreSQL");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("cannot stop the embedded PostgreSQL: {}", e.toString());
    }
  }
}
