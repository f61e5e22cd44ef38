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
import java.time.Duration;
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
    return dispatch
        .pollTask(
            request.getTenantId(),
            request.getQueue(),
            request.hasWorkerPoolId() ? request.getWorkerPoolId() : null,
            request.getWorkerId(),
            Duration.ofSeconds(Math.max(0, request.getTimeoutSeconds())))
        .map(task -> PollTaskResponse.newBuilder().setTask(ProtoMapping.toTaskInfo(task)).build())
        .defaultIfEmpty(PollTaskResponse.getDefaultInstance());
  }

  @Override
  public Mono<Empty> completeTask(CompleteTaskRequest request) {
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.completeTask(id, request.getOutput().toByteArray()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> failTask(FailTaskRequest request) {
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.failTask(id, request.getError()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> reportProgress(ReportProgressRequest request) {
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.reportProgress(id, request.getProgress(), request.getDetails()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> heartbeat(HeartbeatRequest request) {
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(dispatch::heartbeat)
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> cancelTask(CancelTaskRequest request) {
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(dispatch::cancelTask)
        .thenReturn(Empty.getDefaultInstance());
  }

  private static java.util.UUID taskId(String value) {
    return ProtoMapping.uuid("task_execution_id", value);
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
