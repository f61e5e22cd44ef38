package ai.flovyn.dispatch.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a script of SQL statements through pgbench, one client, a transaction at a time, and reads
 * each transaction's latency from pgbench's own log: what PostgreSQL alone needs for it.
 */
final class PgBench {
  private final String pgbench;
  private final String host;
  private final String port;
  private final String database;

  PgBench(String pgbench, String host, String port, String database) {
    this.pgbench = pgbench;
    this.host = host;
    this.port = port;
    this.database = database;
  }

  /** Runs {@code sql} {@code warmup} times unmeasured, then {@code calls} times measured. */
  Latencies run(String sql, int warmup, int calls) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("pgbench");
    try {
      Path script = work.resolve("query.sql");
      Files.writeString(script, sql);
      pgbench(work, script, warmup, false);
      pgbench(work, script, calls, true);
      Latencies latencies = new Latencies();
      try (Stream<Path> logs = Files.list(work)) {
        for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("q.")).toList()) {
          for (String line : Files.readAllLines(log)) {
            String[] fields = line.trim().split("\\s+");
            // client_id transaction_no time(us) script_no time_epoch time_us
            latencies.add(Long.parseLong(fields[2]) * 1000);
          }
        }
      }
      return latencies;
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void pgbench(Path work, Path script, int transactions, boolean log)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                pgbench,
                "-n",
                "-h",
                host,
                "-p",
                port,
                "-U",
                "postgres",
                "-c",
                "1",
                "-t",
                String.valueOf(transactions),
                "-f",
                script.toString()));
    if (log) {
      command.addAll(List.of("-l", "--log-prefix=q"));
    }
    command.add(database);
    Process process =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("out.txt").toFile())
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(
          "pgbench failed: " + Files.readString(work.resolve("out.txt")));
    }
  }
}
