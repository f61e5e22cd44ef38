package ai.flovyn.dispatch.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The interleaved rounds of load/peer-bench.sh: in each, one of our loops and a db-scheduler
 * backlog run right after it on the same PostgreSQL, and the ratios between the two; the report
 * quotes the medians of the per-round ratios, which hold up against a machine whose speed drifts
 * between rounds better than a ratio of averages does.
 */
final class PeerRounds {
  static final String PEER = "db-scheduler";

  private PeerRounds() {}

  /** CPU of each process and PostgreSQL's counters at one edge of a measured window. */
  record Edge(
      double processSeconds,
      double jitSeconds,
      double postgresSeconds,
      double driverSeconds,
      PgStats.Snapshot stats) {}

  /**
   * One measured window of one side.
   *
   * @param system {@code task-only} or {@code end-to-end} (ours), or {@link #PEER}
   * @param processMicrosPerTask our server's or the peer JVM's CPU per task
   * @param jitMicrosPerTask of that, what its JIT compiler threads took
   * @param postgresMicrosPerTask PostgreSQL's CPU per task (all its processes)
   * @param driverMicrosPerTask the load driver's (this JVM's) CPU per task
   * @param pg statements, rows and WAL per task, and the tables' activity
   */
  record Side(
      String system,
      long tasks,
      double seconds,
      double tasksPerSecond,
      double processMicrosPerTask,
      double jitMicrosPerTask,
      double postgresMicrosPerTask,
      double driverMicrosPerTask,
      PgStats.Figures pg,
      String note) {

    static Side of(
        String system, long tasks, double seconds, Edge opened, Edge closed, String note) {
      double perTask = Math.max(1, tasks) / 1e6;
      return new Side(
          system,
          tasks,
          seconds,
          seconds > 0 ? tasks / seconds : 0,
          (closed.processSeconds() - opened.processSeconds()) / perTask,
          (closed.jitSeconds() - opened.jitSeconds()) / perTask,
          (closed.postgresSeconds() - opened.postgresSeconds()) / perTask,
          (closed.driverSeconds() - opened.driverSeconds()) / perTask,
          opened.stats() == null || closed.stats() == null
              ? null
              : PgStats.Figures.between(opened.stats(), closed.stats(), tasks),
          note);
    }

    /** The service's CPU per task as the comparison counts it: the process and PostgreSQL. */
    double serviceMicrosPerTask() {
      return processMicrosPerTask + postgresMicrosPerTask;
    }
  }

  /** One A/B pair: our loop, then the peer's backlog right after it. */
  record Round(int round, Side ours, Side peer) {

    /** (our server + PostgreSQL) ÷ (the peer's JVM + PostgreSQL), CPU per task. */
    double cpuRatio() {
      return ratio(ours.serviceMicrosPerTask(), peer.serviceMicrosPerTask());
    }

    /** Our tasks/s ÷ the peer's. */
    double throughputRatio() {
      return ratio(ours.tasksPerSecond(), peer.tasksPerSecond());
    }
  }

  /** The rounds of one of our loops against the peer, with the medians of their ratios. */
  record Series(String loop, List<Round> rounds) {
    double medianCpuRatio() {
      return median(rounds, Round::cpuRatio);
    }

    double medianThroughputRatio() {
      return median(rounds, Round::throughputRatio);
    }

    double medianOf(ToDoubleFunction<Side> value, boolean ours) {
      return PeerRounds.median(rounds, r -> value.applyAsDouble(ours ? r.ours() : r.peer()));
    }
  }

  static double ratio(double numerator, double denominator) {
    return denominator > 0 && !Double.isNaN(numerator) ? numerator / denominator : Double.NaN;
  }

  /** The median of the values that are numbers (NaN when none is): mean of the middle two. */
  static <T> double median(List<T> items, ToDoubleFunction<T> value) {
    List<Double> values = new ArrayList<>();
    for (T item : items) {
      double v = value.applyAsDouble(item);
      if (!Double.isNaN(v)) {
        values.add(v);
      }
    }
    if (values.isEmpty()) {
      return Double.NaN;
    }
    values.sort(Double::compare);
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }
}
