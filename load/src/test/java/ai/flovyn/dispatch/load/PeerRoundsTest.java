package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The per-round arithmetic of load/peer-bench.sh: CPU per task, ratios and their medians. */
class PeerRoundsTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValueAndOfAnEvenCountTheMeanOfTheMiddleTwo() {
    ToDoubleFunction<Double> identity = Double::doubleValue;

    assertEquals(2.0, PeerRounds.median(List.of(3.0, 1.0, 2.0), identity));
    assertEquals(2.5, PeerRounds.median(List.of(4.0, 1.0, 3.0, 2.0), identity));
    assertEquals(1.0, PeerRounds.median(List.of(Double.NaN, 1.0), identity));
    assertTrue(Double.isNaN(PeerRounds.median(List.<Double>of(), identity)));
  }

  @Test
  void sideChargesEachProcessItsCpuDividedByTheTasks() {
    PeerRounds.Edge opened = new PeerRounds.Edge(10, 1, 20, 5, null);
    PeerRounds.Edge closed = new PeerRounds.Edge(11, 1.1, 22, 5.5, null);

    PeerRounds.Side side = PeerRounds.Side.of("task-only", 1000, 2, opened, closed, "");

    assertEquals(500, side.tasksPerSecond(), 1e-9);
    assertEquals(1000, side.processMicrosPerTask(), 1e-6);
    assertEquals(100, side.jitMicrosPerTask(), 1e-6);
    assertEquals(2000, side.postgresMicrosPerTask(), 1e-6);
    assertEquals(500, side.driverMicrosPerTask(), 1e-6);
    assertEquals(3000, side.serviceMicrosPerTask(), 1e-6);
    assertNull(side.pg());
  }

  @Test
  void roundRatiosSetOurServerAndPostgresAgainstThePeersJvmAndPostgres() {
    PeerRounds.Round round = new PeerRounds.Round(1, side(1000, 400, 600), side(4000, 100, 150));

    assertEquals(4.0, round.cpuRatio(), 1e-9);
    assertEquals(0.25, round.throughputRatio(), 1e-9);
  }

  @Test
  void seriesQuotesTheMedianOfThePerRoundRatiosNotTheRatioOfMedians() {
    PeerRounds.Series series =
        new PeerRounds.Series(
            "task-only",
            List.of(
                new PeerRounds.Round(1, side(1000, 500, 500), side(2000, 100, 100)),
                new PeerRounds.Round(2, side(1000, 300, 300), side(1000, 100, 200)),
                new PeerRounds.Round(3, side(3000, 800, 800), side(1000, 400, 400))));

    // CPU ratios 5, 2, 2; tasks/s ratios 0.5, 1, 3
    assertEquals(2.0, series.medianCpuRatio(), 1e-9);
    assertEquals(1.0, series.medianThroughputRatio(), 1e-9);
    assertEquals(1000, series.medianOf(PeerRounds.Side::tasksPerSecond, true), 1e-9);
    assertEquals(300, series.medianOf(PeerRounds.Side::serviceMicrosPerTask, false), 1e-9);
  }

  @Test
  void ratioAgainstNothingIsNotANumber() {
    assertTrue(Double.isNaN(PeerRounds.ratio(1, 0)));
    assertTrue(Double.isNaN(PeerRounds.ratio(Double.NaN, 1)));
  }

  static PeerRounds.Side side(double tasksPerSecond, double process, double postgres) {
    return new PeerRounds.Side(
        "x", 1000, 1000 / tasksPerSecond, tasksPerSecond, process, 0, postgres, 0, null, "");
  }
}
