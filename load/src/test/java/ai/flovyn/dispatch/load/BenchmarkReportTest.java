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
                true, 2, List.of(8), List.of(1, 100), 16, 256, 4, 8, 16, 32),
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
  }

  private static ThroughputResult throughput(String system, int batch, int c, double rate) {
    return new ThroughputResult(
        system, batch, c, rate, (long) rate * 2, 10, 2, 1.0, 2.0, Map.of(), "");
  }
}
