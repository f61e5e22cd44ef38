package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The service's spans (docs/observability.md). Off, the default, there is no tracer at all and
 * every helper hands its body back untouched, so tracing costs nothing unless configured. On, a
 * span's parent travels in the Reactor context under {@link #KEY} (never in a thread local across
 * Reactor's thread hops), and attributes are only built for spans that record (a span the sampler
 * dropped costs its creation and nothing more).
 *
 * <p>A workflow's trace is its stored {@code traceparent}: the hand-outs of its work are its
 * children, and the spans its workers report are exported into it.
 */
public final class Tracing {
  /** The Reactor context key under which the caller's OpenTelemetry context travels. */
  public static final Class<Context> KEY = Context.class;

  /** The instrumentation scope of every span the service makes. */
  public static final String SCOPE = "ai.flovyn.dispatch";

  static final AttributeKey<String> ERROR_KIND = AttributeKey.stringKey("dispatch.error.kind");

  private static final Tracing OFF = new Tracing(null, null);

  /**
   * A span an SDK worker reported (ReportExecutionSpans), placed in its workflow's trace: ids are
   * hex (trace 32, span 16 characters), times nanoseconds since the epoch.
   *
   * @param parentSpanId the parent's span id, or null for a root span
   * @param error whether the work the span covers failed
   * @param errorDescription why, when it failed; null otherwise
   */
  public record Reported(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      long startNanos,
      long endNanos,
      boolean error,
      String errorDescription,
      Map<String, String> attributes) {}

  private final Tracer tracer;
  private final Consumer<List<Reported>> export;

  private Tracing(Tracer tracer, Consumer<List<Reported>> export) {
    this.tracer = tracer;
    this.export = export;
  }

  /** No tracing: no tracer, no spans, every helper a pass-through. */
  public static Tracing off() {
    return OFF;
  }

  /**
   * Spans from {@code openTelemetry}'s tracer; off when null. {@code export} takes the spans SDK
   * workers report; null drops them.
   */
  public static Tracing of(OpenTelemetry openTelemetry, Consumer<List<Reported>> export) {
    return openTelemetry == null
        ? OFF
        : new Tracing(openTelemetry.getTracer(SCOPE), export == null ? spans -> {} : export);
  }

  /** Whether spans are made at all. */
  public boolean on() {
    return tracer != null;
  }

  /** The tracer; only called when {@link #on()}. */
  public Tracer tracer() {
    return tracer;
  }

  /** Exports spans SDK workers reported, when on and given an exporter. */
  public void export(List<Reported> spans) {
    if (export != null && !spans.isEmpty()) {
      export.accept(spans);
    }
  }

  /**
   * Runs {@code body} under a span named {@code name}, a child of the span in the subscriber's
   * Reactor context (a root when none): it starts on subscription, ends on completion, error or
   * cancel, and carries the error's kind. {@code attributes} runs only for a recording span. Off,
   * emits {@code body} itself.
   */
  public <T> Mono<T> span(String name, Consumer<Span> attributes, Mono<T> body) {
    if (tracer == null) {
      return body;
    }
    return Mono.deferContextual(
        view -> {
          Context parent = parentIn(view);
          Span span = tracer.spanBuilder(name).setParent(parent).startSpan();
          if (!span.isRecording()) {
            // sampled out: the children follow its decision, nothing else to do
            return body.contextWrite(within(parent.with(span)));
          }
          attributes.accept(span);
          return body.doOnError(error -> failed(span, error))
              .doFinally(signal -> span.end())
              .contextWrite(within(parent.with(span)));
        });
  }

  /**
   * Records that a claimed item of a workflow was handed to {@code workerId}: a span in the item's
   * trace ({@code traceparent}; the caller's when it has none) with a link to the caller's span
   * (the poll). Attributes are set by {@code attributes} on a recording span only.
   */
  public void handedOut(
      String name, String traceparent, ContextView caller, Consumer<Span> attributes) {
    if (tracer == null) {
      return;
    }
    Context callerContext = parentIn(caller);
    SpanContext item = remote(traceparent);
    SpanBuilder builder =
        tracer
            .spanBuilder(name)
            .setSpanKind(SpanKind.INTERNAL)
            .setParent(item.isValid() ? Context.root().with(Span.wrap(item)) : callerContext);
    SpanContext poll = Span.fromContext(callerContext).getSpanContext();
    if (item.isValid() && poll.isValid()) {
      builder.addLink(poll);
    }
    Span span = builder.startSpan();
    if (span.isRecording()) {
      attributes.accept(span);
    }
    span.end();
  }

  /**
   * Records a run that is over (a maintenance chore's): a root span from {@code start} to now, made
   * only when the run did something ({@code items} &gt; 0) or failed, so an idle loop leaves no
   * trace.
   */
  public void ran(String name, Instant start, int items, Throwable error) {
    if (tracer == null || (items == 0 && error == null)) {
      return;
    }
    Span span =
        tracer
            .spanBuilder(name)
            .setNoParent()
            .setStartTimestamp(
                TimeUnit.SECONDS.toNanos(start.getEpochSecond()) + start.getNano(),
                TimeUnit.NANOSECONDS)
            .startSpan();
    if (span.isRecording()) {
      span.setAttribute("dispatch.items", items);
      if (error != null) {
        failed(span, error);
      }
    }
    span.end();
  }

  /** Marks {@code span} failed with the error's kind (never its message: it may name data). */
  public static void failed(Span span, Throwable error) {
    String kind =
        error instanceof DispatchException dispatch
            ? dispatch.kind().name()
            : error.getClass().getSimpleName();
    span.setStatus(StatusCode.ERROR, kind);
    span.setAttribute(ERROR_KIND, kind);
  }

  /** The OpenTelemetry context in a Reactor context: the caller's span, else the root. */
  public static Context parentIn(ContextView view) {
    return view.getOrDefault(KEY, Context.root());
  }

  /** Puts {@code context} into the Reactor context, for {@code contextWrite}. */
  public static Function<reactor.util.context.Context, reactor.util.context.Context> within(
      Context context) {
    return reactor -> context == null ? reactor : reactor.put(KEY, context);
  }

  /**
   * The span context a W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}) names, as a
   * remote parent; invalid when null or malformed.
   */
  public static SpanContext remote(String traceparent) {
    if (traceparent == null
        || traceparent.length() != 55
        || traceparent.charAt(2) != '-'
        || traceparent.charAt(35) != '-'
        || traceparent.charAt(52) != '-') {
      return SpanContext.getInvalid();
    }
    String traceId = traceparent.substring(3, 35);
    String spanId = traceparent.substring(36, 52);
    String flags = traceparent.substring(53, 55);
    if (!TraceId.isValid(traceId) || !SpanId.isValid(spanId) || !isHex(flags)) {
      return SpanContext.getInvalid();
    }
    return SpanContext.createFromRemoteParent(
        traceId, spanId, TraceFlags.fromHex(flags, 0), TraceState.getDefault());
  }

  /** The W3C {@code traceparent} of {@code span}; null when it is invalid. */
  public static String traceparent(SpanContext span) {
    return span.isValid()
        ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex()
        : null;
  }

  private static boolean isHex(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
