package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;

/**
 * The flovyn.v1 services over a pipeline, with tracing, call metrics, per-tenant limits, per-RPC
 * request sizes, authentication (when given tokens) and the audit of refused calls applied.
 */
public final class GrpcServices {
  private GrpcServices() {}

  /**
   * Service definitions without authentication (every call unrestricted) and without per-tenant
   * limits, ready to add to any gRPC server builder: for development and for embedders that
   * authenticate in front of them.
   */
  public static List<ServerServiceDefinition> of(Dispatch dispatch, MeterRegistry registry) {
    return of(dispatch, registry, unlimited(registry));
  }

  /** Service definitions without authentication whose calls are admitted against {@code limits}. */
  public static List<ServerServiceDefinition> of(
      Dispatch dispatch, MeterRegistry registry, TenantLimits limits) {
    return build(dispatch, registry, limits, null);
  }

  /**
   * Service definitions whose every call, unary or streaming, must carry a bearer token active in
   * {@code tokens}; a call without one is UNAUTHENTICATED before it reaches a service, and the
   * others run in the scope of the token's tenant ({@link Callers#SCOPE}).
   */
  public static List<ServerServiceDefinition> authenticated(
      Dispatch dispatch, MeterRegistry registry, ActiveTokens tokens) {
    return authenticated(dispatch, registry, tokens, unlimited(registry));
  }

  /** As {@link #authenticated(Dispatch, MeterRegistry, ActiveTokens)}, admitted against limits. */
  public static List<ServerServiceDefinition> authenticated(
      Dispatch dispatch, MeterRegistry registry, ActiveTokens tokens, TenantLimits limits) {
    return build(dispatch, registry, limits, new Authentication(tokens, new Audit(registry)));
  }

  private static TenantLimits unlimited(MeterRegistry registry) {
    return new TenantLimits(TenantLimits.Settings.unlimited(), registry);
  }

  private static List<ServerServiceDefinition> build(
      Dispatch dispatch,
      MeterRegistry registry,
      TenantLimits limits,
      Authentication authentication) {
    CallMetricsInterceptor metrics = new CallMetricsInterceptor(registry);
    TraceContext trace = new TraceContext();
    RequestSizes sizes = new RequestSizes();
    TenantLimitsInterceptor admission = new TenantLimitsInterceptor(limits);
    // innermost, so that it sees the scope authentication set
    AuditLog audit = new AuditLog(registry);
    // the last interceptor listed runs first: metrics count refused calls too; authentication
    // runs before the limits, which count the caller's own tenant
    ServerInterceptor[] chain =
        authentication == null
            ? new ServerInterceptor[] {audit, sizes, admission, trace, metrics}
            : new ServerInterceptor[] {audit, sizes, admission, trace, authentication, metrics};
    return List.of(
        ServerInterceptors.intercept(
            guarded(new WorkflowDispatchService(dispatch, registry)), chain),
        ServerInterceptors.intercept(guarded(new WorkflowQueryService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new TaskExecutionService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new WorkerLifecycleService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new AgentDispatchService(dispatch)), chain));
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
