package ai.flovyn.dispatch.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU spent per created task by the server process and by all PostgreSQL processes during one
 * throughput run, from utime + stime in /proc (NaN where /proc cannot be read).
 */
public record CpuCost(
    String system,
    int batch,
    int concurrency,
    double serverMicrosPerTask,
    double postgresMicrosPerTask) {

  /** A reading taken before a run, to be closed by {@link #of}. */
  record Reading(double serverSeconds, double postgresSeconds) {
    static Reading now(ServerProcess server) {
      return new Reading(server.cpuSeconds(), postgresCpuSeconds());
    }
  }

  /** The cost of {@code result}'s tasks since {@code before}. */
  static CpuCost of(ThroughputResult result, Reading before, ServerProcess server) {
    Reading after = Reading.now(server);
    double tasks = Math.max(1, result.tasks());
    return new CpuCost(
        result.system(),
        result.batch(),
        result.concurrency(),
        (after.serverSeconds() - before.serverSeconds()) / tasks * 1e6,
        (after.postgresSeconds() - before.postgresSeconds()) / tasks * 1e6);
  }

  /** utime + stime of every process whose command is {@code postgres}, in seconds. */
  static double postgresCpuSeconds() {
    long ticks = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        ticks += postgresTicks(process.resolve("stat"));
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return ticks / (double) ServerProcess.CLOCK_TICKS_PER_SECOND;
  }

  private static long postgresTicks(Path stat) {
    try {
      String line = Files.readString(stat);
      int open = line.indexOf('(');
      int close = line.lastIndexOf(')');
      if (!"postgres".equals(line.substring(open + 1, close))) {
        return 0;
      }
      String[] fields = line.substring(close + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0; // the process ended meanwhile
    }
  }
}
