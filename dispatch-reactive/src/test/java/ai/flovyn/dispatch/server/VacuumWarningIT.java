package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.store.StartupCheck;
import ai.flovyn.dispatch.testing.TestDatabase;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The server says at startup when nothing would vacuum the tables the dispatch loop churns: the
 * server-wide setting, and a churned table that opted out on its own.
 */
class VacuumWarningIT {
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void capture() {
    log.start();
    logger().addAppender(log);
  }

  @AfterEach
  void release() {
    logger().detachAppender(log);
  }

  @Test
  void theServerWarnsAtStartupWhenPostgresRunsWithoutAutovacuum() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      String setting = (String) db.rows("SHOW autovacuum").get(0).get("autovacuum");
      try (DispatchServer server = DispatchServer.start(config(db))) {
        List<String> warnings = warnings("autovacuum = ");
        if (setting.equals("off")) {
          // the CI PostgreSQL runs like this
          assertEquals(1, warnings.size(), log.list.toString());
          String warning = warnings.get(0);
          assertTrue(warning.contains("autovacuum = off"), warning);
          assertTrue(warning.contains("task_executions"), warning);
          assertTrue(warning.contains("slows down"), warning);
        } else {
          assertEquals(List.of(), warnings, "autovacuum is on: nothing to warn about");
        }
      }
    }
  }

  @Test
  void aChurnedTableWithAutovacuumDisabledIsNamed() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      db.execute("ALTER TABLE task_executions SET (autovacuum_enabled = false)");
      StartupCheck.run(db.connectionFactory(), Duration.ofSeconds(30))
          .block(Duration.ofSeconds(30));
      List<String> warnings = warnings("autovacuum is disabled on");
      assertEquals(1, warnings.size(), log.list.toString());
      assertTrue(warnings.get(0).startsWith("autovacuum is disabled on task_executions "));

      log.list.clear();
      db.execute("ALTER TABLE task_executions RESET (autovacuum_enabled)");
      StartupCheck.run(db.connectionFactory(), Duration.ofSeconds(30))
          .block(Duration.ofSeconds(30));
      assertEquals(List.of(), warnings("autovacuum is disabled on"));
    }
  }

  private List<String> warnings(String containing) {
    return log.list.stream()
        .filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.contains(containing))
        .toList();
  }

  private static ServerConfig config(TestDatabase db) {
    return ServerConfig.from(
        Map.of(),
        new String[] {
          "--grpc-port=0", "--http-port=0", "--db-url=" + db.jdbcUrl(), "--db-user=" + db.user()
        });
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(StartupCheck.class);
  }
}
