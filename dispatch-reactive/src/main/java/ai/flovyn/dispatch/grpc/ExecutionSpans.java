package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.proto.ExecutionSpan;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansResponse;
import ai.flovyn.dispatch.support.DispatchMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;

/**
 * Turns the spans SDK workers report (docs/sdk-compatibility.md, SP1) into metrics: a count per
 * span type and outcome, and the durations the SDK measured (replays, task runs) as a timer per
 * span type, so that worker-side latency shows next to the server's. A span without an id or type,
 * or ending before it starts, is rejected on its own; the request is never refused (SP1).
 */
final class ExecutionSpans {
  /** The span types the SDKs send; anything else is counted as "other" to bound the tag values. */
  private static final Set<String> KNOWN_TYPES =
      Set.of(
          "workflow.execute",
          "workflow.replay",
          "task.execute",
          "task.retry",
          "activity.execute",
          "run.execute");

  private final MeterRegistry registry;

  ExecutionSpans(MeterRegistry registry) {
    this.registry = registry;
  }

  ReportExecutionSpansResponse report(ReportExecutionSpansRequest request) {
    int accepted = 0;
    int rejected = 0;
    for (ExecutionSpan span : request.getSpansList()) {
      String type = KNOWN_TYPES.contains(span.getSpanType()) ? span.getSpanType() : "other";
      long nanos = span.getEndTimeUnixNs() - span.getStartTimeUnixNs();
      if (span.getSpanId().isEmpty() || span.getSpanType().isEmpty() || nanos < 0) {
        rejected++;
        count(type, "rejected");
        continue;
      }
      accepted++;
      count(type, span.getIsError() ? "error" : "ok");
      DispatchMetrics.durationHistogram("dispatch_execution_span")
          .description("durations SDK workers report in their execution spans, by span type")
          .tags("span_type", type, "error", Boolean.toString(span.getIsError()))
          .register(registry)
          .record(Duration.ofNanos(nanos));
    }
    return ReportExecutionSpansResponse.newBuilder()
        .setAcceptedCount(accepted)
        .setRejectedCount(rejected)
        .build();
  }

  private void count(String type, String outcome) {
    Counter.builder("dispatch_execution_spans")
        .description("execution spans reported by SDK workers, by span type and outcome")
        .tags("span_type", type, "outcome", outcome)
        .register(registry)
        .increment();
  }
}
