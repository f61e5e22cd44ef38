package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.support.Tracing;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Carries the W3C {@code traceparent} header of a call into the gRPC context and, with tracing on,
 * makes one SERVER span per call (a child of that header when it has one). The span's context is
 * what a started workflow stores as its trace, is current during the call's callbacks (so log lines
 * written there carry its ids) and reaches the pipeline through the Reactor context ({@link
 * #traced(Mono)}).
 */
public final class TraceContext implements ServerInterceptor {
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> KEY = Context.key("traceparent");
  static final Context.Key<io.opentelemetry.context.Context> SPAN = Context.key("otel-context");

  private final Tracing tracing;

  /** Carries the header only, making no spans. */
  public TraceContext() {
    this(Tracing.off());
  }

  /** Carries the header and, when {@code tracing} is on, makes a span per call. */
  public TraceContext(Tracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String traceparent = headers.get(TRACEPARENT);
    if (tracing.on()) {
      return traced(call, headers, next, traceparent);
    }
    if (traceparent == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        Context.current().withValue(KEY, traceparent), call, headers, next);
  }

  private <Q, R> ServerCall.Listener<Q> traced(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next, String traceparent) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    SpanContext remote = Tracing.remote(traceparent);
    io.opentelemetry.context.Context parent =
        remote.isValid()
            ? io.opentelemetry.context.Context.root().with(Span.wrap(remote))
            : io.opentelemetry.context.Context.root();
    Span span =
        tracing
            .tracer()
            .spanBuilder(method.getFullMethodName())
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .startSpan();
    if (span.isRecording()) {
      span.setAttribute("rpc.system", "grpc");
      span.setAttribute("rpc.service", method.getServiceName());
      span.setAttribute("rpc.method", method.getBareMethodName());
    }
    io.opentelemetry.context.Context otel = parent.with(span);
    // what a workflow started by this call stores: this span, so its work joins the call's trace
    Context grpc =
        Context.current()
            .withValue(KEY, Tracing.traceparent(span.getSpanContext()))
            .withValue(SPAN, otel);
    AtomicBoolean ended = new AtomicBoolean();
    ServerCall<Q, R> ending =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end(span, ended, status);
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<Q> listener = Contexts.interceptCall(grpc, ending, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        try (Scope scope = otel.makeCurrent()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope scope = otel.makeCurrent()) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        try (Scope scope = otel.makeCurrent()) {
          super.onCancel();
        } finally {
          end(span, ended, Status.CANCELLED);
        }
      }

      @Override
      public void onComplete() {
        try (Scope scope = otel.makeCurrent()) {
          super.onComplete();
        }
      }

      @Override
      public void onReady() {
        try (Scope scope = otel.makeCurrent()) {
          super.onReady();
        }
      }
    };
  }

  private static void end(Span span, AtomicBoolean ended, Status status) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (span.isRecording()) {
      span.setAttribute("rpc.grpc.status_code", status.getCode().value());
      if (!status.isOk()) {
        span.setStatus(StatusCode.ERROR, status.getCode().name());
      }
    }
    span.end();
  }

  /**
   * The traceparent a workflow or task started by the current call stores: the call's span with
   * tracing on, else the call's header; null when neither.
   */
  static String current() {
    return KEY.get();
  }

  /**
   * {@code mono} with the current call's span as the parent of the pipeline's spans; {@code mono}
   * itself with tracing off. Call it on the call's thread (where the service method runs).
   */
  static <T> Mono<T> traced(Mono<T> mono) {
    io.opentelemetry.context.Context otel = SPAN.get();
    return otel == null ? mono : mono.contextWrite(Tracing.within(otel));
  }

  /** {@link #traced(Mono)} for a stream. */
  static <T> Flux<T> traced(Flux<T> flux) {
    io.opentelemetry.context.Context otel = SPAN.get();
    return otel == null ? flux : flux.contextWrite(Tracing.within(otel));
  }
}
