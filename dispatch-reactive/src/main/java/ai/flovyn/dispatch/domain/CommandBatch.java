package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.UUID;

/** A batch of commands for one workflow, applied all or nothing. */
public record CommandBatch(
    UUID workflowExecutionId, List<Command> commands, RequestedStatus status) {

  public CommandBatch {
    commands = Copies.list(commands);
  }

  /**
   * A builder with the required {@code workflowExecutionId}; every other field starts at its
   * default (see the builder's setters).
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

    /** The workflow the batch is for (required). */
    public Builder workflowExecutionId(UUID value) {
      this.workflowExecutionId = value;
      return this;
    }

    /** The commands, applied in order (default: none). */
    public Builder commands(List<Command> value) {
      this.commands = value;
      return this;
    }

    /**
     * The status the workflow moves to (default {@link RequestedStatus#UNSPECIFIED}: unchanged).
     */
    public Builder status(RequestedStatus value) {
      this.status = value;
      return this;
    }

    /**
     * The {@link CommandBatch}; nothing is checked here: the {@code Dispatch} call that takes it
     * does.
     */
    public CommandBatch build() {
      return new CommandBatch(workflowExecutionId, commands, status);
    }
  }
}
