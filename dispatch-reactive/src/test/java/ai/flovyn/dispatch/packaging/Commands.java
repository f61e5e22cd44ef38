package ai.flovyn.dispatch.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the commands the packaging tests need (tar, the launcher), each bounded in time. */
final class Commands {
  private Commands() {}

  /** What a finished command printed, stdout and stderr together, and its exit code. */
  record Outcome(int exit, String output) {}

  /** Runs {@code command} to its end (at most {@code seconds}), with {@code env} added. */
  static Outcome run(List<String> command, Map<String, String> env, int seconds)
      throws IOException, InterruptedException {
    Path output = Files.createTempFile("dispatch-packaging", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "not done within " + seconds + " s: " + command + "\n" + read(output));
      }
      return new Outcome(process.exitValue(), read(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Runs {@code command} and fails the test, with what it printed, unless it exits 0. */
  static String check(List<String> command, int seconds) throws IOException, InterruptedException {
    Outcome outcome = run(command, Map.of(), seconds);
    if (outcome.exit() != 0) {
      throw new AssertionError(
          "exit " + outcome.exit() + " from " + command + "\n" + outcome.output());
    }
    return outcome.output();
  }

  /** Unpacks a tar archive (gzipped or not) into {@code into}, as tar itself would. */
  static void untar(Path archive, Path into) throws IOException, InterruptedException {
    Files.createDirectories(into);
    check(
        List.of(
            // Jib's layers carry libarchive's creation time, which GNU tar does not know
            "tar",
            "--warning=no-unknown-keyword",
            "-xf",
            archive.toString(),
            "-C",
            into.toString()),
        300);
  }

  /** The file's text, or what could not be read of it. */
  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
