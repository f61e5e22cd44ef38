package ai.flovyn.dispatch.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs load/pg-ceiling.sh or load/pg-loop-ceiling.sh and reads their {@code ceiling NAME clients=C
 * tasks_per_s=N} lines.
 */
final class PgCeiling {
  private static final Pattern LINE =
      Pattern.compile("^ceiling (\\S+) clients=(\\d+) tasks_per_s=(\\d+(?:\\.\\d+)?)\\s*$");

  /** What PostgreSQL alone achieved for one workload at one client count. */
  record Ceiling(String name, int clients, double tasksPerSecond) {}

  private PgCeiling() {}

  /**
   * The ceilings in {@code output}, one per (name, clients), first one wins; other lines skipped.
   */
  static List<Ceiling> parse(String output) {
    Map<String, Ceiling> ceilings = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      Matcher m = LINE.matcher(line.strip());
      if (m.matches()) {
        Ceiling c =
            new Ceiling(m.group(1), Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3)));
        ceilings.putIfAbsent(c.name() + "@" + c.clients(), c);
      }
    }
    return List.copyOf(ceilings.values());
  }

  /**
   * Runs the script for each client count and collects its ceilings.
   *
   * @throws IOException when the script cannot be started or exits non-zero
   */
  static List<Ceiling> run(
      Path script, int seconds, List<Integer> clients, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    List<Ceiling> all = new ArrayList<>();
    Map<String, Ceiling> seen = new LinkedHashMap<>();
    for (int c : clients) {
      ProcessBuilder builder =
          new ProcessBuilder(
                  "bash", script.toString(), Integer.toString(seconds), Integer.toString(c))
              .redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(seconds * 8L + 120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(script.getFileName() + " did not finish");
      }
      Files.writeString(
          log,
          "$ " + script + " " + seconds + " " + c + "\n" + output,
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      if (process.exitValue() != 0) {
        throw new IOException(
            script.getFileName() + " exited with " + process.exitValue() + ": " + output);
      }
      for (Ceiling ceiling : parse(output)) {
        seen.putIfAbsent(ceiling.name() + "@" + ceiling.clients(), ceiling);
      }
    }
    all.addAll(seen.values());
    return List.copyOf(all);
  }
}
