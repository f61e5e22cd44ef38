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

  public SignalWithStart {
    metadata = Copies.map(metadata);
  }

  /**
   * A builder with the required {@code tenantId}, {@code workflowId}, {@code workflowKind}, {@code
   * signalName}; every other field starts at its default (see the builder's setters).
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

    /** The tenant (required: a non-empty name). */
    public Builder tenantId(String value) {
      this.tenantId = value;
      return this;
    }

    /** The business key naming the workflow (required). */
    public Builder workflowId(String value) {
      this.workflowId = value;
      return this;
    }

    /** The kind of the workflow to start when none is live (required). */
    public Builder workflowKind(String value) {
      this.workflowKind = value;
      return this;
    }

    /** The input of a started workflow (default: empty). */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /** The queue of a started workflow (default: null, meaning {@code "default"}). */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /** The priority of a started workflow in seconds (default 0). */
    public Builder prioritySeconds(int value) {
      this.prioritySeconds = value;
      return this;
    }

    /** The version of a started workflow (default: null, none). */
    public Builder workflowVersion(String value) {
      this.workflowVersion = value;
      return this;
    }

    /** Metadata of a started workflow (default: none). */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /** The signal's name (required). */
    public Builder signalName(String value) {
      this.signalName = value;
      return this;
    }

    /** The signal's value (default: empty). */
    public Builder signalValue(byte[] value) {
      this.signalValue = value;
      return this;
    }

    /** How long the business key's idempotency holds (default: null, the server's default). */
    public Builder idempotencyKeyTtlSeconds(Long value) {
      this.idempotencyKeyTtlSeconds = value;
      return this;
    }

    /** The W3C trace context stored with a started workflow (default: null, none). */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The {@link SignalWithStart}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
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
