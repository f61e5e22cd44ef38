package ai.flovyn.dispatch.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Carries the W3C {@code traceparent} header of a call into the gRPC context. */
public final class TraceContext implements ServerInterceptor {
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> KEY = Context.key("traceparent");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String traceparent = headers.get(TRACEPARENT);
    if (traceparent == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        Context.current().withValue(KEY, traceparent), call, headers, next);
  }

  /** The current call's traceparent header, or null. */
  static String current() {
    return KEY.get();
  }
}
