package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A clean stop of the server on its embedded PostgreSQL logs nothing at WARN or ERROR, whether
 * closed in-process or by SIGTERM: the pool, the LISTEN connections and the maintenance services
 * let go of their connections before the database stops, so none of them sees its connection cut.
 */
class CleanStopIT {
  @TempDir Path dataDir;

  @Test
  void aCleanStopWithTheEmbeddedDatabaseLogsNoWarningOrError() throws Exception {
    ServerConfig config =
        ServerConfig.from(
            Map.of(), new String[] {"--grpc-port=0", "--http-port=0", "--data-dir=" + dataDir});
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    DispatchServer server = DispatchServer.start(config);
    try {
      use(server);
    } finally {
      logged.start();
      root.addAppender(logged);
      try {
        server.close();
      } finally {
        root.detachAppender(logged);
      }
    }

    List<String> loud =
        logged.list.stream()
            .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
            .map(CleanStopIT::describe)
            .toList();
    assertEquals(List.of(), loud, "logged at WARN or ERROR during the stop");
    assertTrue(
        logged.list.stream()
            .anyMatch(event -> event.getFormattedMessage().equals("dispatch-reactive stopped")),
        "the stop was logged");
  }

  @Test
  void sigtermStopsTheServerBeforeItsEmbeddedDatabase() throws Exception {
    // the process as `java -jar` runs it: SIGTERM runs the JVM's shutdown hooks, and the embedded
    // PostgreSQL must not be stopped by a hook of its own while the server still holds connections
    Path log = dataDir.resolve("server.log");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            DispatchServerMain.class.getName(),
            "--grpc-port=0",
            "--http-port=0",
            "--data-dir=" + dataDir.resolve("data"));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Await.until(() -> read(log).contains(" serving gRPC on "), "the server to serve");
      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server exited: " + read(log));
    } finally {
      process.destroyForcibly();
    }

    String output = read(log);
    List<String> loud =
        output.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
    assertEquals(List.of(), loud, output);
    assertTrue(output.contains("dispatch-reactive stopped"), output);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A workflow started and claimed, and a task poll that comes back empty after a second. */
  private static void use(DispatchServer server) throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows =
          WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      Commands.startClaimed(workflows, start("stopping", "wf"));
      TaskExecutionGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .pollTask(
              PollTaskRequest.newBuilder()
                  .setWorkerId("w")
                  .setTenantId("stopping")
                  .setQueue("tasks")
                  .setTimeoutSeconds(1)
                  .build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String describe(ILoggingEvent event) {
    String thrown =
        event.getThrowableProxy() == null
            ? ""
            : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    return event.getLevel()
        + " "
        + event.getLoggerName()
        + " ["
        + event.getThreadName()
        + "] "
        + event.getFormattedMessage()
        + thrown;
  }
}
