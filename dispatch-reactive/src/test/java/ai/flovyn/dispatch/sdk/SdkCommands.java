package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.ClearStateCommand;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.RecordOperationCommand;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SetStateCommand;
import ai.flovyn.dispatch.proto.StartTimerCommand;
import ai.flovyn.dispatch.proto.SuspendWorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import com.google.protobuf.ByteString;
import java.util.UUID;

/**
 * Workflow commands filled the way the SDK's converters fill them ({@code
 * convert_command_to_proto}, {@code to_proto_command}), without sequence numbers: {@link SdkBatch}
 * numbers them.
 */
public final class SdkCommands {
  private SdkCommands() {}

  /** ScheduleTask with the SDK's own id, no retry/timeout/queue overrides. */
  public static WorkflowCommand scheduleTask(UUID taskId, String kind, String inputJson) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_TASK)
        .setScheduleTask(
            ScheduleTaskCommand.newBuilder()
                .setTaskType(kind)
                .setTaskExecutionId(taskId.toString())
                .setInput(utf8(inputJson)))
        .build();
  }

  public static WorkflowCommand startTimer(String timerId, long durationMs) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.START_TIMER)
        .setStartTimer(StartTimerCommand.newBuilder().setTimerId(timerId).setDurationMs(durationMs))
        .build();
  }

  /**
   * CreatePromise: {@code promise_id} carries the promise's name (docs/sdk-compatibility.md, E6).
   */
  public static WorkflowCommand createPromise(String name, Long timeoutMs) {
    CreatePromiseCommand.Builder promise = CreatePromiseCommand.newBuilder().setPromiseId(name);
    if (timeoutMs != null) {
      promise.setTimeoutMs(timeoutMs);
    }
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.CREATE_PROMISE)
        .setCreatePromise(promise)
        .build();
  }

  /** ScheduleChildWorkflow with the SDK's own id and an empty queue (= the parent's, CW2). */
  public static WorkflowCommand scheduleChild(
      String name, String kind, UUID childId, String inputJson) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
        .setScheduleChildWorkflow(
            ScheduleChildWorkflowCommand.newBuilder()
                .setChildExecutionName(name)
                .setWorkflowKind(kind)
                .setChildWorkflowExecutionId(childId.toString())
                .setInput(utf8(inputJson)))
        .build();
  }

  public static WorkflowCommand recordOperation(String name, String resultJson) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.RECORD_OPERATION)
        .setRecordOperation(
            RecordOperationCommand.newBuilder().setOperationName(name).setResult(utf8(resultJson)))
        .build();
  }

  public static WorkflowCommand setState(String key, String valueJson) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SET_STATE)
        .setSetState(SetStateCommand.newBuilder().setKey(key).setValue(utf8(valueJson)))
        .build();
  }

  public static WorkflowCommand clearState(String key) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.CLEAR_STATE)
        .setClearState(ClearStateCommand.newBuilder().setKey(key))
        .build();
  }

  /** The placeholder for a task (or child) cancellation: UNSPECIFIED with no data (P1). */
  public static WorkflowCommand placeholder() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMMAND_TYPE_UNSPECIFIED)
        .build();
  }

  public static WorkflowCommand completeWorkflow(String outputJson) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMPLETE_WORKFLOW)
        .setCompleteWorkflow(CompleteWorkflowCommand.newBuilder().setOutput(utf8(outputJson)))
        .build();
  }

  /** FailWorkflow as every front-end sends it: empty stack trace, free-text failure type. */
  public static WorkflowCommand failWorkflow(String error, String failureType) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.FAIL_WORKFLOW)
        .setFailWorkflow(
            FailWorkflowCommand.newBuilder()
                .setError(error)
                .setStackTrace("")
                .setFailureType(failureType))
        .build();
  }

  public static WorkflowCommand suspendWorkflow(String reason) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SUSPEND_WORKFLOW)
        .setSuspendWorkflow(SuspendWorkflowCommand.newBuilder().setReason(reason))
        .build();
  }

  static ByteString utf8(String json) {
    return ByteString.copyFromUtf8(json);
  }
}
