package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's verdict and report. */
class SoakReportTest {

  @Test
  void verdictComparesTheMeanOfTheLastThirdWithTheFirstThird() {
    // 7 samples: thirds of 3 (first 1,000 on average, last 850)
    List<Soak.Sample> samples =
        List.of(
            sample(1, 900),
            sample(2, 1000),
            sample(3, 1100),
            sample(4, 5000),
            sample(5, 800),
            sample(6, 850),
            sample(7, 900));

    Soak.Verdict verdict = Soak.Verdict.of(samples);

    assertEquals(1000, verdict.firstThird(), 1e-9);
    assertEquals(850, verdict.lastThird(), 1e-9);
    assertEquals(0.85, verdict.ratio(), 1e-9);
    assertFalse(verdict.kept());
    assertTrue(Soak.Verdict.of(List.of(sample(1, 100), sample(2, 95), sample(3, 91))).kept());
    assertFalse(Soak.Verdict.of(List.of()).kept());
  }

  @Test
  void reportHasARowPerIntervalWithEachTablesDeadTuplesAndHotShare() {
    Soak.Results results =
        new Soak.Results(
            "2026-12-08T00:00:00Z",
            "load/soak.sh --minutes 1",
            "PostgreSQL 15; autovacuum=on",
            1,
            20,
            List.of("java", "-jar", "server.jar"),
            List.of(sample(1, 700), sample(2, 690), sample(3, 650)),
            "");

    String md = SoakReport.markdown(results);

    assertTrue(
        md.contains(
            "| # | end (s) | tasks/s | workflows/s | server µs/task | PostgreSQL µs/task |"
                + " workflow_executions dead / HOT % |"),
        md);
    assertTrue(md.contains("| 2 | 40 | 690 | 69.0 | 500 | 900 | 1,234 / 90.0 |"), md);
    assertTrue(md.contains("650 ÷ 700 tasks/s = 0.93 (wanted ≥ 0.9): **kept**"), md);
    assertEquals(
        "workflow_executions dead=1234 hot=90%", SoakReport.tablesLine(sample(1, 1).tables()));
  }

  @Test
  void optionsWantAPositiveLength() {
    assertThrows(
        IllegalArgumentException.class, () -> Soak.Options.parse(new String[] {"--minutes", "0"}));
    assertEquals(2, Soak.Options.parse(new String[] {"--minutes", "2"}).minutes());
  }

  private static Soak.Sample sample(int index, double tasksPerSecond) {
    return new Soak.Sample(
        index,
        index * 20.0,
        tasksPerSecond,
        tasksPerSecond / 10,
        500,
        900,
        Map.of(
            "workflow_executions",
            new PgStats.TableFigures("workflow_executions", 0, 100, 90, 0, 1234, 50)));
  }
}
