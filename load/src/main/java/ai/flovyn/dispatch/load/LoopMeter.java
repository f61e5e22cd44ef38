package ai.flovyn.dispatch.load;

/**
 * Reads the server's and PostgreSQL's CPU time (/proc) and the server's claim statement counters
 * (its /metrics) when a measured window opens and when it closes, and turns the difference into a
 * {@link LoopResult}.
 */
class LoopMeter {
  static final String CLAIMS = "dispatch_claim_statements_total";
  // one claim statement may serve several waiting polls: items are counted on their own
  static final String HANDED_OUT = "dispatch_claims_handed_out_total";

  private final ServerProcess server;
  private volatile Reading opened;
  private volatile Reading closed;

  /**
   * The counters at one moment; -1 for a counter the server does not expose. {@code tasksClaimed}
   * and {@code workflowsClaimed} count claim statements that took something; {@code tasksHandedOut}
   * and {@code workflowsHandedOut} the items handed to polls.
   */
  record Reading(
      double serverSeconds,
      double postgresSeconds,
      long tasksClaimed,
      long taskClaimsEmpty,
      long workflowsClaimed,
      long workflowClaimsEmpty,
      long tasksHandedOut,
      long workflowsHandedOut,
      double compilerSeconds) {

    /** A reading from a server that counts no handed-out items (one item per statement). */
    Reading(
        double serverSeconds,
        double postgresSeconds,
        long tasksClaimed,
        long taskClaimsEmpty,
        long workflowsClaimed,
        long workflowClaimsEmpty) {
      this(
          serverSeconds,
          postgresSeconds,
          tasksClaimed,
          taskClaimsEmpty,
          workflowsClaimed,
          workflowClaimsEmpty,
          -1,
          -1,
          0);
    }

    static Reading now(ServerProcess server) {
      String metrics = server.metricsText();
      return new Reading(
          server.cpuSeconds(),
          CpuCost.postgresCpuSeconds(),
          claims(metrics, "task", "claimed"),
          claims(metrics, "task", "empty"),
          claims(metrics, "workflow", "claimed"),
          claims(metrics, "workflow", "empty"),
          handedOut(metrics, "task"),
          handedOut(metrics, "workflow"),
          server.compilerCpuSeconds());
    }

    private static long claims(String metrics, String kind, String outcome) {
      return PrometheusText.sum(
          metrics, CLAIMS, "kind=\"" + kind + "\"", "outcome=\"" + outcome + "\"");
    }

    private static long handedOut(String metrics, String kind) {
      return PrometheusText.sum(metrics, HANDED_OUT, "kind=\"" + kind + "\"");
    }

    long tasks() {
      return tasksHandedOut < 0 ? tasksClaimed : tasksHandedOut;
    }

    long workflows() {
      return workflowsHandedOut < 0 ? workflowsClaimed : workflowsHandedOut;
    }
  }

  LoopMeter(ServerProcess server) {
    this.server = server;
  }

  /** The measured window starts now. */
  void open() {
    opened = Reading.now(server);
  }

  /** The measured window ends now. */
  void close() {
    closed = Reading.now(server);
  }

  /** What the window cost per task, for {@code tasks} completed in {@code seconds}. */
  LoopResult result(String loop, int workers, double seconds, long tasks, String note) {
    return of(loop, workers, seconds, tasks, opened, closed, note);
  }

  static LoopResult of(
      String loop,
      int workers,
      double seconds,
      long tasks,
      Reading opened,
      Reading closed,
      String note) {
    double perTask = Math.max(1, tasks);
    return new LoopResult(
        loop,
        workers,
        seconds,
        tasks,
        seconds > 0 ? tasks / seconds : 0,
        (closed.serverSeconds() - opened.serverSeconds()) / perTask * 1e6,
        (closed.postgresSeconds() - opened.postgresSeconds()) / perTask * 1e6,
        (closed.compilerSeconds() - opened.compilerSeconds()) / perTask * 1e6,
        sum(
            delta(opened.tasksClaimed(), closed.tasksClaimed()),
            delta(opened.taskClaimsEmpty(), closed.taskClaimsEmpty())),
        delta(opened.tasks(), closed.tasks()),
        sum(
            delta(opened.workflowsClaimed(), closed.workflowsClaimed()),
            delta(opened.workflowClaimsEmpty(), closed.workflowClaimsEmpty())),
        delta(opened.workflows(), closed.workflows()),
        note);
  }

  private static long delta(long before, long after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }

  private static long sum(long a, long b) {
    return a < 0 || b < 0 ? -1 : a + b;
  }
}
