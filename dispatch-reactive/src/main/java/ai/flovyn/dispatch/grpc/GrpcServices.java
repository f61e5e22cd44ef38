package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.Dispatch;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;

/**
 * The flovyn.v1 services over a pipeline, with tracing, call metrics, per-tenant limits and per-RPC
 * request sizes applied.
 */
public final class GrpcServices {
  private GrpcServices() {}

  /** Service definitions without per-tenant limits, ready to add to any gRPC server builder. */
  public static List<ServerServiceDefinition> of(Dispatch dispatch, MeterRegistry registry) {
    return of(dispatch, registry, new TenantLimits(TenantLimits.Settings.unlimited(), registry));
  }

  /** Service definitions whose calls are admitted against {@code limits}. */
  public static List<ServerServiceDefinition> of(
      Dispatch dispatch, MeterRegistry registry, TenantLimits limits) {
    // the last interceptor listed runs first; the limits need the caller's scope, so any
    // authentication interceptor goes after them in these lists
    ServerInterceptor[] chain = {
      new RequestSizes(),
      new TenantLimitsInterceptor(limits),
      new TraceContext(),
      new CallMetricsInterceptor(registry)
    };
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
