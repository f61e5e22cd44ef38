package ai.flovyn.dispatch.load;

import java.util.List;

/**
 * Everything one benchmark run measured, with the machine it ran on; written as
 * docs/benchmarks.json and rendered into docs/benchmarks.md by {@link BenchmarkReport}.
 *
 * @param ceilingNote why the PostgreSQL ceiling is missing, or empty
 * @param endToEndNote why the end-to-end phases are missing, or empty
 * @param cpu CPU per created task of the server and of PostgreSQL, per throughput run
 * @param workflowHotUpdatePercent share of workflow-row updates that were HOT ("" if unknown)
 * @param loopCeilings what pg-loop-ceiling.sh measured for the dispatch loop
 * @param loopCeilingNote why the loop ceiling is missing, or empty
 * @param loops the task-only and end-to-end loops with their CPU and claim statements per task
 * @param idle null when not measured
 */
public record BenchmarkResults(
    String date,
    String command,
    Machine machine,
    Settings settings,
    List<String> serverCommand,
    List<ThroughputResult> throughput,
    List<CpuCost> cpu,
    String workflowHotUpdatePercent,
    List<PgCeiling.Ceiling> ceilings,
    String ceilingNote,
    List<EndToEnd.Phase> endToEnd,
    String endToEndNote,
    List<PgCeiling.Ceiling> loopCeilings,
    String loopCeilingNote,
    List<LoopResult> loops,
    IdlePolls.Result idle,
    Memory memory,
    List<String> notes) {

  /** The machine the numbers came from. */
  public record Machine(
      int nproc,
      long memTotalBytes,
      String cpuModel,
      String postgresVersion,
      String javaVersion,
      String os) {}

  /** The knobs of the run. */
  public record Settings(
      boolean quick,
      double secondsPerRun,
      List<Integer> concurrency,
      List<Integer> batchSizes,
      int dbPoolSize,
      int workflows,
      int streamWindow,
      int e2eWorkflowWorkers,
      int e2eTaskWorkers,
      int e2eInFlight,
      int loopWorkers) {}

  /**
   * The server's memory, sampled about twice a second during the runs.
   *
   * @param maxHeapBytes -1 when the metrics endpoint did not answer
   */
  public record Memory(long maxHeapBytes, long maxRssBytes, long startRssBytes, int samples) {}
}
