package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.UUID;

/**
 * The event a command records: its type, JSON data and identity (null when repeatable). The keys
 * are the ones the SDK's replay reads (docs/sdk-compatibility.md, E2-E9), and every type is one of
 * the strings all three SDK front-ends know (E1).
 */
record EventSpec(String type, String json, String identity) {

  static EventSpec of(UUID workflowId, Command command) {
    if (command instanceof Command.ScheduleTask task) {
      return new EventSpec(
          "TASK_SCHEDULED",
          EventData.object()
              .put("kind", task.taskType())
              .put("taskType", task.taskType())
              .put("taskExecutionId", task.taskExecutionId().toString())
              .payload("input", task.input())
              .json(),
          Identities.taskScheduled(task.taskExecutionId()));
    }
    if (command instanceof Command.StartTimer timer) {
      return new EventSpec(
          "TIMER_STARTED",
          EventData.object()
              .put("timerId", timer.timerId())
              .put("durationMs", timer.durationMs())
              .json(),
          Identities.timerStarted(timer.timerId()));
    }
    if (command instanceof Command.CancelTimer timer) {
      return new EventSpec(
          "TIMER_CANCELLED",
          EventData.object().put("timerId", timer.timerId()).json(),
          Identities.timerCancelled(timer.timerId()));
    }
    if (command instanceof Command.CreatePromise promise) {
      return new EventSpec(
          "PROMISE_CREATED",
          EventData.object()
              .put("promiseId", Identities.promiseId(workflowId, promise.promiseId()))
              .put("promiseName", promise.promiseId())
              .json(),
          Identities.promiseCreated(promise.promiseId()));
    }
    if (command instanceof Command.ResolvePromise promise) {
      String name = Identities.promiseName(workflowId, promise.promiseId());
      return new EventSpec(
          "PROMISE_RESOLVED",
          EventData.object()
              .put("promiseId", Identities.promiseId(workflowId, name))
              .put("promiseName", name)
              .payload("value", promise.value())
              .json(),
          Identities.promiseSettled(name));
    }
    return repeatable(command);
  }

  private static EventSpec repeatable(Command command) {
    if (command instanceof Command.RecordOperation operation) {
      return new EventSpec(
          "OPERATION_COMPLETED",
          EventData.object()
              .put("operationName", operation.operationName())
              .payload("result", operation.result())
              .json(),
          null);
    }
    if (command instanceof Command.SetState state) {
      return new EventSpec(
          "STATE_SET",
          EventData.object().put("key", state.key()).payload("value", state.value()).json(),
          null);
    }
    if (command instanceof Command.ClearState state) {
      return new EventSpec(
          "STATE_CLEARED", EventData.object().put("key", state.key()).json(), null);
    }
    return lifecycle(command);
  }

  private static EventSpec lifecycle(Command command) {
    if (command instanceof Command.CompleteWorkflow complete) {
      return new EventSpec(
          "WORKFLOW_COMPLETED",
          EventData.object().payload("output", complete.output()).json(),
          null);
    }
    if (command instanceof Command.FailWorkflow fail) {
      return new EventSpec(
          "WORKFLOW_EXECUTION_FAILED",
          EventData.object()
              .put("error", fail.error())
              .put("stackTrace", fail.stackTrace())
              .put("failureType", fail.failureType())
              .json(),
          null);
    }
    if (command instanceof Command.CancelWorkflow cancel) {
      return new EventSpec(
          "WORKFLOW_CANCELLED", EventData.object().put("reason", cancel.reason()).json(), null);
    }
    if (command instanceof Command.SuspendWorkflow suspend) {
      return new EventSpec(
          "WORKFLOW_SUSPENDED", EventData.object().put("reason", suspend.reason()).json(), null);
    }
    if (command instanceof Command.ScheduleChildWorkflow child) {
      return new EventSpec(
          "CHILD_WORKFLOW_INITIATED",
          EventData.object()
              .put("childExecutionName", child.childExecutionName())
              .put(
                  "childWorkflowKind",
                  child.workflowKind() != null
                      ? child.workflowKind()
                      : child.workflowDefinitionId())
              .put("childExecutionId", child.childWorkflowExecutionId().toString())
              .json(),
          Identities.childInitiated(child.childWorkflowExecutionId()));
    }
    // RequestCancelChildWorkflow records nothing of its own: the parent learns the end of the
    // child through CHILD_WORKFLOW_FAILED, the only outcome the SDK reads (E5)
    return null;
  }
}
