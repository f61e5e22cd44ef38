package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.load.LoadConfig;
import ai.flovyn.dispatch.load.LoadReport;
import ai.flovyn.dispatch.load.LoadRun;
import ai.flovyn.dispatch.load.Prepare;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A short smoke of the bundled ghz configs, replayed by our load driver against the real server:
 * every call succeeds and the tasks it reports are in the database. No timing is asserted.
 */
class LoadDriverSmokeIT {
  private static final Path GHZ = Path.of("..", "load", "ghz");
  private static TestDatabase db;
  private static DispatchServer server;

  @BeforeAll
  static void prepare() {
    db = TestDatabase.create();
    server = RealServers.start(db);
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      Prepare.Result prepared =
          Prepare.run(channel, 64, 100, new PrintStream(OutputStream.nullOutputStream()));
      assertEquals(64, prepared.workflows());
    } finally {
      channel.shutdownNow();
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    db.close();
  }

  private static LoadReport replay(String config, Duration duration) throws Exception {
    LoadConfig loaded =
        LoadConfig.read(GHZ.resolve(config))
            .withHost("127.0.0.1:" + server.grpcPort())
            .withConcurrency(4)
            .withConnections(1)
            .withDuration(duration);
    return LoadRun.run(loaded);
  }

  @Test
  void unaryBatchesOfTenAllSucceedAndCreateTheirTasks() throws Exception {
    long before = db.scalar("SELECT count(*) FROM task_executions");
    LoadReport report = replay("submit-batch-10.json", Duration.ofSeconds(1));
    assertTrue(report.count() > 0, report.summary());
    assertEquals(Map.of("OK", report.count()), report.statusCodeDistribution(), report.summary());
    assertEquals(report.count() * 10, report.tasks());
    assertEquals(before + report.tasks(), db.scalar("SELECT count(*) FROM task_executions"));
  }

  @Test
  void streamedBatchesAreAllAckedOk() throws Exception {
    LoadReport report = replay("stream-batch-10.json", Duration.ofSeconds(1));
    assertTrue(report.acks() > 0, report.summary());
    assertEquals(Map.of("OK", report.acks()), report.ackCodeDistribution(), report.summary());
  }

  @Test
  void completingThePreparedTasksSucceedsAndIsRepeatable() throws Exception {
    LoadConfig loaded =
        LoadConfig.read(GHZ.resolve("complete-task.json"))
            .withHost("127.0.0.1:" + server.grpcPort())
            .withConcurrency(2)
            .withConnections(1)
            .withTotal(100);
    LoadReport first = LoadRun.run(loaded);
    LoadReport again = LoadRun.run(loaded);
    assertEquals(Map.of("OK", 100L), first.statusCodeDistribution(), first.summary());
    assertEquals(Map.of("OK", 100L), again.statusCodeDistribution(), again.summary());
    assertEquals(
        100,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE status = 'COMPLETED' AND queue = 'bench-complete'"));
  }
}
