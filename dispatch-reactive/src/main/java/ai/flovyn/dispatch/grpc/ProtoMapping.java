package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartChild;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowRequest;
import ai.flovyn.dispatch.proto.StartChildWorkflowRequest;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowExecution;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Maps requests from protobuf to the domain, rejecting what only the wire form can get wrong
 * (malformed UUIDs, a command type that does not match its payload, unordered sequence numbers)
 * with INVALID_ARGUMENT naming the field and command index.
 */
final class ProtoMapping {
  private ProtoMapping() {}

  static CommandBatch toBatch(SubmitWorkflowCommandsRequest request) {
    UUID workflowId = uuid("workflow_execution_id", request.getWorkflowExecutionId());
    List<Command> commands = new ArrayList<>(request.getCommandsCount());
    int lastSequence = 0;
    for (int i = 0; i < request.getCommandsCount(); i++) {
      WorkflowCommand command = request.getCommands(i);
      String at = "commands[" + i + "]";
      int sequence = command.getSequenceNumber();
      if (sequence != 0) {
        if (sequence <= lastSequence) {
          throw DispatchException.invalidArgument(
              at
                  + ".sequence_number "
                  + sequence
                  + " must be greater than the previous one ("
                  + lastSequence
                  + ")");
        }
        lastSequence = sequence;
      }
      if (isPlaceholder(command)) {
        continue;
      }
      commands.add(toCommand(at, command));
    }
    return new CommandBatch(workflowId, commands, status(request));
  }

  // The SDKs' stand-in for "cancel this task", which has no command of its own on the wire and
  // names no target: accepted and ignored (docs/sdk-compatibility.md, P1-P3).
  private static boolean isPlaceholder(WorkflowCommand command) {
    return command.getCommandType() == CommandType.COMMAND_TYPE_UNSPECIFIED
        && command.getCommandDataCase() == WorkflowCommand.CommandDataCase.COMMANDDATA_NOT_SET;
  }

  private static RequestedStatus status(SubmitWorkflowCommandsRequest request) {
    return switch (request.getStatus()) {
      case RUNNING -> RequestedStatus.RUNNING;
      case SUSPENDED -> RequestedStatus.SUSPENDED;
      case COMPLETED -> RequestedStatus.COMPLETED;
      case CANCELLED -> RequestedStatus.CANCELLED;
      case FAILED -> RequestedStatus.FAILED;
      case WORKFLOW_STATUS_UNSPECIFIED -> RequestedStatus.UNSPECIFIED;
      case UNRECOGNIZED ->
          throw DispatchException.invalidArgument(
              "status " + request.getStatusValue() + " is not a known WorkflowStatus");
    };
  }

  private static Command toCommand(String at, WorkflowCommand command) {
    CommandType expected = expectedType(command.getCommandDataCase());
    if (expected == null) {
      throw DispatchException.invalidArgument(at + " has no command data");
    }
    if (command.getCommandType() != expected) {
      throw DispatchException.invalidArgument(
          at
              + ".command_type "
              + command.getCommandType()
              + " does not match its payload "
              + command.getCommandDataCase().name().toLowerCase(java.util.Locale.ROOT));
    }
    return switch (command.getCommandDataCase()) {
      case SCHEDULE_TASK -> scheduleTask(at + ".schedule_task", command.getScheduleTask());
      case START_TIMER ->
          new Command.StartTimer(
              command.getStartTimer().getTimerId(), command.getStartTimer().getDurationMs());
      case CANCEL_TIMER -> new Command.CancelTimer(command.getCancelTimer().getTimerId());
      case CREATE_PROMISE -> {
        var promise = command.getCreatePromise();
        yield new Command.CreatePromise(
            promise.getPromiseId(),
            promise.hasTimeoutMs() ? promise.getTimeoutMs() : null,
            promise.hasIdempotencyKey() ? promise.getIdempotencyKey() : null,
            promise.hasIdempotencyKeyTtlSeconds() ? promise.getIdempotencyKeyTtlSeconds() : null);
      }
      case RESOLVE_PROMISE ->
          new Command.ResolvePromise(
              command.getResolvePromise().getPromiseId(),
              command.getResolvePromise().getValue().toByteArray());
      case RECORD_OPERATION ->
          new Command.RecordOperation(
              command.getRecordOperation().getOperationName(),
              command.getRecordOperation().getResult().toByteArray());
      case SET_STATE ->
          new Command.SetState(
              command.getSetState().getKey(), command.getSetState().getValue().toByteArray());
      case CLEAR_STATE -> new Command.ClearState(command.getClearState().getKey());
      case COMPLETE_WORKFLOW ->
          new Command.CompleteWorkflow(command.getCompleteWorkflow().getOutput().toByteArray());
      case FAIL_WORKFLOW ->
          new Command.FailWorkflow(
              command.getFailWorkflow().getError(),
              command.getFailWorkflow().getStackTrace(),
              command.getFailWorkflow().getFailureType());
      case CANCEL_WORKFLOW -> new Command.CancelWorkflow(command.getCancelWorkflow().getReason());
      case SUSPEND_WORKFLOW ->
          new Command.SuspendWorkflow(command.getSuspendWorkflow().getReason());
      case SCHEDULE_CHILD_WORKFLOW -> {
        var child = command.getScheduleChildWorkflow();
        yield new Command.ScheduleChildWorkflow(
            child.getChildExecutionName(),
            child.hasWorkflowKind() ? child.getWorkflowKind() : null,
            child.hasWorkflowDefinitionId() ? child.getWorkflowDefinitionId() : null,
            uuid(
                at + ".schedule_child_workflow.child_workflow_execution_id",
                child.getChildWorkflowExecutionId()),
            child.getInput().toByteArray(),
            child.getQueue().isEmpty() ? null : child.getQueue(),
            child.getPrioritySeconds());
      }
      case REQUEST_CANCEL_CHILD_WORKFLOW -> {
        var cancel = command.getRequestCancelChildWorkflow();
        yield new Command.RequestCancelChildWorkflow(
            cancel.getChildExecutionName(),
            uuid(
                at + ".request_cancel_child_workflow.child_workflow_execution_id",
                cancel.getChildWorkflowExecutionId()),
            cancel.getReason());
      }
      case COMMANDDATA_NOT_SET ->
          throw DispatchException.invalidArgument(at + " has no command data");
    };
  }

  private static Command.ScheduleTask scheduleTask(String at, ScheduleTaskCommand task) {
    return new Command.ScheduleTask(
        uuid(at + ".task_execution_id", task.getTaskExecutionId()),
        task.getTaskType(),
        task.getInput().toByteArray(),
        task.hasMaxRetries() ? task.getMaxRetries() : null,
        task.hasTimeoutMs() ? task.getTimeoutMs() : null,
        task.hasQueue() ? task.getQueue() : null,
        task.hasPrioritySeconds() ? task.getPrioritySeconds() : null,
        task.hasIdempotencyKey() ? task.getIdempotencyKey() : null,
        task.hasIdempotencyKeyTtlSeconds() ? task.getIdempotencyKeyTtlSeconds() : null);
  }

  private static CommandType expectedType(WorkflowCommand.CommandDataCase data) {
    return switch (data) {
      case RECORD_OPERATION -> CommandType.RECORD_OPERATION;
      case SET_STATE -> CommandType.SET_STATE;
      case CLEAR_STATE -> CommandType.CLEAR_STATE;
      case SCHEDULE_TASK -> CommandType.SCHEDULE_TASK;
      case COMPLETE_WORKFLOW -> CommandType.COMPLETE_WORKFLOW;
      case FAIL_WORKFLOW -> CommandType.FAIL_WORKFLOW;
      case SUSPEND_WORKFLOW -> CommandType.SUSPEND_WORKFLOW;
      case CANCEL_WORKFLOW -> CommandType.CANCEL_WORKFLOW;
      case CREATE_PROMISE -> CommandType.CREATE_PROMISE;
      case RESOLVE_PROMISE -> CommandType.RESOLVE_PROMISE;
      case SCHEDULE_CHILD_WORKFLOW -> CommandType.SCHEDULE_CHILD_WORKFLOW;
      case START_TIMER -> CommandType.START_TIMER;
      case CANCEL_TIMER -> CommandType.CANCEL_TIMER;
      case REQUEST_CANCEL_CHILD_WORKFLOW -> CommandType.REQUEST_CANCEL_CHILD_WORKFLOW;
      case COMMANDDATA_NOT_SET -> null;
    };
  }

  static StartWorkflow toStart(StartWorkflowRequest request, String traceparent) {
    return new StartWorkflow(
        request.getTenantId(),
        request.getWorkflowKind(),
        request.getInput().toByteArray(),
        request.getMetadataMap(),
        request.getQueue(),
        request.getPrioritySeconds(),
        request.hasWorkflowDefinitionId() ? request.getWorkflowDefinitionId() : null,
        request.hasParentWorkflowExecutionId()
            ? uuid("parent_workflow_execution_id", request.getParentWorkflowExecutionId())
            : null,
        request.hasWorkflowVersion() ? request.getWorkflowVersion() : null,
        request.hasIdempotencyKey() ? request.getIdempotencyKey() : null,
        request.hasIdempotencyKeyTtlSeconds() ? request.getIdempotencyKeyTtlSeconds() : null,
        traceparent);
  }

  @SuppressWarnings("deprecation")
  static SubmitTask toSubmitTask(SubmitTaskRequest request, String traceparent) {
    return new SubmitTask(
        request.getWorkflowExecutionId().isEmpty()
            ? null
            : uuid("workflow_execution_id", request.getWorkflowExecutionId()),
        request.getTenantId(),
        request.getTaskType(),
        request.getInput().toByteArray(),
        request.getMetadataMap(),
        request.getMaxRetries() == 0 ? null : request.getMaxRetries(),
        request.getTimeoutMs() == 0 ? null : request.getTimeoutMs(),
        request.hasIdempotencyKey() ? request.getIdempotencyKey() : null,
        request.hasIdempotencyKeyTtlSeconds() ? request.getIdempotencyKeyTtlSeconds() : null,
        request.getQueue(),
        request.hasWorkerPoolId() ? request.getWorkerPoolId() : null,
        traceparent);
  }

  static PollResponse toPollResponse(ClaimedWorkflow workflow) {
    WorkflowExecution.Builder execution =
        WorkflowExecution.newBuilder()
            .setId(workflow.id().toString())
            .setKind(workflow.kind())
            .setTenantId(workflow.tenantId())
            .setInput(ByteString.copyFrom(workflow.input()))
            .setQueue(workflow.queue())
            .setPriorityMs(workflow.prioritySeconds() * 1000L)
            .setCreatedAtMs(workflow.createdAt().toEpochMilli())
            .setCurrentSequence(workflow.currentSequence())
            // the SDK's deterministic clock for this activation: epoch ms, the same on replays
            .setWorkflowTaskTimeMillis(workflow.claimedAt().toEpochMilli());
    if (workflow.workflowDefinitionId() != null) {
      execution.setWorkflowDefinitionId(workflow.workflowDefinitionId());
    }
    if (workflow.workerPoolId() != null) {
      execution.setWorkerPoolId(workflow.workerPoolId());
    }
    if (workflow.workflowVersion() != null) {
      execution.setWorkflowVersion(workflow.workflowVersion());
    }
    PollResponse.Builder response = PollResponse.newBuilder().setWorkflowExecution(execution);
    if (workflow.traceparent() != null) {
      response.setTraceparent(workflow.traceparent());
    }
    return response.build();
  }

  static TaskExecutionInfo toTaskInfo(ClaimedTask task) {
    TaskExecutionInfo.Builder info =
        TaskExecutionInfo.newBuilder()
            .setTaskExecutionId(task.id().toString())
            .setTaskType(task.taskType())
            .setInput(ByteString.copyFrom(task.input()))
            .setWorkflowExecutionId(task.workflowId() == null ? "" : task.workflowId().toString())
            .setExecutionCount(task.executionCount())
            .setQueue(task.queue());
    if (task.workerPoolId() != null) {
      info.setWorkerPoolId(task.workerPoolId());
    }
    if (task.traceparent() != null) {
      info.setTraceparent(task.traceparent());
    }
    return info.build();
  }

  static SignalWithStart toSignalWithStart(
      SignalWithStartWorkflowRequest request, String traceparent) {
    return new SignalWithStart(
        request.getTenantId(),
        request.getWorkflowId(),
        request.getWorkflowKind(),
        request.getWorkflowInput().toByteArray(),
        request.getQueue(),
        request.getPrioritySeconds(),
        request.hasWorkflowVersion() ? request.getWorkflowVersion() : null,
        request.getMetadataMap(),
        request.getSignalName(),
        request.getSignalValue().toByteArray(),
        request.hasIdempotencyKeyTtlSeconds() ? request.getIdempotencyKeyTtlSeconds() : null,
        traceparent);
  }

  static StartChild toStartChild(StartChildWorkflowRequest request, String traceparent) {
    return new StartChild(
        uuid("parent_workflow_execution_id", request.getParentWorkflowExecutionId()),
        request.getChildExecutionName(),
        request.getTenantId(),
        request.hasWorkflowKind() ? request.getWorkflowKind() : null,
        request.hasWorkflowDefinitionId() ? request.getWorkflowDefinitionId() : null,
        request.getInput().toByteArray(),
        request.getQueue(),
        request.getPrioritySeconds(),
        traceparent);
  }

  /** A client's value as it may be echoed in a message: at most 64 characters. */
  static String shown(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }

  /** Parses a UUID in its canonical 36-character form. */
  static UUID uuid(String field, String value) {
    if (value.length() != 36) {
      throw notUuid(field, value);
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw notUuid(field, value);
    }
  }

  private static DispatchException notUuid(String field, String value) {
    return DispatchException.invalidArgument(field + " must be a UUID, got '" + shown(value) + "'");
  }
}
