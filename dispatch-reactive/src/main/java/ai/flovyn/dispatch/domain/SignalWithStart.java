package ai.flovyn.dispatch.domain;

import java.util.Map;

/**
 * Starts a workflow unless the business key {@code workflowId} names a live one of the tenant, then
 * signals it, atomically. The start fields are used only when a workflow is created; nullable
 * fields are optional.
 */
public record SignalWithStart(
    String tenantId,
    String workflowId,
    String workflowKind,
    byte[] input,
    String queue,
    int prioritySeconds,
    String workflowVersion,
    Map<String, String> metadata,
    String signalName,
    byte[] signalValue,
    Long idempotencyKeyTtlSeconds,
    String traceparent) {

  /**
   * Copies {@code metadata}, so that a caller's later change to its map cannot reach the request.
   *
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param workflowId the business key: at most one live workflow of the tenant carries it
   * @param workflowKind the kind of a started workflow (a non-empty name)
   * @param input the input of a started workflow; must not be null (empty is fine)
   * @param queue the queue of a started workflow; null or empty means {@code "default"}
   * @param prioritySeconds the priority of a started workflow, in seconds ahead of creation order
   * @param workflowVersion the version of a started workflow; null for none
   * @param metadata stored with a started workflow; null keys or values fail with INVALID_ARGUMENT
   * @param signalName the signal's name (a non-empty name)
   * @param signalValue the signal's payload, stored as given; must not be null (empty is fine)
   * @param idempotencyKeyTtlSeconds how long the business key holds, 1 s to 30 days; null for one
   *     day
   * @param traceparent the W3C trace context of a started workflow; null, or dropped when malformed
   */
  public SignalWithStart {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code workflowId}, {@code workflowKind}, {@code
   * signalName}; every other field starts at its default (see the builder's setters).
   *
   * @param tenantId the tenant (a non-empty name); must be the caller's
   * @param workflowId the business key naming the workflow
   * @param workflowKind the kind of the workflow to start when none is live
   * @param signalName the name the workflow's code waits on
   * @return a builder with empty input and signal value and no options set
   */
  public static Builder builder(
      String tenantId, String workflowId, String workflowKind, String signalName) {
    return new Builder(tenantId, workflowId, workflowKind, signalName);
  }

  /** Builds a {@link SignalWithStart} field by field; the setters name each field's default. */
  public static final class Builder {
    private String tenantId = null;
    private String workflowId = null;
    private String workflowKind = null;
    private byte[] input = new byte[0];
    private String queue = null;
    private int prioritySeconds = 0;
    private String workflowVersion = null;
    private Map<String, String> metadata = Map.of();
    private String signalName = null;
    private byte[] signalValue = new byte[0];
    private Long idempotencyKeyTtlSeconds = null;
    private String traceparent = null;

    private Builder(String tenantId, String workflowId, String workflowKind, String signalName) {
      this.tenantId = tenantId;
      this.workflowId = workflowId;
      this.workflowKind = workflowKind;
      this.signalName = signalName;
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
     * The business key naming the workflow (required).
     *
     * @param value the business key; not empty
     * @return this builder
     */
    public Builder workflowId(String value) {
      this.workflowId = value;
      return this;
    }

    /**
     * The kind of the workflow to start when none is live (required).
     *
     * @param value a non-empty name, used only when a workflow is started
     * @return this builder
     */
    public Builder workflowKind(String value) {
      this.workflowKind = value;
      return this;
    }

    /**
     * The input of a started workflow (default: empty).
     *
     * @param value the input bytes; not null (the call fails with INVALID_ARGUMENT)
     * @return this builder
     */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /**
     * The queue of a started workflow (default: null, meaning {@code "default"}).
     *
     * @param value a queue name; null or empty for {@code "default"}
     * @return this builder
     */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /**
     * The priority of a started workflow in seconds (default 0).
     *
     * @param value seconds ahead (negative: behind) of creation order, at most 10 years either way
     * @return this builder
     */
    public Builder prioritySeconds(int value) {
      this.prioritySeconds = value;
      return this;
    }

    /**
     * The version of a started workflow (default: null, none).
     *
     * @param value the version text; null for none
     * @return this builder
     */
    public Builder workflowVersion(String value) {
      this.workflowVersion = value;
      return this;
    }

    /**
     * Metadata of a started workflow (default: none).
     *
     * @param value the entries, copied on build; no null key or value
     * @return this builder
     */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /**
     * The signal's name (required).
     *
     * @param value a non-empty name the workflow's code waits on
     * @return this builder
     */
    public Builder signalName(String value) {
      this.signalName = value;
      return this;
    }

    /**
     * The signal's value (default: empty).
     *
     * @param value the payload bytes; not null (the call fails with INVALID_ARGUMENT)
     * @return this builder
     */
    public Builder signalValue(byte[] value) {
      this.signalValue = value;
      return this;
    }

    /**
     * How long the business key's idempotency holds (default: null, the server's default).
     *
     * @param value 1 s to 30 days; null for one day
     * @return this builder
     */
    public Builder idempotencyKeyTtlSeconds(Long value) {
      this.idempotencyKeyTtlSeconds = value;
      return this;
    }

    /**
     * The W3C trace context stored with a started workflow (default: null, none).
     *
     * @param value {@code 00-<32 hex>-<16 hex>-<2 hex>}; a malformed one is dropped, not refused
     * @return this builder
     */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link SignalWithStart}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     *
     * @return the request, with {@code metadata} copied
     */
    public SignalWithStart build() {
      return new SignalWithStart(
          tenantId,
          workflowId,
          workflowKind,
          input,
          queue,
          prioritySeconds,
          workflowVersion,
          metadata,
          signalName,
          signalValue,
          idempotencyKeyTtlSeconds,
          traceparent);
    }
  }
}
