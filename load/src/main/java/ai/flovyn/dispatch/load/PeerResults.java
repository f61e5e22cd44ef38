package ai.flovyn.dispatch.load;

import java.util.List;

/**
 * What one load/peer-bench.sh run measured; written as peer-benchmarks.json and rendered into the
 * db-scheduler section of benchmarks.md by {@link PeerReport}.
 *
 * @param postgresSettings the instance's settings that bear on the numbers, as PostgreSQL reports
 */
public record PeerResults(
    String date,
    String command,
    BenchmarkResults.Machine machine,
    String postgresSettings,
    Settings settings,
    List<String> serverCommand,
    List<String> peerCommand,
    List<PeerRounds.Series> series,
    List<String> notes) {

  /** The knobs of the run. */
  public record Settings(
      boolean quick,
      double seconds,
      int rounds,
      int loopWorkers,
      int tasksPerWorkflow,
      int e2eWorkflowWorkers,
      int e2eTaskWorkers,
      int e2eInFlight,
      int peerThreads,
      String peerPolling,
      int dbPoolSize) {}
}
