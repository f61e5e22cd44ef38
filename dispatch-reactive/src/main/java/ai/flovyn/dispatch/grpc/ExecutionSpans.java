package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.proto.ExecutionSpan;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansResponse;
import ai.flovyn.dispatch.proto.SdkInfo;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.support.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns the spans SDK workers report (docs/sdk-compatibility.md, SP1) into metrics: a count per
 * span type and outcome, and the durations the SDK measured (replays, task runs) as a timer per
 * span type, so that worker-side latency shows next to the server's. A span without an id or type,
 * or ending before it starts, is rejected on its own; the request is never refused (SP1).
 *
 * <p>With tracing on, the accepted spans are also exported as spans of their workflow's trace (the
 * {@code traceparent} the workflow or task stores, remembered when this instance handed the work
 * out, else read once from the database): the SDK sends no trace ids, so the trace is the
 * workflow's, a span without a parent is a child of the workflow's span, and the SDK's UUID span
 * ids become 64-bit span ids.
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

  /** Work handed out by this instance whose traceparent is remembered for the spans to come. */
  private static final int REMEMBERED = 10_000;

  private final MeterRegistry registry;
  private final Tracing tracing;
  private final Dispatch dispatch;
  private final Map<UUID, String> traceparents =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
              return size() > REMEMBERED;
            }
          });

  ExecutionSpans(MeterRegistry registry) {
    this(registry, Tracing.off(), null);
  }

  ExecutionSpans(MeterRegistry registry, Tracing tracing, Dispatch dispatch) {
    this.registry = registry;
    this.tracing = tracing;
    this.dispatch = dispatch;
  }

  /** Remembers the trace of work handed to a worker (with tracing on), for its reported spans. */
  void handedOut(UUID id, String traceparent) {
    if (tracing.on() && traceparent != null) {
      traceparents.put(id, traceparent);
    }
  }

  /** Counts the spans and, with tracing on, exports them into their workflows' traces. */
  Mono<ReportExecutionSpansResponse> report(Scope scope, ReportExecutionSpansRequest request) {
    List<ExecutionSpan> accepted = new ArrayList<>();
    ReportExecutionSpansResponse response = count(request, accepted);
    if (!tracing.on() || accepted.isEmpty()) {
      return Mono.just(response);
    }
    return traces(scope, accepted)
        .map(found -> convert(request.getSdkInfo(), accepted, found))
        .doOnNext(tracing::export)
        .thenReturn(response);
  }

  private ReportExecutionSpansResponse count(
      ReportExecutionSpansRequest request, List<ExecutionSpan> accepted) {
    int rejected = 0;
    for (ExecutionSpan span : request.getSpansList()) {
      String type = KNOWN_TYPES.contains(span.getSpanType()) ? span.getSpanType() : "other";
      long nanos = span.getEndTimeUnixNs() - span.getStartTimeUnixNs();
      if (span.getSpanId().isEmpty() || span.getSpanType().isEmpty() || nanos < 0) {
        rejected++;
        count(type, "rejected");
        continue;
      }
      accepted.add(span);
      count(type, span.getIsError() ? "error" : "ok");
      DispatchMetrics.durationHistogram("dispatch_execution_span")
          .description("durations SDK workers report in their execution spans, by span type")
          .tags("span_type", type, "error", Boolean.toString(span.getIsError()))
          .register(registry)
          .record(Duration.ofNanos(nanos));
    }
    return ReportExecutionSpansResponse.newBuilder()
        .setAcceptedCount(accepted.size())
        .setRejectedCount(rejected)
        .build();
  }

  /**
   * The traceparent of each span's task or workflow, by id: remembered ones at once, the other
   * workflows' read from the database (of the caller's tenant only).
   */
  private Mono<Map<UUID, String>> traces(Scope scope, List<ExecutionSpan> spans) {
    Map<UUID, String> found = new HashMap<>();
    List<UUID> missing = new ArrayList<>();
    for (ExecutionSpan span : spans) {
      UUID task = taskOf(span);
      UUID workflow = uuid(span.getWorkflowId());
      String remembered = traceOf(traceparents, span);
      if (remembered != null) {
        found.put(task != null ? task : workflow, remembered);
      } else if (workflow != null && !missing.contains(workflow)) {
        missing.add(workflow);
      }
    }
    if (missing.isEmpty()) {
      return Mono.just(found);
    }
    return Flux.fromIterable(missing)
        .concatMap(
            workflow ->
                dispatch
                    .traceparent(scope, workflow)
                    .doOnNext(traceparent -> handedOut(workflow, traceparent))
                    .doOnNext(traceparent -> found.put(workflow, traceparent))
                    // a span of an unknown workflow still goes out, in a trace of its own
                    .onErrorResume(error -> Mono.empty()))
        .then(Mono.fromSupplier(() -> found));
  }

  /**
   * Bounds on what a worker's reported span carries into the tracing backend: the SDK's fields are
   * client input, and a trace store would keep whatever it is sent.
   */
  static final int MAX_ATTRIBUTES = 64;

  static final int MAX_KEY_CHARS = 128;
  static final int MAX_VALUE_CHARS = 1024;

  /**
   * The span's own attributes, at most {@link #MAX_ATTRIBUTES} of them with keys and values cut to
   * their bounds; the server's attributes are added after these.
   */
  static Map<String, String> boundedAttributes(Map<String, String> reported) {
    Map<String, String> bounded = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : reported.entrySet()) {
      if (bounded.size() == MAX_ATTRIBUTES) {
        break;
      }
      bounded.put(cut(entry.getKey(), MAX_KEY_CHARS), cut(entry.getValue(), MAX_VALUE_CHARS));
    }
    return bounded;
  }

  /** The exported span's name: a known span type, else {@code other}, as the metrics tag it. */
  static String spanName(String type) {
    return KNOWN_TYPES.contains(type) ? type : "other";
  }

  static String cut(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }

  private static List<Tracing.Reported> convert(
      SdkInfo sdk, List<ExecutionSpan> spans, Map<UUID, String> traceparents) {
    List<Tracing.Reported> converted = new ArrayList<>(spans.size());
    for (ExecutionSpan span : spans) {
      UUID task = taskOf(span);
      UUID workflow = uuid(span.getWorkflowId());
      SpanContext parent = Tracing.remote(traceOf(traceparents, span));
      if (parent.isValid() && !parent.isSampled()) {
        // the workflow's trace was sampled out: so are its workers' spans
        continue;
      }
      String traceId =
          parent.isValid()
              ? parent.getTraceId()
              : traceIdOf(workflow != null ? workflow : task, span.getWorkflowId());
      String parentSpanId =
          span.hasParentSpanId() && !span.getParentSpanId().isEmpty()
              ? spanIdOf(span.getParentSpanId())
              : parent.isValid() ? parent.getSpanId() : null;
      Map<String, String> attributes = boundedAttributes(span.getAttributesMap());
      attributes.put("dispatch.workflow.id", cut(span.getWorkflowId(), MAX_KEY_CHARS));
      if (span.hasTaskId()) {
        attributes.put("dispatch.task.id", cut(span.getTaskId(), MAX_KEY_CHARS));
      }
      if (span.hasErrorMessage()) {
        attributes.put("dispatch.error.message", cut(span.getErrorMessage(), MAX_VALUE_CHARS));
      }
      attributes.put("telemetry.sdk.language", cut(sdk.getLanguage(), MAX_KEY_CHARS));
      attributes.put("flovyn.sdk.version", cut(sdk.getSdkVersion(), MAX_KEY_CHARS));
      if (sdk.hasHostname()) {
        attributes.put("host.name", cut(sdk.getHostname(), MAX_KEY_CHARS));
      }
      converted.add(
          new Tracing.Reported(
              traceId,
              spanIdOf(span.getSpanId()),
              parentSpanId,
              spanName(span.getSpanType()),
              span.getStartTimeUnixNs(),
              span.getEndTimeUnixNs(),
              span.getIsError(),
              span.getIsError()
                  ? (span.hasErrorType() ? cut(span.getErrorType(), MAX_KEY_CHARS) : "error")
                  : null,
              attributes));
    }
    return converted;
  }

  private static UUID taskOf(ExecutionSpan span) {
    return span.hasTaskId() ? uuid(span.getTaskId()) : null;
  }

  /**
   * The span's trace in {@code known}: its task's (a task may have its own), else its workflow's.
   */
  private static String traceOf(Map<UUID, String> known, ExecutionSpan span) {
    UUID task = taskOf(span);
    String traceparent = task == null ? null : known.get(task);
    UUID workflow = uuid(span.getWorkflowId());
    return traceparent == null && workflow != null ? known.get(workflow) : traceparent;
  }

  /** A trace of its own for a workflow with no stored trace: its id, so its spans share one. */
  private static String traceIdOf(UUID id, String raw) {
    UUID source = id != null ? id : UUID.nameUUIDFromBytes(raw.getBytes(StandardCharsets.UTF_8));
    return hex(source.getMostSignificantBits()) + hex(source.getLeastSignificantBits());
  }

  /**
   * A 64-bit span id for the SDK's span id: its two halves folded together when it is a UUID (as
   * the SDKs send), a digest of it otherwise; never the invalid all-zero id.
   */
  static String spanIdOf(String raw) {
    UUID id = uuid(raw);
    if (id == null) {
      id = UUID.nameUUIDFromBytes(raw.getBytes(StandardCharsets.UTF_8));
    }
    long folded = id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    return hex(folded == 0 ? 1 : folded);
  }

  private static String hex(long value) {
    String digits = Long.toHexString(value);
    return "0".repeat(16 - digits.length()) + digits;
  }

  private static UUID uuid(String raw) {
    try {
      return raw.length() == 36 ? UUID.fromString(raw) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void count(String type, String outcome) {
    Counter.builder("dispatch_execution_spans")
        .description("execution spans reported by SDK workers, by span type and outcome")
        .tags("span_type", type, "outcome", outcome)
        .register(registry)
        .increment();
  }
}
