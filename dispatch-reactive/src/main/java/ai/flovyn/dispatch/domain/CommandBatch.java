package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.UUID;

/** A batch of commands for one workflow, applied all or nothing. */
public record CommandBatch(
    UUID workflowExecutionId, List<Command> commands, RequestedStatus status) {

  public CommandBatch {
    commands = List.copyOf(commands);
  }
}
