package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * One command of a batch a workflow worker sends. Payload byte arrays are never null (empty means
 * none); boxed numbers and strings that may be null mean "not set, use the default".
 */
public sealed interface Command {

  /** Schedule a task execution under the client-generated id. */
  record ScheduleTask(
      UUID taskExecutionId,
      String taskType,
      byte[] input,
      Integer maxRetries,
      Long timeoutMs,
      String queue,
      Integer prioritySeconds,
      String idempotencyKey,
      Long idempotencyKeyTtlSeconds)
      implements Command {}

  /** Start a durable timer that fires after {@code durationMs}. */
  record StartTimer(String timerId, long durationMs) implements Command {}

  /** Cancel a timer that has not fired. */
  record CancelTimer(String timerId) implements Command {}

  /** Create a promise that ResolvePromise / RejectPromise settle later. */
  record CreatePromise(
      String promiseId, Long timeoutMs, String idempotencyKey, Long idempotencyKeyTtlSeconds)
      implements Command {}

  /** Resolve one of the workflow's own promises. */
  record ResolvePromise(String promiseId, byte[] value) implements Command {}

  /** Record the result of a side-effecting operation run in the workflow. */
  record RecordOperation(String operationName, byte[] result) implements Command {}

  /** Set a workflow state key. */
  record SetState(String key, byte[] value) implements Command {}

  /** Clear a workflow state key. */
  record ClearState(String key) implements Command {}

  /** Finish the workflow successfully. */
  record CompleteWorkflow(byte[] output) implements Command {}

  /** Finish the workflow with an error. */
  record FailWorkflow(String error, String stackTrace, String failureType) implements Command {}

  /** Finish the workflow as cancelled. */
  record CancelWorkflow(String reason) implements Command {}

  /** Suspend the workflow until something it waits for happens. */
  record SuspendWorkflow(String reason) implements Command {}

  /** Start a child workflow under the client-generated id. */
  record ScheduleChildWorkflow(
      String childExecutionName,
      String workflowKind,
      String workflowDefinitionId,
      UUID childWorkflowExecutionId,
      byte[] input,
      String queue,
      int prioritySeconds)
      implements Command {}

  /** Ask a child workflow to cancel. */
  record RequestCancelChildWorkflow(
      String childExecutionName, UUID childWorkflowExecutionId, String reason) implements Command {}
}
