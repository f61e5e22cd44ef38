package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.proto.CancelTaskRequest;
import ai.flovyn.dispatch.proto.ClearAllStateRequest;
import ai.flovyn.dispatch.proto.ClearStateRequest;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetStateKeysRequest;
import ai.flovyn.dispatch.proto.GetStateKeysResponse;
import ai.flovyn.dispatch.proto.GetStateRequest;
import ai.flovyn.dispatch.proto.GetStateResponse;
import ai.flovyn.dispatch.proto.HeartbeatRequest;
import ai.flovyn.dispatch.proto.ListTaskLogsRequest;
import ai.flovyn.dispatch.proto.ListTaskLogsResponse;
import ai.flovyn.dispatch.proto.LogMessageRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ReactorTaskExecutionGrpc;
import ai.flovyn.dispatch.proto.ReportProgressRequest;
import ai.flovyn.dispatch.proto.SetStateRequest;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.proto.StreamTaskDataResponse;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SubmitTaskResponse;
import ai.flovyn.dispatch.proto.SubscribeTaskDataRequest;
import ai.flovyn.dispatch.proto.TaskDataEvent;
import ai.flovyn.dispatch.proto.TaskLogLine;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The flovyn.v1.TaskExecution service: a thin adapter from protobuf to the pipeline. */
public final class TaskExecutionService extends ReactorTaskExecutionGrpc.TaskExecutionImplBase {
  private final Dispatch dispatch;
  private final Clock clock;

  private final ExecutionSpans spans;

  public TaskExecutionService(Dispatch dispatch) {
    // tracing off: it remembers nothing and counts nothing
    this(dispatch, new ExecutionSpans(null));
  }

  TaskExecutionService(Dispatch dispatch, ExecutionSpans spans) {
    this.dispatch = dispatch;
    this.spans = spans;
    this.clock = dispatch.clock();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Mono<SubmitTaskResponse> submitTask(SubmitTaskRequest request) {
    Scope scope = Callers.scope();
    String traceparent = TraceContext.current();
    return Mono.fromCallable(() -> ProtoMapping.toSubmitTask(request, traceparent))
        .flatMap(submit -> dispatch.submitTask(scope, submit))
        .map(
            submitted ->
                SubmitTaskResponse.newBuilder()
                    .setTaskExecutionId(submitted.taskExecutionId().toString())
                    .setIdempotencyKeyUsed(submitted.idempotencyKeyUsed())
                    .setIdempotencyKeyNew(submitted.idempotencyKeyNew())
                    .build())
        .as(TraceContext::traced);
  }

  @Override
  public Mono<PollTaskResponse> pollTask(PollTaskRequest request) {
    Scope scope = Callers.scope();
    return dispatch
        .pollTask(
            scope,
            request.getTenantId(),
            request.getQueue(),
            request.hasWorkerPoolId() ? request.getWorkerPoolId() : null,
            request.getWorkerId(),
            Duration.ofSeconds(Math.max(0, request.getTimeoutSeconds())))
        .doOnNext(task -> spans.handedOut(task.id(), task.traceparent()))
        .map(task -> PollTaskResponse.newBuilder().setTask(ProtoMapping.toTaskInfo(task)).build())
        .defaultIfEmpty(PollTaskResponse.getDefaultInstance())
        .as(TraceContext::traced);
  }

  @Override
  public Mono<Empty> completeTask(CompleteTaskRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.completeTask(scope, id, request.getOutput().toByteArray()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> failTask(FailTaskRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.failTask(scope, id, request.getError()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> reportProgress(ReportProgressRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(
            id -> dispatch.reportProgress(scope, id, request.getProgress(), request.getDetails()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> heartbeat(HeartbeatRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.heartbeat(scope, id))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> cancelTask(CancelTaskRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.cancelTask(scope, id))
        .thenReturn(Empty.getDefaultInstance());
  }

  // --- task state, logs and live data (docs/sdk-compatibility.md, TS, LG, ST)

  @Override
  public Mono<GetStateResponse> getState(GetStateRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.getTaskState(scope, id, request.getKey()))
        .map(
            value ->
                value
                    .map(
                        bytes ->
                            GetStateResponse.newBuilder()
                                .setFound(true)
                                .setValue(ByteString.copyFrom(bytes))
                                .build())
                    .orElse(GetStateResponse.getDefaultInstance()));
  }

  @Override
  public Mono<Empty> setState(SetStateRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(
            id ->
                dispatch.setTaskState(
                    scope, id, request.getKey(), request.getValue().toByteArray()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> clearState(ClearStateRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.clearTaskState(scope, id, request.getKey()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> clearAllState(ClearAllStateRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.clearAllTaskState(scope, id))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<GetStateKeysResponse> getStateKeys(GetStateKeysRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.taskStateKeys(scope, id))
        .map(keys -> GetStateKeysResponse.newBuilder().addAllKeys(keys).build());
  }

  @Override
  public Mono<Empty> logMessage(LogMessageRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.logMessage(scope, id, request.getLevel(), request.getMessage()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<ListTaskLogsResponse> listTaskLogs(ListTaskLogsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> taskId(request.getTaskExecutionId()))
        .flatMap(id -> dispatch.taskLogs(scope, id, request.getAfterId(), request.getLimit()))
        .map(
            lines ->
                ListTaskLogsResponse.newBuilder()
                    .addAllLines(lines.stream().map(TaskExecutionService::toLine).toList())
                    .build());
  }

  @Override
  public Mono<StreamTaskDataResponse> streamTaskData(StreamTaskDataRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> toTaskData(request))
        .flatMap(data -> dispatch.streamTaskData(scope, data))
        .thenReturn(StreamTaskDataResponse.newBuilder().setAcknowledged(true).build());
  }

  @Override
  public Flux<TaskDataEvent> subscribeTaskData(SubscribeTaskDataRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> subscription(request))
        .flatMap(
            target ->
                target.task()
                    ? dispatch.openTaskData(scope, target.id())
                    : dispatch.openWorkflowTaskData(scope, target.id()))
        .flatMapMany(feed -> feed)
        .map(TaskExecutionService::toEvent);
  }

  /** What a SubscribeTaskData request follows: one task, or every task of one workflow. */
  private record Subscription(boolean task, UUID id) {}

  private static Subscription subscription(SubscribeTaskDataRequest request) {
    boolean byTask = !request.getTaskExecutionId().isEmpty();
    boolean byWorkflow = !request.getWorkflowExecutionId().isEmpty();
    if (byTask == byWorkflow) {
      throw DispatchException.invalidArgument(
          "exactly one of task_execution_id and workflow_execution_id must be set");
    }
    return byTask
        ? new Subscription(true, taskId(request.getTaskExecutionId()))
        : new Subscription(
            false, ProtoMapping.uuid("workflow_execution_id", request.getWorkflowExecutionId()));
  }

  private TaskData toTaskData(StreamTaskDataRequest request) {
    UUID workflowId =
        request.getWorkflowExecutionId().isEmpty()
            ? null
            : ProtoMapping.uuid("workflow_execution_id", request.getWorkflowExecutionId());
    // received now, by this server's clock
    return TaskData.builder(taskId(request.getTaskExecutionId()), request.getTypeValue(), clock)
        .workflowExecutionId(workflowId)
        .sequence(request.getSequence())
        .payload(request.getPayload())
        .timestampMs(request.getTimestampMs())
        .build();
  }

  private static TaskDataEvent toEvent(TaskData data) {
    return TaskDataEvent.newBuilder()
        .setTaskExecutionId(data.taskExecutionId().toString())
        .setWorkflowExecutionId(
            data.workflowExecutionId() == null ? "" : data.workflowExecutionId().toString())
        .setSequence(data.sequence())
        .setTypeValue(data.type())
        .setPayload(data.payload())
        .setTimestampMs(data.timestampMs())
        .setReceivedAtMs(data.receivedAtMs())
        .build();
  }

  private static TaskLogLine toLine(ai.flovyn.dispatch.domain.TaskLogLine line) {
    return TaskLogLine.newBuilder()
        .setId(line.id())
        .setLevel(line.level())
        .setMessage(line.message())
        .setLoggedAtMs(line.loggedAt().toEpochMilli())
        .build();
  }

  // --- end of task state, logs and live data

  private static java.util.UUID taskId(String value) {
    return ProtoMapping.uuid("task_execution_id", value);
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
