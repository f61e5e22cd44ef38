package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * A request to create an agent execution: a root agent (created from outside, as the SDK's REST
 * harness does) or, with a parent, a child agent (SpawnChildAgent). It starts PENDING, without a
 * checkpoint.
 *
 * @param tenantId the tenant; must be the caller's
 * @param kind the agent kind a worker runs it as (a non-empty name)
 * @param input the input, stored and handed to the worker as given; not null
 * @param queue the queue it is polled from; null or empty for {@code default} (a child: its
 *     parent's)
 * @param workerPoolId the pool it is limited to; null for none
 * @param metadata a JSON object's bytes, or empty; not null
 * @param persistenceMode REMOTE or LOCAL; null for REMOTE
 * @param parentExecutionId the parent agent, of the same tenant and not finished; null for a root
 * @param maxBudgetTokens a child's token budget, stored only; null for none
 * @param templateSlug a child's template, stored only; null for none
 * @param traceparent the W3C trace context; null for none
 */
public record StartAgent(
    String tenantId,
    String kind,
    byte[] input,
    String queue,
    String workerPoolId,
    byte[] metadata,
    String persistenceMode,
    UUID parentExecutionId,
    Long maxBudgetTokens,
    String templateSlug,
    String traceparent) {

  /**
   * A builder with the required tenant and kind; the input is {@code {}}, everything else unset.
   *
   * @param tenantId the tenant; must be the caller's
   * @param kind the agent kind (a non-empty name)
   * @return a builder
   */
  public static Builder builder(String tenantId, String kind) {
    return new Builder(tenantId, kind);
  }

  /** Builds a {@link StartAgent} field by field; the setters name each field's default. */
  public static final class Builder {
    private final String tenantId;
    private final String kind;
    private byte[] input = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private String queue;
    private String workerPoolId;
    private byte[] metadata = new byte[0];
    private String persistenceMode;
    private UUID parentExecutionId;
    private Long maxBudgetTokens;
    private String templateSlug;
    private String traceparent;

    private Builder(String tenantId, String kind) {
      this.tenantId = tenantId;
      this.kind = kind;
    }

    /**
     * The input (default: {@code {}}).
     *
     * @param value the input bytes (JSON), stored as given
     * @return this builder
     */
    public Builder input(byte[] value) {
      this.input = value;
      return this;
    }

    /**
     * The queue (default: {@code default}, or the parent's for a child).
     *
     * @param value a name
     * @return this builder
     */
    public Builder queue(String value) {
      this.queue = value;
      return this;
    }

    /**
     * The worker pool (default: none).
     *
     * @param value a name
     * @return this builder
     */
    public Builder workerPoolId(String value) {
      this.workerPoolId = value;
      return this;
    }

    /**
     * Metadata (default: empty).
     *
     * @param value a JSON object's bytes
     * @return this builder
     */
    public Builder metadata(byte[] value) {
      this.metadata = value;
      return this;
    }

    /**
     * The persistence mode (default: REMOTE).
     *
     * @param value REMOTE or LOCAL
     * @return this builder
     */
    public Builder persistenceMode(String value) {
      this.persistenceMode = value;
      return this;
    }

    /**
     * The parent agent (default: none, a root agent).
     *
     * @param value the parent's id
     * @return this builder
     */
    public Builder parentExecutionId(UUID value) {
      this.parentExecutionId = value;
      return this;
    }

    /**
     * A token budget, stored only (default: none).
     *
     * @param value the budget
     * @return this builder
     */
    public Builder maxBudgetTokens(Long value) {
      this.maxBudgetTokens = value;
      return this;
    }

    /**
     * A template slug, stored only (default: none).
     *
     * @param value the slug
     * @return this builder
     */
    public Builder templateSlug(String value) {
      this.templateSlug = value;
      return this;
    }

    /**
     * The W3C trace context (default: none).
     *
     * @param value a traceparent
     * @return this builder
     */
    public Builder traceparent(String value) {
      this.traceparent = value;
      return this;
    }

    /**
     * The request.
     *
     * @return a {@link StartAgent} with the values set
     */
    public StartAgent build() {
      return new StartAgent(
          tenantId,
          kind,
          input,
          queue,
          workerPoolId,
          metadata,
          persistenceMode,
          parentExecutionId,
          maxBudgetTokens,
          templateSlug,
          traceparent);
    }
  }
}
