package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.Dispatch;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;

/**
 * The flovyn.v1 services over a pipeline, with tracing, call metrics and the audit of refused calls
 * applied. An interceptor that sets {@link Callers#SCOPE} goes around these definitions.
 */
public final class GrpcServices {
  private GrpcServices() {}

  /** Service definitions ready to add to any gRPC server builder. */
  public static List<ServerServiceDefinition> of(Dispatch dispatch, MeterRegistry registry) {
    CallMetricsInterceptor metrics = new CallMetricsInterceptor(registry);
    TraceContext trace = new TraceContext();
    // innermost, so that it sees the scope an interceptor applied around these definitions set
    AuditLog audit = new AuditLog(registry);
    return List.of(
        ServerInterceptors.intercept(
            guarded(new WorkflowDispatchService(dispatch, registry)), audit, trace, metrics),
        ServerInterceptors.intercept(
            guarded(new WorkflowQueryService(dispatch)), audit, trace, metrics),
        ServerInterceptors.intercept(
            guarded(new TaskExecutionService(dispatch)), audit, trace, metrics),
        ServerInterceptors.intercept(
            guarded(new WorkerLifecycleService(dispatch)), audit, trace, metrics));
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
