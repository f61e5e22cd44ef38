package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.util.UUID;

/** CancelWorkflow: the workflow ends CANCELLED, its reason kept as the error. */
final class CancelWorkflowRule extends CommandRule<Command.CancelWorkflow> {
  CancelWorkflowRule() {
    super(Command.CancelWorkflow.class, "cancel_workflow");
  }

  @Override
  void validate(String at, Command.CancelWorkflow cancel) {
    Limits.text(at + ".reason", cancel.reason());
  }

  @Override
  EventSpec event(UUID workflowId, Command.CancelWorkflow cancel) {
    return new EventSpec(
        EventType.WORKFLOW_CANCELLED,
        EventData.object().put("reason", cancel.reason()).json(),
        null);
  }

  @Override
  void plan(int index, Command.CancelWorkflow cancel, BatchPlan.Builder batch) {
    batch.error(cancel.reason());
  }

  @Override
  RequestedStatus ending() {
    return RequestedStatus.CANCELLED;
  }

  @Override
  boolean oneCall() {
    return true;
  }

  @Override
  AfterEnd afterEnd() {
    return AfterEnd.SAME_ENDING;
  }
}
