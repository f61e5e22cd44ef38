package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The peer runner against the test PostgreSQL (DISPATCH_TEST_DB_URL): db-scheduler in its own JVM,
 * on a fresh database with its own schema, runs each backlog to the end, once per task.
 */
@Timeout(180)
class DbSchedulerPeerIT {
  private String adminUrl;
  private String user;
  private String database;

  @BeforeEach
  void createDatabase() throws Exception {
    adminUrl = System.getenv("DISPATCH_TEST_DB_URL");
    Assumptions.assumeTrue(
        adminUrl != null && !adminUrl.isBlank(), "DISPATCH_TEST_DB_URL names the test PostgreSQL");
    user = System.getenv().getOrDefault("DISPATCH_TEST_DB_USER", "postgres");
    database = "peer_it_" + Long.toHexString(System.nanoTime());
    execute(adminUrl, "CREATE DATABASE " + database);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    if (database != null) {
      execute(adminUrl, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Test
  void peerRunsEveryScheduledTaskOnceAndLeavesNoRowBehind() throws Exception {
    Path log = Files.createTempFile("peer", ".log");
    try (PeerProcess peer =
        PeerProcess.start(
            System.getProperty("java.class.path"),
            databaseUrl(),
            user,
            8,
            DbSchedulerPeer.LOCK_AND_FETCH,
            true,
            log)) {
      peer.schedule(300);
      PeerProcess.Run first = peer.go();
      peer.schedule(200);
      PeerProcess.Run second = peer.go();

      assertEquals(300, first.executed());
      assertEquals(200, second.executed());
      assertTrue(first.seconds() > 0 && first.tasksPerSecond() > 0);
      // no row left in scheduled_tasks, and 500 task bodies in all: none ran twice
      assertArrayEquals(new long[] {0, 500}, peer.check());
      assertTrue(peer.cpuSeconds() > 0, "the peer's JVM is measured from /proc");
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void defaultFetchStrategyRunsTheBacklogToo() throws Exception {
    Path log = Files.createTempFile("peer", ".log");
    try (PeerProcess peer =
        PeerProcess.start(
            System.getProperty("java.class.path"),
            databaseUrl(),
            user,
            8,
            DbSchedulerPeer.FETCH,
            true,
            log)) {
      peer.schedule(100);

      assertEquals(100, peer.go().executed());
      assertArrayEquals(new long[] {0, 100}, peer.check());
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private String databaseUrl() {
    String base = adminUrl.contains("?") ? adminUrl.substring(0, adminUrl.indexOf('?')) : adminUrl;
    return base.substring(0, base.lastIndexOf('/') + 1) + database;
  }

  private void execute(String url, String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, user, "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
