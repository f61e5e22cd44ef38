package ai.flovyn.dispatch.domain;

import java.time.Clock;
import java.util.UUID;

/**
 * One piece of live data a running task streamed (a token, progress, data or an error), handed to
 * subscribers as it was received and never stored.
 *
 * @param workflowExecutionId the workflow the worker named, null for a standalone task
 * @param type the StreamEventType number as sent (1 token, 2 progress, 3 data, 4 error)
 * @param payload JSON text tagged by type, as sent
 * @param timestampMs the worker's clock
 * @param receivedAtMs this server's clock when it arrived
 */
public record TaskData(
    UUID taskExecutionId,
    UUID workflowExecutionId,
    int sequence,
    int type,
    String payload,
    long timestampMs,
    long receivedAtMs) {

  /**
   * A builder with the required {@code taskExecutionId}, {@code type}; every other field starts at
   * its default (see the builder's setters).
   *
   * @param taskExecutionId the task the data belongs to
   * @param type the StreamEventType number: 1 token, 2 progress, 3 data, 4 error
   * @return a builder with an empty payload, sequence 0 and both clocks at now
   */
  public static Builder builder(UUID taskExecutionId, int type) {
    return builder(taskExecutionId, type, Clock.systemUTC());
  }

  /**
   * A builder as {@link #builder(UUID, int)} whose clocks default to {@code clock}'s now, for a
   * caller that reads time from a clock of its own.
   *
   * @param taskExecutionId the task the data belongs to
   * @param type the StreamEventType number: 1 token, 2 progress, 3 data, 4 error
   * @param clock what "now" is for the two clocks' default
   * @return a builder with an empty payload, sequence 0 and both clocks at {@code clock}'s now
   */
  public static Builder builder(UUID taskExecutionId, int type, Clock clock) {
    return new Builder(taskExecutionId, type, clock.millis());
  }

  /** Builds a {@link TaskData} field by field; the setters name each field's default. */
  public static final class Builder {
    private UUID taskExecutionId = null;
    private UUID workflowExecutionId = null;
    private int sequence = 0;
    private int type;
    private String payload = "";
    private long timestampMs;
    private long receivedAtMs;

    private Builder(UUID taskExecutionId, int type, long nowMs) {
      this.taskExecutionId = taskExecutionId;
      this.type = type;
      this.timestampMs = nowMs;
      this.receivedAtMs = nowMs;
    }

    /**
     * The task the data belongs to (required).
     *
     * @param value the task's id; not null
     * @return this builder
     */
    public Builder taskExecutionId(UUID value) {
      this.taskExecutionId = value;
      return this;
    }

    /**
     * The task's workflow (default: null, a standalone task).
     *
     * @param value the workflow's id; null for a standalone task
     * @return this builder
     */
    public Builder workflowExecutionId(UUID value) {
      this.workflowExecutionId = value;
      return this;
    }

    /**
     * The sequence number the worker gave it (default 0).
     *
     * @param value the worker's sequence number, passed on as given
     * @return this builder
     */
    public Builder sequence(int value) {
      this.sequence = value;
      return this;
    }

    /**
     * The StreamEventType number (required: 1 token, 2 progress, 3 data, 4 error).
     *
     * @param value 1 token, 2 progress, 3 data or 4 error
     * @return this builder
     */
    public Builder type(int value) {
      this.type = value;
      return this;
    }

    /**
     * JSON text tagged by type (default: empty).
     *
     * @param value JSON text, passed on as given
     * @return this builder
     */
    public Builder payload(String value) {
      this.payload = value;
      return this;
    }

    /**
     * The worker's clock (default: now).
     *
     * @param value milliseconds since the epoch, by the worker's clock
     * @return this builder
     */
    public Builder timestampMs(long value) {
      this.timestampMs = value;
      return this;
    }

    /**
     * This server's clock when it arrived (default: now).
     *
     * @param value milliseconds since the epoch, by this server's clock
     * @return this builder
     */
    public Builder receivedAtMs(long value) {
      this.receivedAtMs = value;
      return this;
    }

    /**
     * The {@link TaskData}; nothing is checked here: the {@code Dispatch} call that takes it does.
     *
     * @return the data, as set
     */
    public TaskData build() {
      return new TaskData(
          taskExecutionId, workflowExecutionId, sequence, type, payload, timestampMs, receivedAtMs);
    }
  }
}
