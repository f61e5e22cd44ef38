package ai.flovyn.dispatch.load;

import java.util.Map;

/**
 * Tasks created per second by one system at one batch size and concurrency.
 *
 * @param system {@code service-unary}, {@code service-stream} or {@code seed-baseline}
 * @param tasksPerSecond null when not measured (see {@code note})
 * @param p50Ms median latency of one batch (call, ack or transaction)
 * @param errors failed batches by status code
 */
public record ThroughputResult(
    String system,
    int batch,
    int concurrency,
    Double tasksPerSecond,
    long tasks,
    long batches,
    double seconds,
    Double p50Ms,
    Double p99Ms,
    Map<String, Long> errors,
    String note) {

  static ThroughputResult notAvailable(String system, int batch, int concurrency, String note) {
    return new ThroughputResult(
        system, batch, concurrency, null, 0, 0, 0, null, null, Map.of(), note);
  }
}
