package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.UUID;

/** RecordOperation: the result of a side effect, kept in the log (OPERATION_COMPLETED). */
final class RecordOperationRule extends CommandRule<Command.RecordOperation> {
  RecordOperationRule() {
    super(Command.RecordOperation.class, "record_operation");
  }

  @Override
  void requirePayloads(String at, Command.RecordOperation operation) {
    Arguments.present(at + "result", operation.result());
  }

  @Override
  void validate(String at, Command.RecordOperation operation) {
    Limits.requireName(at + ".operation_name", operation.operationName());
  }

  @Override
  EventSpec event(UUID workflowId, Command.RecordOperation operation) {
    return new EventSpec(
        EventType.OPERATION_COMPLETED,
        EventData.object()
            .put("operationName", operation.operationName())
            .payload("result", operation.result())
            .json(),
        null);
  }

  @Override
  boolean oneCall() {
    return true;
  }

  @Override
  AfterEnd afterEnd() {
    return AfterEnd.REFUSED;
  }
}
