package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * A PENDING task execution row to insert; {@code workflowId} null for a standalone task. Built with
 * {@link #builder}, which names each field and its default.
 */
public record NewTask(
    UUID id,
    String tenantId,
    UUID workflowId,
    String taskType,
    byte[] input,
    String queue,
    int maxRetries,
    Long timeoutMs,
    int prioritySeconds,
    String traceparent,
    String idempotencyKey,
    String metadataJson,
    String workerPoolId) {

  /** How many times a failed attempt is retried when the request does not say. */
  public static final int DEFAULT_MAX_RETRIES = 3;

  /** A task {@code id} of {@code taskType}: empty input, default retries, the rest unset. */
  public static Builder builder(UUID id, String taskType) {
    return new Builder(id, taskType);
  }

  /** Sets a {@link NewTask}'s fields by name. */
  public static final class Builder {
    private final UUID id;
    private final String taskType;
    private String tenantId;
    private UUID workflowId;
    private byte[] input = new byte[0];
    private String queue;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Long timeoutMs;
    private int prioritySeconds;
    private String traceparent;
    private String idempotencyKey;
    private String metadataJson;
    private String workerPoolId;

    private Builder(UUID id, String taskType) {
      this.id = id;
      this.taskType = taskType;
    }

    public Builder tenant(String value) {
      tenantId = value;
      return this;
    }

    /** The workflow the task belongs to (default: none, a standalone task). */
    public Builder workflow(UUID value) {
      workflowId = value;
      return this;
    }

    public Builder input(byte[] value) {
      input = value;
      return this;
    }

    public Builder queue(String value) {
      queue = value;
      return this;
    }

    /** Retries after the first attempt; null keeps {@link #DEFAULT_MAX_RETRIES}. */
    public Builder maxRetries(Integer value) {
      maxRetries = value != null ? value : DEFAULT_MAX_RETRIES;
      return this;
    }

    public Builder timeoutMs(Long value) {
      timeoutMs = value;
      return this;
    }

    /** Priority in seconds of head start; null keeps 0. */
    public Builder prioritySeconds(Integer value) {
      prioritySeconds = value != null ? value : 0;
      return this;
    }

    public Builder traceparent(String value) {
      traceparent = value;
      return this;
    }

    public Builder idempotencyKey(String value) {
      idempotencyKey = value;
      return this;
    }

    /** The metadata as a JSON object's text (default: none, stored as {@code {}}). */
    public Builder metadataJson(String value) {
      metadataJson = value;
      return this;
    }

    public Builder workerPool(String value) {
      workerPoolId = value;
      return this;
    }

    public NewTask build() {
      return new NewTask(
          id,
          tenantId,
          workflowId,
          taskType,
          input,
          queue,
          maxRetries,
          timeoutMs,
          prioritySeconds,
          traceparent,
          idempotencyKey,
          metadataJson,
          workerPoolId);
    }
  }
}
