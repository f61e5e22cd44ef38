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

  /** Copies {@code metadata}, so that a caller's later change to its map cannot reach the request. */
  public StartWorkflow {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code workflowKind}; every other field starts at
   * its default (see the builder's setters).
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

    /** The tenant (required: a non-empty name). */
    public Builder tenantId(String value) {
      this.tenantId = value;
      return this;
    }

    /** The workflow's kind (required: a non-empty name). */
    public Builder workflowKind(String value) {
      this.workflowKind = value;
      return this;
    }

    /** The workflow's input (default: empty). */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /** Metadata stored with the workflow (default: none). */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /** The queue workers poll it from (default: null, meaning {@code "default"}). */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /** How many seconds earlier than its creation time it is ordered (default 0). */
    public Builder prioritySeconds(int value) {
      this.prioritySeconds = value;
      return this;
    }

    /** The definition it runs (default: null, none). */
    public Builder workflowDefinitionId(String value) {
      this.workflowDefinitionId = value;
      return this;
    }

    /** The parent workflow, of the same tenant (default: null, none). */
    public Builder parentWorkflowExecutionId(UUID value) {
      this.parentWorkflowExecutionId = value;
      return this;
    }

    /** The workflow's version (default: null, none). */
    public Builder workflowVersion(String value) {
      this.workflowVersion = value;
      return this;
    }

    /** A key that makes a repeated start return the first workflow (default: null, none). */
    public Builder idempotencyKey(String value) {
      this.idempotencyKey = value;
      return this;
    }

    /** How long the idempotency key holds (default: null, the server's default). */
    public Builder idempotencyKeyTtlSeconds(Long value) {
      this.idempotencyKeyTtlSeconds = value;
      return this;
    }

    /** The W3C trace context stored with it (default: null, none). */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link StartWorkflow}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
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
