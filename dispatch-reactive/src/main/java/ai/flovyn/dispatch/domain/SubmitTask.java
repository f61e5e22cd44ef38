package ai.flovyn.dispatch.domain;

import java.util.Map;
import java.util.UUID;

/**
 * The deprecated two-step path: create a task under a server-generated id, standalone when {@code
 * workflowExecutionId} is null. Nullable fields are optional.
 */
public record SubmitTask(
    UUID workflowExecutionId,
    String tenantId,
    String taskType,
    byte[] input,
    Map<String, String> metadata,
    Integer maxRetries,
    Long timeoutMs,
    String idempotencyKey,
    Long idempotencyKeyTtlSeconds,
    String queue,
    String workerPoolId,
    String traceparent) {

  public SubmitTask {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code taskType}; every other field starts at its
   * default (see the builder's setters).
   */
  public static Builder builder(String tenantId, String taskType) {
    return new Builder(tenantId, taskType);
  }

  /** Builds a {@link SubmitTask} field by field; the setters name each field's default. */
  public static final class Builder {
    private UUID workflowExecutionId = null;
    private String tenantId = null;
    private String taskType = null;
    private byte[] input = new byte[0];
    private Map<String, String> metadata = Map.of();
    private Integer maxRetries = null;
    private Long timeoutMs = null;
    private String idempotencyKey = null;
    private Long idempotencyKeyTtlSeconds = null;
    private String queue = null;
    private String workerPoolId = null;
    private String traceparent = null;

    private Builder(String tenantId, String taskType) {
      this.tenantId = tenantId;
      this.taskType = taskType;
    }

    /** The workflow the task belongs to (default: null, a standalone task). */
    public Builder workflowExecutionId(UUID value) {
      this.workflowExecutionId = value;
      return this;
    }

    /** The tenant (required: a non-empty name). */
    public Builder tenantId(String value) {
      this.tenantId = value;
      return this;
    }

    /** The task's type (required: a non-empty name). */
    public Builder taskType(String value) {
      this.taskType = value;
      return this;
    }

    /** The task's input (default: empty). */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /** Metadata stored with the task (default: none). */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /** How many times a failed attempt is retried (default: null, meaning 3). */
    public Builder maxRetries(Integer value) {
      this.maxRetries = value;
      return this;
    }

    /** The longest an attempt may run (default: null, no limit beyond the lease). */
    public Builder timeoutMs(Long value) {
      this.timeoutMs = value;
      return this;
    }

    /** A key that makes a repeated submit return the first task (default: null, none). */
    public Builder idempotencyKey(String value) {
      this.idempotencyKey = value;
      return this;
    }

    /** How long the idempotency key holds (default: null, the server's default). */
    public Builder idempotencyKeyTtlSeconds(Long value) {
      this.idempotencyKeyTtlSeconds = value;
      return this;
    }

    /** The queue workers poll it from (default: null, meaning {@code "default"}). */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /** Only workers of this pool may claim it (default: null, any). */
    public Builder workerPoolId(String value) {
      this.workerPoolId = value;
      return this;
    }

    /** The W3C trace context stored with it (default: null, none). */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link SubmitTask}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     */
    public SubmitTask build() {
      return new SubmitTask(
          workflowExecutionId,
          tenantId,
          taskType,
          input,
          metadata,
          maxRetries,
          timeoutMs,
          idempotencyKey,
          idempotencyKeyTtlSeconds,
          queue,
          workerPoolId,
          traceparent);
    }
  }
}
