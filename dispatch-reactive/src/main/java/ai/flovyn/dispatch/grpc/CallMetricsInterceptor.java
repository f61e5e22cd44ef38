package ai.flovyn.dispatch.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Counts and times every gRPC call by method and final status code. */
public final class CallMetricsInterceptor implements ServerInterceptor {
  private final MeterRegistry registry;

  public CallMetricsInterceptor(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Timer.Sample sample = Timer.start(registry);
    String method = call.getMethodDescriptor().getFullMethodName();
    ServerCall<Q, R> timed =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            sample.stop(
                Timer.builder("dispatch_grpc_server_calls")
                    .description("gRPC calls served, by method and status code")
                    .tag("method", method)
                    .tag("status", status.getCode().name())
                    .register(registry));
            super.close(status, trailers);
          }
        };
    return next.startCall(timed, headers);
  }
}
