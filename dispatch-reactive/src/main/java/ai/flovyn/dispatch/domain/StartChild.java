package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * A child workflow started by RPC rather than by its parent's command: nothing is recorded in the
 * parent's log. {@code queue} null or empty means the parent's; one of {@code workflowKind} and
 * {@code workflowDefinitionId} is set.
 */
public record StartChild(
    UUID parentWorkflowExecutionId,
    String childExecutionName,
    String tenantId,
    String workflowKind,
    String workflowDefinitionId,
    byte[] input,
    String queue,
    int prioritySeconds,
    String traceparent) {

  /**
   * A builder with the required {@code parentWorkflowExecutionId}, {@code childExecutionName},
   * {@code tenantId}; every other field starts at its default (see the builder's setters).
   *
   * @param parentWorkflowExecutionId the parent workflow, of the caller's tenant
   * @param childExecutionName the child's name, unique within the parent
   * @param tenantId the tenant: the parent's
   * @return a builder with an empty input and neither kind nor definition set (set one of them)
   */
  public static Builder builder(
      UUID parentWorkflowExecutionId, String childExecutionName, String tenantId) {
    return new Builder(parentWorkflowExecutionId, childExecutionName, tenantId);
  }

  /** Builds a {@link StartChild} field by field; the setters name each field's default. */
  public static final class Builder {
    private UUID parentWorkflowExecutionId = null;
    private String childExecutionName = null;
    private String tenantId = null;
    private String workflowKind = null;
    private String workflowDefinitionId = null;
    private byte[] input = new byte[0];
    private String queue = null;
    private int prioritySeconds = 0;
    private String traceparent = null;

    private Builder(UUID parentWorkflowExecutionId, String childExecutionName, String tenantId) {
      this.parentWorkflowExecutionId = parentWorkflowExecutionId;
      this.childExecutionName = childExecutionName;
      this.tenantId = tenantId;
    }

    /**
     * The parent workflow (required).
     *
     * @param value the parent's id; not null
     * @return this builder
     */
    public Builder parentWorkflowExecutionId(UUID value) {
      this.parentWorkflowExecutionId = value;
      return this;
    }

    /**
     * The child's name, unique within the parent (required).
     *
     * @param value a non-empty name, unique within the parent
     * @return this builder
     */
    public Builder childExecutionName(String value) {
      this.childExecutionName = value;
      return this;
    }

    /**
     * The tenant (required: the parent's).
     *
     * @param value the parent's tenant, which must be the caller's
     * @return this builder
     */
    public Builder tenantId(String value) {
      this.tenantId = value;
      return this;
    }

    /**
     * The child's kind (default: null; this or the definition id must be set).
     *
     * @param value the kind a worker polls for; null when the definition id is set
     * @return this builder
     */
    public Builder workflowKind(String value) {
      this.workflowKind = value;
      return this;
    }

    /**
     * The child's definition (default: null; this or the kind must be set).
     *
     * @param value the definition's id; null when the kind is set
     * @return this builder
     */
    public Builder workflowDefinitionId(String value) {
      this.workflowDefinitionId = value;
      return this;
    }

    /**
     * The child's input (default: empty).
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
     * The child's queue (default: null, the parent's).
     *
     * @param value a queue name; null or empty for the parent's queue
     * @return this builder
     */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /**
     * The child's priority in seconds (default 0).
     *
     * @param value seconds ahead (negative: behind) of creation order, at most 10 years either way
     * @return this builder
     */
    public Builder prioritySeconds(int value) {
      this.prioritySeconds = value;
      return this;
    }

    /**
     * The W3C trace context stored with the child (default: null, none).
     *
     * @param value {@code 00-<32 hex>-<16 hex>-<2 hex>}; a malformed one is dropped, not refused
     * @return this builder
     */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link StartChild}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     *
     * @return the request, as set
     */
    public StartChild build() {
      return new StartChild(
          parentWorkflowExecutionId,
          childExecutionName,
          tenantId,
          workflowKind,
          workflowDefinitionId,
          input,
          queue,
          prioritySeconds,
          traceparent);
    }
  }
}
