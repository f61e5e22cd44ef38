package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.support.Tracing;
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
    return build(dispatch, registry, limits, null, Tracing.off());
  }

  /** As {@link #of(Dispatch, MeterRegistry, TenantLimits)}, a span per call through tracing. */
  public static List<ServerServiceDefinition> of(
      Dispatch dispatch, MeterRegistry registry, TenantLimits limits, Tracing tracing) {
    return build(dispatch, registry, limits, null, tracing);
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
    return authenticated(dispatch, registry, tokens, limits, Tracing.off());
  }

  /**
   * As {@link #authenticated(Dispatch, MeterRegistry, ActiveTokens, TenantLimits)}, a span per call
   * through {@code tracing}, which also exports the spans workers report.
   */
  public static List<ServerServiceDefinition> authenticated(
      Dispatch dispatch,
      MeterRegistry registry,
      ActiveTokens tokens,
      TenantLimits limits,
      Tracing tracing) {
    return build(
        dispatch, registry, limits, new Authentication(tokens, new Audit(registry)), tracing);
  }

  private static TenantLimits unlimited(MeterRegistry registry) {
    return new TenantLimits(TenantLimits.Settings.unlimited(), registry);
  }

  private static List<ServerServiceDefinition> build(
      Dispatch dispatch,
      MeterRegistry registry,
      TenantLimits limits,
      Authentication authentication,
      Tracing tracing) {
    CallMetricsInterceptor metrics = new CallMetricsInterceptor(registry);
    TraceContext trace = new TraceContext(tracing);
    ExecutionSpans spans = new ExecutionSpans(registry, tracing, dispatch);
    RequestSizes sizes = new RequestSizes();
    TenantLimitsInterceptor admission = new TenantLimitsInterceptor(limits);
    // innermost, so that it sees the scope authentication set
    AuditLog audit = new AuditLog(registry);
    // the last interceptor listed runs first: the call's span covers everything, refusals too;
    // metrics count refused calls too; authentication runs before the limits, which count the
    // caller's own tenant
    ServerInterceptor[] chain =
        authentication == null
            ? new ServerInterceptor[] {audit, sizes, admission, metrics, trace}
            : new ServerInterceptor[] {audit, sizes, admission, authentication, metrics, trace};
    return List.of(
        ServerInterceptors.intercept(guarded(new WorkflowDispatchService(dispatch, spans)), chain),
        ServerInterceptors.intercept(guarded(new WorkflowQueryService(dispatch)), chain),
        ServerInterceptors.intercept(guarded(new TaskExecutionService(dispatch, spans)), chain),
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
