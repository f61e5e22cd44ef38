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

  /**
   * Copies {@code metadata}, so that a caller's later change to its map cannot reach the request.
   *
   * @param workflowExecutionId the workflow the task belongs to; null for a standalone task
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param taskType the type a worker runs (a non-empty name)
   * @param input the task's input, stored as given; must not be null (empty is fine)
   * @param metadata stored with the task; null keys or values fail the submit with INVALID_ARGUMENT
   * @param maxRetries how many times a failed attempt is retried; null for 3
   * @param timeoutMs the longest an attempt may run, in milliseconds; null for no limit beyond the
   *     lease
   * @param idempotencyKey makes a repeated submit return the first task; null for none
   * @param idempotencyKeyTtlSeconds how long the key holds, 1 s to 30 days; null for one day
   * @param queue the queue workers poll it from; null or empty means {@code "default"}
   * @param workerPoolId only workers of this pool may claim it; null for any
   * @param traceparent the W3C trace context; null, or dropped when malformed
   */
  public SubmitTask {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code taskType}; every other field starts at its
   * default (see the builder's setters).
   *
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param taskType the type a worker runs (a non-empty name)
   * @return a builder for a standalone task with an empty input and no options set
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

    /**
     * The workflow the task belongs to (default: null, a standalone task).
     *
     * @param value the owning workflow's id; null for a standalone task
     * @return this builder
     */
    public Builder workflowExecutionId(UUID value) {
      this.workflowExecutionId = value;
      return this;
    }

    /**
     * The tenant (required: a non-empty name).
     *
     * @param value a non-empty name, the caller's tenant
     * @return this builder
     */
    public Builder tenantId(String value) {
      this.tenantId = value;
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
     * @param value the input bytes, stored as given; not null (the submit fails with
     *     INVALID_ARGUMENT)
     * @return this builder
     */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /**
     * Metadata stored with the task (default: none).
     *
     * @param value the entries, copied on build; no null key or value
     * @return this builder
     */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
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
     * @param value milliseconds per attempt; null for no limit beyond the lease
     * @return this builder
     */
    public Builder timeoutMs(Long value) {
      this.timeoutMs = value;
      return this;
    }

    /**
     * A key that makes a repeated submit return the first task (default: null, none).
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
     * The queue workers poll it from (default: null, meaning {@code "default"}).
     *
     * @param value a queue name; null or empty for {@code "default"}
     * @return this builder
     */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /**
     * Only workers of this pool may claim it (default: null, any).
     *
     * @param value a pool name; null for any worker
     * @return this builder
     */
    public Builder workerPoolId(String value) {
      this.workerPoolId = value;
      return this;
    }

    /**
     * The W3C trace context stored with it (default: null, none).
     *
     * @param value {@code 00-<32 hex>-<16 hex>-<2 hex>}; a malformed one is dropped, not refused
     * @return this builder
     */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link SubmitTask}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     *
     * @return the request, with {@code metadata} copied
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
