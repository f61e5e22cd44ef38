package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the benchmark's command line sends its report and which ceiling scripts it runs. */
class BenchmarkOptionsTest {

  @Test
  void aFullRunWritesTheCommittedReportInDocs() {
    assertEquals(Path.of("docs"), Benchmark.Options.parse(new String[0]).out());
  }

  @Test
  void aQuickRunWritesUnderLoadTargetSoTheCommittedReportStays() {
    Benchmark.Options options = Benchmark.Options.parse(new String[] {"--quick"});

    assertEquals(Path.of("load/target/bench-quick"), options.out());
    assertEquals(2.0, options.seconds());
  }

  @Test
  void anExplicitOutWinsOverTheQuickDefault() {
    assertEquals(
        Path.of("elsewhere"),
        Benchmark.Options.parse(new String[] {"--out", "elsewhere", "--quick"}).out());
    assertEquals(
        Path.of("docs"), Benchmark.Options.parse(new String[] {"--quick", "--out", "docs"}).out());
  }

  @Test
  void theCeilingScriptsAreTheOnesInThisRepository() {
    Benchmark.Options options = Benchmark.Options.parse(new String[0]);

    assertEquals(Path.of("load/pg-ceiling.sh"), options.pgCeiling());
    assertEquals(Path.of("load/pg-loop-ceiling.sh"), options.pgLoopCeiling());
    // bench.sh runs from the repository root; this test runs in load/
    Path root = Path.of("..");
    assertTrue(Files.isExecutable(root.resolve(options.pgCeiling())), "pg-ceiling.sh is shipped");
    assertTrue(
        Files.isExecutable(root.resolve(options.pgLoopCeiling())), "pg-loop-ceiling.sh is shipped");
  }
}
