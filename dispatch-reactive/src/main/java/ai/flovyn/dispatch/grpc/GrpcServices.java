package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.Dispatch;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** The flovyn.v1 services over a pipeline, with tracing and call metrics applied. */
public final class GrpcServices {
  private GrpcServices() {}

  /** Service definitions ready to add to any gRPC server builder. */
  public static List<ServerServiceDefinition> of(Dispatch dispatch, MeterRegistry registry) {
    CallMetricsInterceptor metrics = new CallMetricsInterceptor(registry);
    TraceContext trace = new TraceContext();
    return List.of(
        ServerInterceptors.intercept(
            new WorkflowDispatchService(dispatch, registry), trace, metrics),
        ServerInterceptors.intercept(new WorkflowQueryService(dispatch), trace, metrics),
        ServerInterceptors.intercept(new TaskExecutionService(dispatch), trace, metrics),
        ServerInterceptors.intercept(new WorkerLifecycleService(dispatch), trace, metrics));
  }
}
