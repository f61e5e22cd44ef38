package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The names read out of PromQL are the metrics only: no functions, labels, ranges or variables. */
class PromQlNamesTest {
  @Test
  void aHistogramQuantileReadsItsBucketsOnly() {
    assertEquals(
        Set.of("dispatch_command_batches_seconds_bucket"),
        PromQlNames.of(
            "histogram_quantile(0.99, sum by (le, method) (rate("
                + "dispatch_command_batches_seconds_bucket{outcome=\"ok\",instance=~\"$instance\"}"
                + "[$__rate_interval])))"));
  }

  @Test
  void bothSidesOfABinaryOperationAreRead() {
    assertEquals(
        Set.of("a_total", "b_total", "up"),
        PromQlNames.of(
            "sum(rate(a_total{status=\"FAILED\"}[10m])) / sum(rate(b_total[10m])) > 0.1\n"
                + "  and on (job) up offset 5m == 1 unless count without (x) (a_total) > 1e3"));
  }

  @Test
  void labelValuesNamesItsMetric() {
    assertEquals(
        Set.of("dispatch_polls_waiting"),
        PromQlNames.of("label_values(dispatch_polls_waiting, instance)"));
  }
}
