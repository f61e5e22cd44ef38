package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.ActiveTokens;
import ai.flovyn.dispatch.pipeline.Dispatch;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;

/** The flovyn.v1 services over a pipeline, with tracing and call metrics applied. */
public final class GrpcServices {
  private GrpcServices() {}

  /**
   * Service definitions without authentication (every call unrestricted), ready to add to any gRPC
   * server builder: for development and for embedders that authenticate in front of them.
   */
  public static List<ServerServiceDefinition> of(Dispatch dispatch, MeterRegistry registry) {
    return build(dispatch, registry, null);
  }

  /**
   * Service definitions whose every call, unary or streaming, must carry a bearer token active in
   * {@code tokens}; a call without one is UNAUTHENTICATED before it reaches a service, and the
   * others run in the scope of the token's tenant ({@link Callers#SCOPE}).
   */
  public static List<ServerServiceDefinition> authenticated(
      Dispatch dispatch, MeterRegistry registry, ActiveTokens tokens) {
    return build(dispatch, registry, new Authentication(tokens, new Audit(registry)));
  }

  private static List<ServerServiceDefinition> build(
      Dispatch dispatch, MeterRegistry registry, Authentication authentication) {
    CallMetricsInterceptor metrics = new CallMetricsInterceptor(registry);
    TraceContext trace = new TraceContext();
    // the last interceptor runs first: metrics count refused calls too, nothing else sees them
    ServerInterceptor[] chain =
        authentication == null
            ? new ServerInterceptor[] {trace, metrics}
            : new ServerInterceptor[] {trace, authentication, metrics};
    return List.of(
        ServerInterceptors.intercept(
            guarded(new WorkflowDispatchService(dispatch, registry)), chain),
        ServerInterceptors.intercept(guarded(new WorkflowQueryService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new TaskExecutionService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new WorkerLifecycleService(dispatch)), chain));
  }

  /**
   * Every service goes through here: a request that is not valid protobuf is INVALID_ARGUMENT
   * (closing a unary call; acked per message on the streams that ack each message).
   */
  private static ServerServiceDefinition guarded(BindableService service) {
    return UnreadableRequests.guard(service.bindService(), ACKED_PER_MESSAGE);
  }

  /** Streams whose service acks each unreadable message itself and carries on. */
  private static final Set<String> ACKED_PER_MESSAGE =
      Set.of(WorkflowDispatchGrpc.getStreamWorkflowCommandsMethod().getFullMethodName());
}
