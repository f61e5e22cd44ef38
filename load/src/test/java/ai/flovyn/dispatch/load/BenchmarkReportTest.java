package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's parsing and rendering, without a server or a database. */
class BenchmarkReportTest {

  @Test
  void pgCeilingLinesAreReadAndEverythingElseIsSkipped() {
    String output =
        """
        some pgbench noise
        ceiling single-task-per-txn clients=1 tasks_per_s=1194
        ceiling single-task-per-txn clients=8 tasks_per_s=6605
        ceiling batch100-set-based clients=8 tasks_per_s=86068.5
        ceiling single-task-per-txn clients=1 tasks_per_s=999
        ceiling broken clients=x tasks_per_s=1
        """;

    List<PgCeiling.Ceiling> ceilings = PgCeiling.parse(output);

    assertEquals(
        List.of(
            new PgCeiling.Ceiling("single-task-per-txn", 1, 1194),
            new PgCeiling.Ceiling("single-task-per-txn", 8, 6605),
            new PgCeiling.Ceiling("batch100-set-based", 8, 86068.5)),
        ceilings);
  }

  @Test
  void heapIsTheSumOfTheHeapPoolsOnly() {
    String metrics =
        """
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 5000000.0
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
        jvm_memory_used_bytes_other{area="heap"} 1
        """;

    assertEquals(
        15_000_000L, PrometheusText.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""));
    assertEquals(-1L, PrometheusText.sum("", "jvm_memory_used_bytes", "area=\"heap\""));
  }

  @Test
  void reportShowsRatiosAgainstCeilingAndSeedAndNaForWhatWasNotMeasured() {
    BenchmarkResults results =
        new BenchmarkResults(
            "2026-01-01T00:00:00Z",
            "load/bench.sh --quick",
            new BenchmarkResults.Machine(
                2, 8L << 30, "Test CPU", "PostgreSQL 15", "Java 17", "Linux"),
            new BenchmarkResults.Settings(
                true, 2, List.of(8), List.of(1, 100), 16, 256, 4, 8, 16, 32, 8),
            List.of("java", "-jar", "server.jar"),
            List.of(
                throughput("service-unary", 1, 8, 500.0),
                ThroughputResult.notAvailable(
                    "service-stream", 1, 8, "StreamWorkflowCommands is UNIMPLEMENTED"),
                throughput("seed-baseline", 1, 8, 250.0),
                throughput("service-unary", 100, 8, 20000.0),
                throughput("service-stream", 100, 8, 40000.0),
                throughput("seed-baseline", 100, 8, 4000.0)),
            List.of(new CpuCost("service-unary", 100, 8, 30.5, 31.25)),
            "98.0",
            List.of(
                new PgCeiling.Ceiling("single-task-per-txn", 8, 5000),
                new PgCeiling.Ceiling("batch100-set-based", 8, 80000)),
            "",
            List.of(),
            "PollWorkflow is UNIMPLEMENTED",
            List.of(),
            "load/pg-loop-ceiling.sh not found: loop ceiling skipped",
            List.of(),
            null,
            new BenchmarkResults.Memory(100L << 20, 300L << 20, 200L << 20, 10),
            List.of());

    String md = BenchmarkReport.markdown(results);

    assertTrue(md.contains("| 1 | 8 | 500 | n/a | 250 | 2.00 | n/a |"), md);
    assertTrue(md.contains("| batch-100 streamed ÷ batch100-set-based ceiling | 8 | 0.50 |"), md);
    assertTrue(md.contains("| batch-1 unary ÷ single-task-per-txn ceiling | 8 | 0.10 |"), md);
    assertTrue(
        md.contains("| service (best of unary/streamed) ÷ seed baseline, batch-100 | 8 | 10.00 |"),
        md);
    assertTrue(md.contains("n/a: PollWorkflow is UNIMPLEMENTED"), md);
    assertTrue(md.contains("| service-unary | 100 | 8 | 30.5 | 31.3 |"), md);
    assertTrue(md.contains("that were HOT (no index writes) over the throughput runs: 98.0 %"), md);
    assertTrue(
        md.contains("service-stream: StreamWorkflowCommands is UNIMPLEMENTED (batch 1 c=8)"), md);
    assertTrue(md.contains("Test CPU"), md);
    assertTrue(BenchmarkReport.json(results).contains("\"tasksPerSecond\" : 40000.0"));
    assertTrue(md.contains("Not measured: load/pg-loop-ceiling.sh not found"), md);
    assertTrue(md.contains("The service: n/a (PollWorkflow is UNIMPLEMENTED)"), md);
    assertTrue(
        md.contains("| task-only loop ÷ loop-one-by-one ceiling, 8 workers | ≥ 0.6 | n/a | n/a |"),
        md);
  }

  @Test
  void claimCountersAreReadByKindAndOutcome() {
    String metrics =
        """
        # TYPE dispatch_claim_statements_total counter
        dispatch_claim_statements_total{kind="task",outcome="claimed"} 90.0
        dispatch_claim_statements_total{kind="task",outcome="empty"} 12.0
        dispatch_claim_statements_total{kind="workflow",outcome="claimed"} 7.0
        """;

    assertEquals(
        90L, PrometheusText.sum(metrics, LoopMeter.CLAIMS, "kind=\"task\"", "outcome=\"claimed\""));
    assertEquals(102L, PrometheusText.sum(metrics, LoopMeter.CLAIMS, "kind=\"task\""));
    assertEquals(
        -1L,
        PrometheusText.sum(metrics, LoopMeter.CLAIMS, "kind=\"workflow\"", "outcome=\"empty\""));
  }

  @Test
  void claimStatementsAreSetAgainstTheItemsHandedOutWhenTheServerCountsThem() {
    // 300 statements (200 took something, 100 found nothing) handed out 1000 tasks
    LoopMeter.Reading opened = new LoopMeter.Reading(0, 0, 0, 0, 0, 0, 0, 0, 0);
    LoopMeter.Reading closed = new LoopMeter.Reading(0, 0, 200, 100, 0, 0, 1000, 0, 0);
    LoopResult loop = LoopMeter.of(LoopResult.TASK_ONLY, 8, 1.0, 1000, opened, closed, "");
    assertEquals(0.3, loop.claimStatementsPerTask(), 1e-9);
  }

  @Test
  void theJitCompilersPartOfTheServersCpuIsReportedPerTask() {
    LoopMeter.Reading opened = new LoopMeter.Reading(1.0, 0, 0, 0, 0, 0, 0, 0, 0.5);
    LoopMeter.Reading closed = new LoopMeter.Reading(2.0, 0, 0, 0, 0, 0, 1000, 0, 0.7);
    LoopResult loop = LoopMeter.of(LoopResult.TASK_ONLY, 8, 1.0, 1000, opened, closed, "");
    assertEquals(1000.0, loop.serverMicrosPerTask(), 1e-6);
    assertEquals(200.0, loop.serverJitMicrosPerTask(), 1e-6);
  }

  @Test
  void loopsAreReportedPerTaskAgainstTheLoopCeilingWithTheirTargets() {
    LoopMeter.Reading opened = new LoopMeter.Reading(10.0, 20.0, 100, 10, 50, 5);
    LoopMeter.Reading closed = new LoopMeter.Reading(10.5, 20.2, 1100, 110, 50, 5);
    LoopResult taskOnly = LoopMeter.of(LoopResult.TASK_ONLY, 8, 2.0, 1000, opened, closed, "");
    assertEquals(500.0, taskOnly.tasksPerSecond(), 1e-9);
    assertEquals(500.0, taskOnly.serverMicrosPerTask(), 1e-6);
    assertEquals(200.0, taskOnly.postgresMicrosPerTask(), 1e-6);
    assertEquals(1.1, taskOnly.claimStatementsPerTask(), 1e-9);
    assertEquals(null, taskOnly.claimStatementsPerWorkflow());
    LoopResult endToEnd =
        new LoopResult(
            LoopResult.END_TO_END, 16, 2.0, 600, 300.0, 350.0, 300.0, 20.0, 900, 600, 90, 60, "");
    BenchmarkResults results =
        new BenchmarkResults(
            "2026-01-01T00:00:00Z",
            "load/bench.sh --quick",
            new BenchmarkResults.Machine(
                2, 8L << 30, "Test CPU", "PostgreSQL 15", "Java 17", "Linux"),
            new BenchmarkResults.Settings(
                true, 2, List.of(8), List.of(1), 16, 256, 4, 8, 16, 32, 8),
            List.of("java", "-jar", "server.jar"),
            List.of(throughput("service-unary", 1, 8, 500.0)),
            List.of(new CpuCost("service-unary", 1, 8, 240.0, 100.0)),
            "",
            List.of(),
            "",
            List.of(),
            "",
            List.of(
                new PgCeiling.Ceiling("loop-one-by-one", 1, 400),
                new PgCeiling.Ceiling("loop-one-by-one", 8, 1000),
                new PgCeiling.Ceiling("loop-batch10", 8, 4000)),
            "",
            List.of(taskOnly, endToEnd),
            null,
            new BenchmarkResults.Memory(100L << 20, 300L << 20, 200L << 20, 10),
            List.of());

    String md = BenchmarkReport.markdown(results);

    assertTrue(md.contains("| loop-batch10 | 8 | 4,000 |"), md);
    assertTrue(
        md.contains("| task-only | 8 | 1000 | 500 | 0.50 | 500 | 0 | 200 | 1.10 | n/a |  |"), md);
    assertTrue(
        md.contains("| end-to-end | 16 | 600 | 300 | 0.30 | 350 | 20 | 300 | 1.50 | 1.50 |  |"),
        md);
    assertTrue(
        md.contains(
            "| task-only loop ÷ loop-one-by-one ceiling, 8 workers | ≥ 0.6 | 0.50 | not met |"),
        md);
    assertTrue(
        md.contains(
            "| end-to-end loop ÷ loop-one-by-one ceiling (8 clients) | ≥ 0.3 | 0.30 | met |"),
        md);
    assertTrue(
        md.contains(
            "| claim statements per task handed out, task-only loop | ≤ 1.2 | 1.10 | met |"),
        md);
    assertTrue(
        md.contains(
            "| claim statements per task handed out, end-to-end loop | ≤ 1.2 | 1.50 | not met |"),
        md);
    assertTrue(
        md.contains("| server CPU per task run, task-only loop (µs) | ≤ 400 | 500 | not met |"),
        md);
    assertTrue(
        md.contains("| server CPU per task run, end-to-end loop (µs) | ≤ 400 | 350 | met |"), md);
    assertTrue(
        md.contains(
            "| server CPU per one-command SubmitWorkflowCommands (µs, c=8) | ≤ 250 | 240 | met |"),
        md);
    assertTrue(
        md.contains("| dispatch p99 at half the maximum load (ms) | < 20 | n/a | n/a |"), md);
    assertTrue(BenchmarkReport.json(results).contains("\"taskClaimStatements\" : 1100"));
  }

  private static ThroughputResult throughput(String system, int batch, int c, double rate) {
    return new ThroughputResult(
        system, batch, c, rate, (long) rate * 2, 10, 2, 1.0, 2.0, Map.of(), "");
  }
}
