package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.load.BearerToken;
import ai.flovyn.dispatch.load.LoadConfig;
import ai.flovyn.dispatch.load.LoadReport;
import ai.flovyn.dispatch.load.LoadRun;
import ai.flovyn.dispatch.load.Prepare;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load tools against a server that requires tokens: with a token of tenant {@code bench}
 * Prepare and the driver's calls pass; without one every call is UNAUTHENTICATED.
 */
class LoadDriverAuthIT {
  private static final Path GHZ = Path.of("..", "load", "ghz");
  private static TestDatabase db;
  private static DispatchServer server;
  private static BearerToken token;

  @BeforeAll
  static void prepareWithAToken() {
    db = TestDatabase.create();
    String text =
        Tokens.over(db.connectionFactory())
            .create("bench", TokenRole.WORKER, "load tools")
            .block(Duration.ofSeconds(30))
            .text();
    token = BearerToken.of(text);
    server = RealServers.start(db, "--auth=required");
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      Prepare.Result prepared =
          Prepare.run(
              ClientInterceptors.intercept(channel, token),
              64,
              0,
              new PrintStream(OutputStream.nullOutputStream()));
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

  private static LoadConfig submitBatches() throws Exception {
    return LoadConfig.read(GHZ.resolve("submit-batch-10.json"))
        .withHost("127.0.0.1:" + server.grpcPort())
        .withConcurrency(2)
        .withConnections(1)
        .withTotal(20);
  }

  @Test
  void withTheTokenEveryCallPassesAndCreatesItsTasks() throws Exception {
    long before = db.scalar("SELECT count(*) FROM task_executions WHERE tenant_id = 'bench'");
    LoadReport report = LoadRun.run(submitBatches(), Optional.of(token));
    assertEquals(Map.of("OK", 20L), report.statusCodeDistribution(), report.summary());
    assertEquals(
        before + 200, db.scalar("SELECT count(*) FROM task_executions WHERE tenant_id = 'bench'"));
  }

  @Test
  void withoutATokenEveryCallIsUnauthenticatedAndWritesNothing() throws Exception {
    long before = db.scalar("SELECT count(*) FROM task_executions");
    LoadReport report = LoadRun.run(submitBatches(), Optional.empty());
    assertEquals(Map.of("Unauthenticated", 20L), report.statusCodeDistribution(), report.summary());
    assertEquals(before, db.scalar("SELECT count(*) FROM task_executions"));
  }
}
