package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PostgreSQL's counters turned into per-task figures for a window. */
class PgStatsTest {

  @Test
  void figuresAreTheWindowsDeltasPerTaskAndOnlyTablesThatChangedAreListed() {
    PgStats.Snapshot opened =
        new PgStats.Snapshot(
            100,
            1000,
            1_000_000,
            Map.of(
                "task_executions", new PgStats.Table(50, 10, 5, 0, 3, 50),
                "idle_table", new PgStats.Table(7, 7, 7, 7, 7, 7)));
    PgStats.Snapshot closed =
        new PgStats.Snapshot(
            400,
            1600,
            1_300_000,
            Map.of(
                "task_executions", new PgStats.Table(150, 210, 155, 0, 40, 150),
                "idle_table", new PgStats.Table(7, 7, 7, 7, 9, 7),
                "workflow_events", new PgStats.Table(100, 0, 0, 0, 0, 100)));

    PgStats.Figures figures = PgStats.Figures.between(opened, closed, 100);

    assertEquals(3.0, figures.statementsPerTask(), 1e-9);
    assertEquals(6.0, figures.rowsPerTask(), 1e-9);
    assertEquals(3000.0, figures.walBytesPerTask(), 1e-9);
    List<PgStats.TableFigures> tables =
        figures.tables().stream().sorted((a, b) -> a.table().compareTo(b.table())).toList();
    assertEquals(
        List.of(
            new PgStats.TableFigures("task_executions", 100, 200, 150, 0, 40, 150),
            new PgStats.TableFigures("workflow_events", 100, 0, 0, 0, 0, 100)),
        tables);
    assertEquals(75.0, tables.get(0).hotPercent(), 1e-9);
    assertTrue(Double.isNaN(tables.get(1).hotPercent()));
  }

  @Test
  void withoutPgStatStatementsStatementsAndRowsAreNotANumberButWalIsCounted() {
    PgStats.Snapshot opened = new PgStats.Snapshot(-1, -1, 0, Map.of());
    PgStats.Snapshot closed = new PgStats.Snapshot(-1, -1, 8192, Map.of());

    PgStats.Figures figures = PgStats.Figures.between(opened, closed, 0);

    assertTrue(Double.isNaN(figures.statementsPerTask()));
    assertTrue(Double.isNaN(figures.rowsPerTask()));
    assertEquals(8192.0, figures.walBytesPerTask(), 1e-9);
  }
}
