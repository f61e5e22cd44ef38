package ai.flovyn.dispatch.domain;

import java.util.Map;
import java.util.UUID;

/**
 * A request to start a workflow. Nullable fields are optional; {@code traceparent} is the W3C trace
 * context to store with it.
 */
public record StartWorkflow(
    String tenantId,
    String workflowKind,
    byte[] input,
    Map<String, String> metadata,
    String queue,
    int prioritySeconds,
    String workflowDefinitionId,
    UUID parentWorkflowExecutionId,
    String workflowVersion,
    String idempotencyKey,
    Long idempotencyKeyTtlSeconds,
    String traceparent) {

  /**
   * Copies {@code metadata}, so that a caller's later change to its map cannot reach the request.
   *
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param workflowKind the kind a worker polls for (a non-empty name)
   * @param input the workflow's input, stored as given; must not be null (empty is fine)
   * @param metadata stored with the workflow; null keys or values fail the start with
   *     INVALID_ARGUMENT
   * @param queue the queue workers poll it from; null or empty means {@code "default"}
   * @param prioritySeconds how many seconds earlier than its creation it is ordered (negative:
   *     later), at most 10 years either way
   * @param workflowDefinitionId the definition it runs; null for none
   * @param parentWorkflowExecutionId the parent, of the same tenant; null for none
   * @param workflowVersion the version; null for none
   * @param idempotencyKey makes a repeated start return the first workflow; null for none
   * @param idempotencyKeyTtlSeconds how long the key holds, 1 s to 30 days; null for one day
   * @param traceparent the W3C trace context; null, or dropped when malformed
   */
  public StartWorkflow {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code workflowKind}; every other field starts at
   * its default (see the builder's setters).
   *
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param workflowKind the kind a worker polls for (a non-empty name)
   * @return a builder with an empty input and no options set
   */
  public static Builder builder(String tenantId, String workflowKind) {
    return new Builder(tenantId, workflowKind);
  }

  /** Builds a {@link StartWorkflow} field by field; the setters name each field's default. */
  public static final class Builder {
    private String tenantId = null;
    private String workflowKind = null;
    private byte[] input = new byte[0];
    private Map<String, String> metadata = Map.of();
    private String queue = null;
    private int prioritySeconds = 0;
    private String workflowDefinitionId = null;
    private UUID parentWorkflowExecutionId = null;
    private String workflowVersion = null;
    private String idempotencyKey = null;
    private Long idempotencyKeyTtlSeconds = null;
    private String traceparent = null;

    private Builder(String tenantId, String workflowKind) {
      this.tenantId = tenantId;
      this.workflowKind = workflowKind;
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
     * The workflow's kind (required: a non-empty name).
     *
     * @param value a non-empty name, at most 255 characters
     * @return this builder
     */
    public Builder workflowKind(String value) {
      this.workflowKind = value;
      return this;
    }

    /**
     * The workflow's input (default: empty).
     *
     * @param value the input bytes, stored as given; not null (the start fails with
     *     INVALID_ARGUMENT)
     * @return this builder
     */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /**
     * Metadata stored with the workflow (default: none).
     *
     * @param value the entries, copied on build; no null key or value
     * @return this builder
     */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
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
     * How many seconds earlier than its creation time it is ordered (default 0).
     *
     * @param value seconds ahead (negative: behind) of creation order, at most 10 years either way
     * @return this builder
     */
    public Builder prioritySeconds(int value) {
      this.prioritySeconds = value;
      return this;
    }

    /**
     * The definition it runs (default: null, none).
     *
     * @param value the definition's id; null for none
     * @return this builder
     */
    public Builder workflowDefinitionId(String value) {
      this.workflowDefinitionId = value;
      return this;
    }

    /**
     * The parent workflow, of the same tenant (default: null, none).
     *
     * @param value the parent's id; null for a top-level workflow
     * @return this builder
     */
    public Builder parentWorkflowExecutionId(UUID value) {
      this.parentWorkflowExecutionId = value;
      return this;
    }

    /**
     * The workflow's version (default: null, none).
     *
     * @param value the version text; null for none
     * @return this builder
     */
    public Builder workflowVersion(String value) {
      this.workflowVersion = value;
      return this;
    }

    /**
     * A key that makes a repeated start return the first workflow (default: null, none).
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
     * The {@link StartWorkflow}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     *
     * @return the request, with {@code metadata} copied
     */
    public StartWorkflow build() {
      return new StartWorkflow(
          tenantId,
          workflowKind,
          input,
          metadata,
          queue,
          prioritySeconds,
          workflowDefinitionId,
          parentWorkflowExecutionId,
          workflowVersion,
          idempotencyKey,
          idempotencyKeyTtlSeconds,
          traceparent);
    }
  }
}
