package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar dispatch-reactive-server.jar tokens ...} as a child JVM with the shipped logging
 * configuration: stdout carries only the command's output, log lines go to stderr.
 */
class TokensMainIT {
  @TempDir Path temp;

  record Outcome(int exitCode, List<String> stdout, List<String> stderr) {}

  @Test
  void createPrintsTwoLinesOnStdoutAndLogsTheAuditLineOnStderr() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Outcome outcome =
          run(
              "tokens",
              "create",
              "--tenant",
              "acme",
              "--role",
              "worker",
              "--db-url=" + db.jdbcUrl(),
              "--db-user=" + db.user());
      assertEquals(0, outcome.exitCode(), outcome.stderr().toString());
      assertEquals(2, outcome.stdout().size(), outcome.stdout().toString());
      String token = outcome.stdout().get(0);
      assertTrue(token.startsWith("fdt_"), token);
      assertTrue(
          outcome.stderr().stream().anyMatch(line -> line.contains("event=token_created")),
          outcome.stderr().toString());
      assertTrue(outcome.stderr().stream().noneMatch(line -> line.contains(token)));
    }
  }

  @Test
  void aMissingCommandEndsWithOneLineAndExitCodeTwo() throws Exception {
    Outcome outcome = run("tokens");
    assertEquals(2, outcome.exitCode());
    assertEquals(
        List.of(
            "dispatch tokens: missing command: create, list, revoke or slug (see: tokens --help)"),
        outcome.stderr());
    assertEquals(List.of(), outcome.stdout());
  }

  private Outcome run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the shipped configuration, not the tests' one
    command.add("-Dlogback.configurationFile=" + DispatchServerMain.LOGBACK_CONFIGURATION);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DispatchServerMain.class.getName());
    command.addAll(List.of(args));
    Path stdout = temp.resolve("stdout.txt");
    Path stderr = temp.resolve("stderr.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tokens did not exit within 60 s for " + List.of(args));
    }
    return new Outcome(process.exitValue(), lines(stdout), lines(stderr));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .toList();
  }
}
