package ai.flovyn.dispatch.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a load run, in ghz's terms: latency figures are over the successful calls, rates
 * over the whole run; tasks are the ScheduleTask commands of successful calls (of OK-acked messages
 * on ack streams).
 */
public record LoadReport(
    String name,
    long count,
    long totalNanos,
    long averageNanos,
    long fastestNanos,
    long slowestNanos,
    double rps,
    long tasks,
    double tasksPerSecond,
    List<LatencyPercentile> latencyDistribution,
    List<HistogramBucket> histogram,
    Map<String, Long> statusCodeDistribution,
    Map<String, Long> errorDistribution,
    long acks,
    Map<String, Long> ackCodeDistribution,
    LoadConfig options,
    Instant date) {

  private static final int[] PERCENTAGES = {10, 25, 50, 75, 90, 95, 99};
  private static final int HISTOGRAM_BUCKETS = 10;
  private static final int ERRORS_SHOWN = 10;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The latency under which {@code percentage} % of the successful calls finished. */
  public record LatencyPercentile(int percentage, long latencyNanos) {}

  /** Successful calls with a latency up to {@code markNanos} (above the previous mark). */
  public record HistogramBucket(long markNanos, long count, double frequency) {}

  static LoadReport of(LoadConfig config, Tally tally, long elapsedNanos) {
    long[] latencies = Arrays.copyOf(tally.okLatencies, tally.okCount);
    Arrays.sort(latencies);
    long sum = 0;
    for (long latency : latencies) {
      sum += latency;
    }
    int n = latencies.length;
    double seconds = Math.max(elapsedNanos, 1) / 1e9;
    List<LatencyPercentile> percentiles = new ArrayList<>();
    if (n > 0) {
      for (int percentage : PERCENTAGES) {
        int rank = (int) Math.ceil(percentage / 100.0 * n);
        percentiles.add(new LatencyPercentile(percentage, latencies[Math.max(rank, 1) - 1]));
      }
    }
    return new LoadReport(
        config.name(),
        tally.count,
        elapsedNanos,
        n == 0 ? 0 : sum / n,
        n == 0 ? 0 : latencies[0],
        n == 0 ? 0 : latencies[n - 1],
        tally.count / seconds,
        tally.tasks,
        tally.tasks / seconds,
        List.copyOf(percentiles),
        histogram(latencies),
        byCount(tally.statuses),
        byCount(tally.errors),
        tally.acks,
        byCount(tally.ackCodes),
        config,
        Instant.now());
  }

  /** Calls that ended with OK. */
  public long okCount() {
    return statusCodeDistribution.getOrDefault("OK", 0L);
  }

  /** The ghz-like text summary. */
  public String summary() {
    StringBuilder out = new StringBuilder("\nSummary:\n");
    if (!name.isEmpty()) {
      line(out, "  Name:\t\t%s", name);
    }
    line(out, "  Count:\t%d", count);
    line(out, "  Total:\t%s", human(totalNanos));
    line(out, "  Slowest:\t%s", human(slowestNanos));
    line(out, "  Fastest:\t%s", human(fastestNanos));
    line(out, "  Average:\t%s", human(averageNanos));
    line(out, "  Requests/sec:\t%.2f", rps);
    line(out, "  Tasks:\t%d", tasks);
    line(out, "  Tasks/sec:\t%.2f", tasksPerSecond);
    if (!histogram.isEmpty()) {
      out.append("\nResponse time histogram:\n");
      long max = histogram.stream().mapToLong(HistogramBucket::count).max().orElse(1);
      for (HistogramBucket bucket : histogram) {
        int bar = (int) (bucket.count() * 40 / Math.max(max, 1));
        line(out, "  %.3f [%d]\t|%s", bucket.markNanos() / 1e6, bucket.count(), "∎".repeat(bar));
      }
    }
    if (!latencyDistribution.isEmpty()) {
      out.append("\nLatency distribution:\n");
      for (LatencyPercentile p : latencyDistribution) {
        line(out, "  %d %% in %s ", p.percentage(), human(p.latencyNanos()));
      }
    }
    out.append("\nStatus code distribution:\n");
    statusCodeDistribution.forEach((status, n) -> line(out, "  [%s]\t%d responses", status, n));
    if (acks > 0) {
      out.append("\nAck code distribution:\n");
      ackCodeDistribution.forEach((code, n) -> line(out, "  [%s]\t%d acks", code, n));
    }
    if (!errorDistribution.isEmpty()) {
      out.append("\nError distribution:\n");
      errorDistribution.entrySet().stream()
          .limit(ERRORS_SHOWN)
          .forEach(e -> line(out, "  [%d]\t%s", e.getValue(), e.getKey()));
      if (errorDistribution.size() > ERRORS_SHOWN) {
        line(out, "  … %d more distinct errors", errorDistribution.size() - ERRORS_SHOWN);
      }
    }
    return out.append('\n').toString();
  }

  /** The JSON report written by {@code --json-out}. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("name", name);
    root.put("date", date.toString());
    root.put("count", count);
    root.put("total_ns", totalNanos);
    root.put("average_ns", averageNanos);
    root.put("fastest_ns", fastestNanos);
    root.put("slowest_ns", slowestNanos);
    root.put("rps", rps);
    root.put("tasks", tasks);
    root.put("tasks_per_second", tasksPerSecond);
    ArrayNode percentiles = root.putArray("latency_distribution");
    latencyDistribution.forEach(
        p ->
            percentiles
                .addObject()
                .put("percentage", p.percentage())
                .put("latency_ns", p.latencyNanos()));
    ArrayNode buckets = root.putArray("histogram");
    histogram.forEach(
        b ->
            buckets
                .addObject()
                .put("mark_ns", b.markNanos())
                .put("count", b.count())
                .put("frequency", b.frequency()));
    ObjectNode statuses = root.putObject("status_code_distribution");
    statusCodeDistribution.forEach(statuses::put);
    ObjectNode errors = root.putObject("error_distribution");
    errorDistribution.forEach(errors::put);
    root.put("acks", acks);
    ObjectNode ackCodes = root.putObject("ack_code_distribution");
    ackCodeDistribution.forEach(ackCodes::put);
    root.set("options", optionsJson());
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report", e);
    }
  }

  private ObjectNode optionsJson() {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", options.name());
    node.put("call", options.call());
    node.put("host", options.host());
    node.put("concurrency", options.concurrency());
    node.put("connections", options.connections());
    node.put("total", options.total());
    node.put("duration", GoDurations.format(options.duration()));
    node.put("rps", options.rps());
    node.put("timeout", GoDurations.format(options.timeout()));
    node.put("connect_timeout", GoDurations.format(options.connectTimeout()));
    node.put("skip_first", options.skipFirst());
    node.put("stream_call_count", options.streamCallCount());
    ObjectNode metadata = node.putObject("metadata");
    options.metadata().forEach(metadata::put);
    try {
      node.set("data", MAPPER.readTree(options.data()));
    } catch (JsonProcessingException e) {
      node.put("data", options.data());
    }
    return node;
  }

  private static List<HistogramBucket> histogram(long[] sorted) {
    int n = sorted.length;
    if (n == 0) {
      return List.of();
    }
    long fastest = sorted[0];
    double width = (sorted[n - 1] - fastest) / (double) HISTOGRAM_BUCKETS;
    long[] counts = new long[HISTOGRAM_BUCKETS];
    for (long latency : sorted) {
      int bucket = width == 0 ? 0 : (int) Math.ceil((latency - fastest) / width) - 1;
      counts[Math.min(Math.max(bucket, 0), HISTOGRAM_BUCKETS - 1)]++;
    }
    List<HistogramBucket> buckets = new ArrayList<>();
    for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
      long mark = i == HISTOGRAM_BUCKETS - 1 ? sorted[n - 1] : fastest + (long) (width * (i + 1));
      buckets.add(new HistogramBucket(mark, counts[i], counts[i] / (double) n));
    }
    return List.copyOf(buckets);
  }

  /** Sorted by count, largest first, then by name. */
  private static Map<String, Long> byCount(Map<String, Long> counts) {
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return Collections.unmodifiableMap(sorted);
  }

  private static String human(long nanos) {
    if (nanos < 1_000) {
      return nanos + " ns";
    }
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.2f μs", nanos / 1e3);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
