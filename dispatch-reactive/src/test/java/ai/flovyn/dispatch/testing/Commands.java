package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SetStateCommand;
import ai.flovyn.dispatch.proto.StartTimerCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import com.google.protobuf.ByteString;
import java.util.List;
import java.util.UUID;

/** Builders for the protobuf requests tests send. */
public final class Commands {
  private Commands() {}

  public static StartWorkflowRequest start(String tenant, String queue) {
    return StartWorkflowRequest.newBuilder()
        .setTenantId(tenant)
        .setWorkflowKind("order-workflow")
        .setQueue(queue)
        .setInput(ByteString.copyFromUtf8("{\"order\":42}"))
        .build();
  }

  /**
   * Starts a workflow and claims it (RUNNING) by polling its queue, as a worker would before it
   * submits command batches; other PENDING workflows of that queue may be claimed on the way.
   */
  public static String startClaimed(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub, StartWorkflowRequest start) {
    String id = stub.startWorkflow(start).getWorkflowExecutionId();
    claim(stub, start.getTenantId(), start.getQueue(), id);
    return id;
  }

  /** Polls (tenant, queue) until the workflow {@code id} is the one handed out. */
  public static void claim(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub,
      String tenant,
      String queue,
      String id) {
    for (int i = 0; i < 1000; i++) {
      PollResponse polled =
          stub.pollWorkflow(
              PollRequest.newBuilder()
                  .setTenantId(tenant)
                  .setQueue(queue.isEmpty() ? "default" : queue)
                  .setWorkerId("test-claimer")
                  .setTimeoutSeconds(5)
                  .build());
      if (!polled.hasWorkflowExecution()) {
        throw new AssertionError("workflow " + id + " was not handed out on " + queue);
      }
      if (polled.getWorkflowExecution().getId().equals(id)) {
        return;
      }
    }
    throw new AssertionError("workflow " + id + " was not handed out on " + queue);
  }

  public static WorkflowCommand scheduleTask(UUID taskId, String taskType) {
    return scheduleTask(
        ScheduleTaskCommand.newBuilder()
            .setTaskExecutionId(taskId.toString())
            .setTaskType(taskType)
            .setInput(ByteString.copyFromUtf8("{\"n\":1}")));
  }

  public static WorkflowCommand scheduleTask(ScheduleTaskCommand.Builder task) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_TASK)
        .setScheduleTask(task)
        .build();
  }

  public static WorkflowCommand startTimer(String timerId, long durationMs) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.START_TIMER)
        .setStartTimer(StartTimerCommand.newBuilder().setTimerId(timerId).setDurationMs(durationMs))
        .build();
  }

  public static WorkflowCommand createPromise(String promiseId) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.CREATE_PROMISE)
        .setCreatePromise(CreatePromiseCommand.newBuilder().setPromiseId(promiseId))
        .build();
  }

  public static WorkflowCommand setState(String key, String value) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SET_STATE)
        .setSetState(
            SetStateCommand.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  /** CompleteWorkflow with an empty JSON object as its output. */
  public static WorkflowCommand completeWorkflow() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMPLETE_WORKFLOW)
        .setCompleteWorkflow(
            CompleteWorkflowCommand.newBuilder().setOutput(ByteString.copyFromUtf8("{}")))
        .build();
  }

  /** FailWorkflow with {@code error} as its error. */
  public static WorkflowCommand failWorkflow(String error) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.FAIL_WORKFLOW)
        .setFailWorkflow(FailWorkflowCommand.newBuilder().setError(error))
        .build();
  }

  public static SubmitWorkflowCommandsRequest batch(
      String workflowId, List<WorkflowCommand> commands) {
    return batch(workflowId, commands, WorkflowStatus.WORKFLOW_STATUS_UNSPECIFIED);
  }

  public static SubmitWorkflowCommandsRequest batch(
      String workflowId, List<WorkflowCommand> commands, WorkflowStatus status) {
    return SubmitWorkflowCommandsRequest.newBuilder()
        .setWorkflowExecutionId(workflowId)
        .addAllCommands(commands)
        .setStatus(status)
        .build();
  }
}
