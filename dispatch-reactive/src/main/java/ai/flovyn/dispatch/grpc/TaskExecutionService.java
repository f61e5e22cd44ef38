package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.Dispatch;
import ai.flovyn.dispatch.proto.CancelTaskRequest;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.HeartbeatRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ReactorTaskExecutionGrpc;
import ai.flovyn.dispatch.proto.ReportProgressRequest;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SubmitTaskResponse;
import com.google.protobuf.Empty;
import reactor.core.publisher.Mono;

/** The flovyn.v1.TaskExecution service: a thin adapter from protobuf to the pipeline. */
public final class TaskExecutionService extends ReactorTaskExecutionGrpc.TaskExecutionImplBase {
  private final Dispatch dispatch;

  public TaskExecutionService(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  @Override
  @SuppressWarnings("deprecation")
  public Mono<SubmitTaskResponse> submitTask(SubmitTaskRequest request) {
    String traceparent = TraceContext.current();
    return Mono.fromCallable(() -> ProtoMapping.toSubmitTask(request, traceparent))
        .flatMap(dispatch::submitTask)
        .map(
            submitted ->
                SubmitTaskResponse.newBuilder()
                    .setTaskExecutionId(submitted.taskExecutionId().toString())
                    .setIdempotencyKeyUsed(submitted.idempotencyKeyUsed())
                    .setIdempotencyKeyNew(submitted.idempotencyKeyNew())
                    .build());
  }

  @Override
  public Mono<PollTaskResponse> pollTask(PollTaskRequest request) {
    return Mono.error(StatusMapping.unimplemented("PollTask"));
  }

  @Override
  public Mono<Empty> completeTask(CompleteTaskRequest request) {
    return Mono.error(StatusMapping.unimplemented("CompleteTask"));
  }

  @Override
  public Mono<Empty> failTask(FailTaskRequest request) {
    return Mono.error(StatusMapping.unimplemented("FailTask"));
  }

  @Override
  public Mono<Empty> reportProgress(ReportProgressRequest request) {
    return Mono.error(StatusMapping.unimplemented("ReportProgress"));
  }

  @Override
  public Mono<Empty> heartbeat(HeartbeatRequest request) {
    return Mono.error(StatusMapping.unimplemented("Heartbeat"));
  }

  @Override
  public Mono<Empty> cancelTask(CancelTaskRequest request) {
    return Mono.error(StatusMapping.unimplemented("CancelTask"));
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
