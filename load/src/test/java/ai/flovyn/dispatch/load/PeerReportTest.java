package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rendering of load/peer-bench.sh's report and its section of benchmarks.md. */
class PeerReportTest {

  @Test
  void sectionIsAppendedToADocumentWithoutOneAndReplacedInOneThatHasIt() {
    String first = PeerReport.BEGIN + "\nold\n" + PeerReport.END;
    String second = PeerReport.BEGIN + "\nnew\n" + PeerReport.END;

    String appended = PeerReport.insertSection("# Benchmarks\n\ntext\n", first);
    String replaced = PeerReport.insertSection(appended + "\nafter\n", second);

    assertEquals("# Benchmarks\n\ntext\n\n" + first + "\n", appended);
    assertEquals("# Benchmarks\n\ntext\n\n" + second + "\n\nafter\n", replaced);
    assertEquals(second, PeerReport.section(replaced));
    assertEquals("", PeerReport.section("# Benchmarks\n"));
    assertEquals(first + "\n", PeerReport.insertSection("", first));
  }

  @Test
  void markdownQuotesTheMediansEveryRoundAndWhatPostgresDidPerTask() {
    PgStats.Figures pg =
        new PgStats.Figures(
            3.5,
            4.25,
            812,
            List.of(new PgStats.TableFigures("task_executions", 10, 20, 15, 0, 7, 10)));
    PeerRounds.Side ours =
        new PeerRounds.Side("task-only", 9000, 10, 900, 420, 30, 880, 300, pg, "");
    PeerRounds.Side peer =
        new PeerRounds.Side(PeerRounds.PEER, 30000, 8, 3750, 150, 5, 200, 1, null, "");
    PeerResults results =
        new PeerResults(
            "2026-12-08T00:00:00Z",
            "load/peer-bench.sh --quick",
            new BenchmarkResults.Machine(
                2, 8L << 30, "Test CPU", "PostgreSQL 15", "Java 17", "Linux"),
            "fsync=on, synchronous_commit=on",
            new PeerResults.Settings(true, 2, 1, 8, 10, 8, 16, 32, 8, "lock-and-fetch", 16),
            List.of("java", "-jar", "server.jar"),
            List.of("java", "-cp", "load-driver.jar", "ai.flovyn.dispatch.load.DbSchedulerPeer"),
            List.of(
                new PeerRounds.Series("task-only", List.of(new PeerRounds.Round(1, ours, peer)))),
            List.of("a note"));

    String md = PeerReport.markdown(results);

    assertTrue(md.startsWith(PeerReport.BEGIN) && md.endsWith(PeerReport.END), md);
    // medians: 900 vs 3,750 tasks/s (0.24), 1,300 vs 350 µs (3.71)
    assertTrue(md.contains("| task-only | 1 | 900 | 3,750 | 0.24 | 1,300 | 350 | 3.71 |"), md);
    assertTrue(
        md.contains(
            "| task-only | 1 | task-only | 9,000 | 900 | 420 | 30 | 880 | 300 | 3.71 | 0.24 |  |"),
        md);
    assertTrue(md.contains("| task-only | 1 | task-only | 3.50 | 4.25 | 812 |"), md);
    assertTrue(md.contains("| task-only | 1 | db-scheduler | n/a | n/a | n/a |"), md);
    assertTrue(
        md.contains(
            "| task-only | 1 | task-only | task_executions | 10 | 20 | 15 | 75.0 | 0 | 7 |"),
        md);
    assertTrue(md.contains("--quick: a smoke run"), md);
    assertTrue(md.contains("- a note"), md);
    String json = PeerReport.json(results);
    assertTrue(json.contains("\"medians\""), json);
    assertTrue(json.contains("\"cpuRatio\""), json);
  }

  @Test
  void optionsRejectWhatTheyCannotRun() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PeerBench.Options.parse(new String[] {"--loops", "task-only,nonsense"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> PeerBench.Options.parse(new String[] {"--peer-polling", "lock"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> PeerBench.Options.parse(new String[] {"--rounds", "0"}));
    PeerBench.Options quick = PeerBench.Options.parse(new String[] {"--quick"});
    assertEquals(2, quick.seconds());
    assertEquals(Path.of("load/target/bench-quick"), quick.out());
    assertEquals(DbSchedulerPeer.LOCK_AND_FETCH, quick.peerPolling());
  }

  @Test
  void reportedCommandsNameTheJvmAndNotTheClassPath() {
    assertEquals(
        List.of("java", "-Xmx256m", "-cp", "load-driver.jar", "Main"),
        PeerBench.shorten(
            List.of("/usr/lib/jvm/x/bin/java", "-Xmx256m", "-cp", "a.jar:b.jar", "Main")));
  }

  @Test
  void peerRepliesAreAWordAndValues() {
    PeerReply done = PeerReply.parse("done 30000 6.512\n");

    assertEquals("done", done.kind());
    assertEquals(30000, done.number(0));
    assertEquals(6.512, done.number(1));
    assertEquals(
        "stalled after 3 of 5 tasks", PeerReply.parse("error stalled after 3 of 5 tasks").text());
    assertThrows(IllegalArgumentException.class, () -> done.number(2));
    assertThrows(IllegalArgumentException.class, () -> PeerReply.parse("  "));
    assertThrows(
        IllegalArgumentException.class,
        () -> DbSchedulerPeer.Options.parse(new String[] {"--polling", "fetch"}));
    assertEquals(
        Map.of("polling", DbSchedulerPeer.FETCH),
        Map.of(
            "polling",
            DbSchedulerPeer.Options.parse(
                    new String[] {"--jdbc-url", "jdbc:x", "--polling", "fetch"})
                .polling()));
  }
}
