package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Arguments;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** RecordOperation: the result of a side effect, kept in the log (OPERATION_COMPLETED). */
final class RecordOperationRule extends CommandRule<Command.RecordOperation> {
  RecordOperationRule() {
    super(Command.RecordOperation.class, "record_operation");
  }

  @Override
  public void requirePayloads(String at, Command.RecordOperation operation) {
    Arguments.present(at + "result", operation.result());
  }

  @Override
  public void validate(String at, Command.RecordOperation operation) {
    Limits.requireName(at + ".operation_name", operation.operationName());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.RecordOperation operation) {
    return new EventSpec(
        EventType.OPERATION_COMPLETED,
        EventData.object()
            .put("operationName", operation.operationName())
            .payload("result", operation.result())
            .json(),
        null);
  }

  @Override
  public boolean oneCall() {
    return true;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.REFUSED;
  }
}
