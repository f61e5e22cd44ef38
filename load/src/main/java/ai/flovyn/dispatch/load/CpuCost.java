package ai.flovyn.dispatch.load;

/**
 * CPU spent per created task by the server process and by PostgreSQL during one throughput run,
 * from utime + stime in /proc (NaN where /proc cannot be read).
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

  /**
   * utime + stime of PostgreSQL in seconds: the benchmark's own instance when it runs on one, else
   * every {@code postgres} process (see {@link ProcStat#postgresCpuSeconds()}).
   */
  static double postgresCpuSeconds() {
    return ProcStat.postgresCpuSeconds();
  }
}
