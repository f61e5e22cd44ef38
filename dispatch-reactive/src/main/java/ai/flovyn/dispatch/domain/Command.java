package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * One command of a batch a workflow worker sends. Payload byte arrays are never null (empty means
 * none); boxed numbers and strings that may be null mean "not set, use the default".
 */
public sealed interface Command {

  /**
   * Schedules task {@code taskExecutionId} of {@code taskType} with {@code input} and every option
   * at its default (3 retries, no timeout, the workflow's queue, priority 0, no idempotency key);
   * {@link ScheduleTask#builder} sets the others.
   *
   * @param taskExecutionId the client-generated id; a batch repeated with the same id creates no
   *     second task
   * @param taskType the type a worker runs (a non-empty name)
   * @param input the task's input, stored as given; must not be null (empty is fine)
   * @return the command, unchecked until the batch carrying it is applied
   */
  static ScheduleTask scheduleTask(UUID taskExecutionId, String taskType, byte[] input) {
    return ScheduleTask.builder(taskExecutionId, taskType).input(input).build();
  }

  /**
   * Starts timer {@code timerId} that fires after {@code durationMs}.
   *
   * @param timerId the timer's name, unique within the workflow (a non-empty name)
   * @param durationMs milliseconds from the batch's commit until TIMER_FIRED, 0 to 3650 days
   * @return the command, unchecked until the batch carrying it is applied
   */
  static StartTimer startTimer(String timerId, long durationMs) {
    return new StartTimer(timerId, durationMs);
  }

  /**
   * Creates promise {@code promiseId} with no timeout and no idempotency key.
   *
   * @param promiseId the promise's name within the workflow; its global id is {@code <workflow
   *     id>:<promiseId>}
   * @return the command, unchecked until the batch carrying it is applied
   */
  static CreatePromise createPromise(String promiseId) {
    return new CreatePromise(promiseId, null, null, null);
  }

  /**
   * Sets workflow state {@code key} to the JSON {@code value}.
   *
   * @param key the state key (a non-empty name)
   * @param value UTF-8 JSON text; must not be null
   * @return the command, unchecked until the batch carrying it is applied
   */
  static SetState setState(String key, byte[] value) {
    return new SetState(key, value);
  }

  /**
   * Finishes the workflow with {@code output}.
   *
   * @param output the workflow's result, stored as given; must not be null (empty is fine)
   * @return the command, unchecked until the batch carrying it is applied
   */
  static CompleteWorkflow completeWorkflow(byte[] output) {
    return new CompleteWorkflow(output);
  }

  /**
   * Fails the workflow with {@code error}, no stack trace and no failure type.
   *
   * @param error what went wrong, shown in WORKFLOW_FAILED
   * @return the command, unchecked until the batch carrying it is applied
   */
  static FailWorkflow failWorkflow(String error) {
    return new FailWorkflow(error, null, null);
  }

  /**
   * Starts child {@code childExecutionName} of {@code workflowKind} under the client-generated
   * {@code childWorkflowExecutionId}, in the parent's queue at priority 0.
   *
   * @param childExecutionName the child's name, unique within the parent
   * @param workflowKind the kind a worker polls for (a non-empty name)
   * @param childWorkflowExecutionId the client-generated id; a batch repeated with the same id
   *     creates no second child
   * @param input the child's input, stored as given; must not be null (empty is fine)
   * @return the command, unchecked until the batch carrying it is applied
   */
  static ScheduleChildWorkflow scheduleChildWorkflow(
      String childExecutionName, String workflowKind, UUID childWorkflowExecutionId, byte[] input) {
    return new ScheduleChildWorkflow(
        childExecutionName, workflowKind, null, childWorkflowExecutionId, input, null, 0);
  }

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
      implements Command {

    /**
     * A builder for the task {@code taskExecutionId} of {@code taskType}; the rest defaults.
     *
     * @param taskExecutionId the client-generated id of the task
     * @param taskType the type a worker runs (a non-empty name)
     * @return a builder with an empty input and every option unset (its default)
     */
    public static Builder builder(UUID taskExecutionId, String taskType) {
      return new Builder(taskExecutionId, taskType);
    }

    /** Builds a {@link ScheduleTask} field by field; the setters name each field's default. */
    public static final class Builder {
      private UUID taskExecutionId;
      private String taskType;
      private byte[] input = new byte[0];
      private Integer maxRetries;
      private Long timeoutMs;
      private String queue;
      private Integer prioritySeconds;
      private String idempotencyKey;
      private Long idempotencyKeyTtlSeconds;

      private Builder(UUID taskExecutionId, String taskType) {
        this.taskExecutionId = taskExecutionId;
        this.taskType = taskType;
      }

      /**
       * The client-generated task id (required).
       *
       * @param value the client-generated id; not null
       * @return this builder
       */
      public Builder taskExecutionId(UUID value) {
        this.taskExecutionId = value;
        return this;
      }

      /**
       * The task's type (required: a non-empty name).
       *
       * @param value a non-empty name, at most 255 characters
       * @return this builder
       */
      public Builder taskType(String value) {
        this.taskType = value;
        return this;
      }

      /**
       * The task's input (default: empty).
       *
       * @param value the input bytes, stored as given; not null (the batch fails with
       *     INVALID_ARGUMENT)
       * @return this builder
       */
      public Builder input(byte[] value) {
        this.input = value;
        return this;
      }

      /**
       * How many times a failed attempt is retried (default: null, meaning 3).
       *
       * @param value retries after the first attempt, 0 to 1000; null for 3
       * @return this builder
       */
      public Builder maxRetries(Integer value) {
        this.maxRetries = value;
        return this;
      }

      /**
       * The longest an attempt may run (default: null, no limit beyond the lease).
       *
       * @param value milliseconds per attempt, 1 ms to 30 days; null for no limit beyond the lease
       * @return this builder
       */
      public Builder timeoutMs(Long value) {
        this.timeoutMs = value;
        return this;
      }

      /**
       * The queue workers poll it from (default: null, the workflow's queue).
       *
       * @param value a queue name; null for the workflow's queue
       * @return this builder
       */
      public Builder queue(String value) {
        this.queue = value;
        return this;
      }

      /**
       * How many seconds earlier than its creation it is ordered (default: null, 0).
       *
       * @param value seconds ahead (negative: behind) of creation order, at most 10 years either
       *     way; null for 0
       * @return this builder
       */
      public Builder prioritySeconds(Integer value) {
        this.prioritySeconds = value;
        return this;
      }

      /**
       * A key that makes a repeat return the first task (default: null, none).
       *
       * @param value the key, unique per tenant while it holds; null for none
       * @return this builder
       */
      public Builder idempotencyKey(String value) {
        this.idempotencyKey = value;
        return this;
      }

      /**
       * How long the idempotency key holds (default: null, the server's default).
       *
       * @param value 1 s to 30 days; null for one day
       * @return this builder
       */
      public Builder idempotencyKeyTtlSeconds(Long value) {
        this.idempotencyKeyTtlSeconds = value;
        return this;
      }

      /**
       * The command; nothing is checked here: the batch that carries it is.
       *
       * @return the command, as set
       */
      public ScheduleTask build() {
        return new ScheduleTask(
            taskExecutionId,
            taskType,
            input,
            maxRetries,
            timeoutMs,
            queue,
            prioritySeconds,
            idempotencyKey,
            idempotencyKeyTtlSeconds);
      }
    }
  }

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
