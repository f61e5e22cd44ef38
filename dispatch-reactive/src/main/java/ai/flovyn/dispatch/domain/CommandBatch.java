package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.UUID;

/** A batch of commands for one workflow, applied all or nothing. */
public record CommandBatch(
    UUID workflowExecutionId, List<Command> commands, RequestedStatus status) {

  /**
   * Copies {@code commands}, so that a caller's later change to its list cannot reach the batch.
   *
   * @param workflowExecutionId the workflow the batch is for; must not be null
   * @param commands the commands, applied in order; must not be null (empty is fine)
   * @param status the status the workflow moves to; {@link RequestedStatus#UNSPECIFIED} leaves it
   *     unchanged, null fails the batch with INVALID_ARGUMENT
   */
  public CommandBatch {
    commands = Copies.list(commands);
  }

  /**
   * A builder with the required {@code workflowExecutionId}; every other field starts at its
   * default (see the builder's setters).
   *
   * @param workflowExecutionId the workflow the batch is for
   * @return a builder with no commands and the status left unchanged
   */
  public static Builder builder(UUID workflowExecutionId) {
    return new Builder(workflowExecutionId);
  }

  /** Builds a {@link CommandBatch} field by field; the setters name each field's default. */
  public static final class Builder {
    private UUID workflowExecutionId = null;
    private List<Command> commands = List.of();
    private RequestedStatus status = RequestedStatus.UNSPECIFIED;

    private Builder(UUID workflowExecutionId) {
      this.workflowExecutionId = workflowExecutionId;
    }

    /**
     * The workflow the batch is for (required).
     *
     * @param value the workflow's id; not null
     * @return this builder
     */
    public Builder workflowExecutionId(UUID value) {
      this.workflowExecutionId = value;
      return this;
    }

    /**
     * The commands, applied in order (default: none).
     *
     * @param value the commands, copied on build; no null element, at most 10,000
     * @return this builder
     */
    public Builder commands(List<Command> value) {
      this.commands = value;
      return this;
    }

    /**
     * The status the workflow moves to (default {@link RequestedStatus#UNSPECIFIED}: unchanged).
     *
     * @param value the requested status; not null
     * @return this builder
     */
    public Builder status(RequestedStatus value) {
      this.status = value;
      return this;
    }

    /**
     * The {@link CommandBatch}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     *
     * @return the batch, with {@code commands} copied
     */
    public CommandBatch build() {
      return new CommandBatch(workflowExecutionId, commands, status);
    }
  }
}
