package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.support.DispatchMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Counts and times every gRPC call by method and final status code. */
public final class CallMetricsInterceptor implements ServerInterceptor {
  private final MeterRegistry registry;
  // one timer per method and status code, looked up by one hash instead of a builder per call
  private final Map<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

  public CallMetricsInterceptor(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Timer.Sample sample = Timer.start(registry);
    String method = call.getMethodDescriptor().getFullMethodName();
    AtomicReferenceArray<Timer> byCode =
        timers.computeIfAbsent(
            method, m -> new AtomicReferenceArray<>(Status.Code.values().length));
    ServerCall<Q, R> timed =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            sample.stop(timer(byCode, method, status.getCode()));
            super.close(status, trailers);
          }
        };
    return next.startCall(timed, headers);
  }

  private Timer timer(AtomicReferenceArray<Timer> byCode, String method, Status.Code code) {
    Timer timer = byCode.get(code.ordinal());
    if (timer == null) {
      // registering twice from two racing calls returns the same timer
      timer =
          DispatchMetrics.latencyHistogram("dispatch_grpc_server_calls")
              .description("gRPC calls served, by method and status code")
              .tag("method", method)
              .tag("status", code.name())
              .register(registry);
      byCode.set(code.ordinal(), timer);
    }
    return timer;
  }
}
