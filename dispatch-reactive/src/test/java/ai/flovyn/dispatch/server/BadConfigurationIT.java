package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real main class in a child JVM with wrong settings and reads what it prints. */
class BadConfigurationIT {
  @TempDir Path temp;

  record Outcome(int exitCode, List<String> stderrLines) {}

  @Test
  void unknownFlagEndsWithOneLineAndExitCodeTwo() throws Exception {
    Outcome outcome = runMain("--grpc-prot=1");
    assertEquals(2, outcome.exitCode());
    assertEquals(
        List.of(
            "dispatch: configuration error: unknown flag --grpc-prot (see --help for the list)"),
        outcome.stderrLines());
  }

  @Test
  void aServerFlagBeforeAVerbEndsWithOneLineAndExitCodeTwo() throws Exception {
    Outcome outcome = runMain("--db-url=jdbc:postgresql://127.0.0.1:1/x", "tokens", "list");
    assertEquals(2, outcome.exitCode());
    assertEquals(
        List.of("dispatch: configuration error: flags go after the verb: tokens [flags]"),
        outcome.stderrLines());
  }

  @Test
  void malformedValueEndsWithOneLineNamingTheSetting() throws Exception {
    Outcome outcome = runMain("--db-pool-size=lots");
    assertEquals(2, outcome.exitCode());
    assertEquals(1, outcome.stderrLines().size(), outcome.stderrLines().toString());
    assertTrue(outcome.stderrLines().get(0).contains("DISPATCH_DB_POOL_SIZE"));
  }

  @Test
  void unreachableDatabaseEndsWithOneLineSayingWhatToFix() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Outcome outcome =
        runMain("--db-url=jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere", "--grpc-port=0");
    assertEquals(1, outcome.exitCode());
    assertEquals(1, outcome.stderrLines().size(), outcome.stderrLines().toString());
    String line = outcome.stderrLines().get(0);
    assertTrue(line.startsWith("dispatch: cannot start: cannot connect to"), line);
    assertTrue(line.contains("DISPATCH_DB_URL"), line);
  }

  @Test
  void portInUseEndsWithOneLineNamingThePortVariable() throws Exception {
    try (TestDatabase database = TestDatabase.create();
        ServerSocket busy = new ServerSocket(0)) {
      Outcome outcome =
          runMain(
              "--db-url=" + database.jdbcUrl(),
              "--db-user=" + database.user(),
              "--grpc-port=" + busy.getLocalPort(),
              "--http-port=0");
      assertEquals(1, outcome.exitCode());
      assertEquals(
          List.of(
              "dispatch: cannot start: gRPC port "
                  + busy.getLocalPort()
                  + " is already in use: set DISPATCH_GRPC_PORT to a free port"),
          outcome.stderrLines());
    }
  }

  @Test
  void anIllFormedFlovynConfigFileEndsWithOneLineNamingTheVariable() throws Exception {
    Path config = Files.writeString(temp.resolve("config.toml"), "[[orgs]\nid = 1\n");
    Outcome outcome = runMain(Map.of("CONFIG_FILE", config.toString()));
    assertEquals(2, outcome.exitCode());
    assertEquals(1, outcome.stderrLines().size(), outcome.stderrLines().toString());
    String line = outcome.stderrLines().get(0);
    assertTrue(
        line.startsWith(
            "dispatch: configuration error: CONFIG_FILE " + config + " is not valid TOML"),
        line);
  }

  @Test
  void anUnparseableDatabaseUrlEndsWithOneLineNamingTheVariable() throws Exception {
    Outcome outcome = runMain(Map.of("DATABASE_URL", "postgres://flovyn:secret@db:x/flovyn"));
    assertEquals(2, outcome.exitCode());
    assertEquals(
        List.of(
            "dispatch: configuration error: DATABASE_URL has port 'x'; a port is a number from 1"
                + " to 65535"),
        outcome.stderrLines());
  }

  private Outcome runMain(String... args) throws IOException, InterruptedException {
    return runMain(Map.of(), args);
  }

  private Outcome runMain(Map<String, String> environment, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DispatchServerMain.class.getName());
    command.addAll(List.of(args));
    Path stderr = temp.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(temp.resolve("stdout.txt").toFile())
            .redirectError(stderr.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the server did not exit within 60 s for " + List.of(args));
    }
    List<String> lines =
        Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isBlank())
            .toList();
    return new Outcome(process.exitValue(), lines);
  }
}
