package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.testing.TestDatabase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The real server's authentication mode at startup, as the rule decides it and the log says. */
class AuthStartupIT {
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
  void anExternalDatabaseByDefaultRequiresTokensAndSaysSo() throws Exception {
    try (TestDatabase db = TestDatabase.create();
        DispatchServer server = DispatchServer.start(config(db))) {
      assertEquals(Status.Code.UNAUTHENTICATED, callWithoutToken(server));
      String started = line("serving gRPC");
      assertTrue(started.contains("on 0.0.0.0:" + server.grpcPort()), started);
      assertTrue(started.contains("authentication REQUIRED"), started);
      assertTrue(started.contains("0 active tokens"), started);
    }
  }

  @Test
  void authOffOnANetworkAddressMustBeExplicitAndIsWarnedAbout() throws Exception {
    try (TestDatabase db = TestDatabase.create();
        DispatchServer server =
            DispatchServer.start(config(db, "--auth=off", "--grpc-host=0.0.0.0"))) {
      assertNotEquals(Status.Code.UNAUTHENTICATED, callWithoutToken(server));
      assertTrue(line("serving gRPC").contains("authentication OFF (DISPATCH_AUTH=off)"));
      assertTrue(line("authentication is OFF on 0.0.0.0").contains("every tenant"));
    }
  }

  private static ServerConfig config(TestDatabase db, String... flags) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--grpc-port=0",
                "--http-port=0",
                "--db-url=" + db.jdbcUrl(),
                "--db-user=" + db.user()));
    args.addAll(List.of(flags));
    return ServerConfig.from(Map.of(), args.toArray(String[]::new));
  }

  private static Status.Code callWithoutToken(DispatchServer server) throws InterruptedException {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      WorkerLifecycleGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .listWorkers(ListWorkersRequest.newBuilder().setTenantId("acme").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private String line(String containing) {
    return log.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.contains(containing))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no log line with '" + containing + "'"));
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(DispatchServer.class);
  }
}
