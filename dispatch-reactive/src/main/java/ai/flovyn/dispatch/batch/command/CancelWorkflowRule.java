package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** CancelWorkflow: the workflow ends CANCELLED, its reason kept as the error. */
final class CancelWorkflowRule extends CommandRule<Command.CancelWorkflow> {
  CancelWorkflowRule() {
    super(Command.CancelWorkflow.class, "cancel_workflow");
  }

  @Override
  public void validate(String at, Command.CancelWorkflow cancel) {
    Limits.text(at + ".reason", cancel.reason());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.CancelWorkflow cancel) {
    return new EventSpec(
        EventType.WORKFLOW_CANCELLED,
        EventData.object().put("reason", cancel.reason()).json(),
        null);
  }

  @Override
  public void plan(int index, Command.CancelWorkflow cancel, BatchPlan.Builder batch) {
    batch.error(cancel.reason());
  }

  @Override
  public RequestedStatus ending() {
    return RequestedStatus.CANCELLED;
  }

  @Override
  public boolean oneCall() {
    return true;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.SAME_ENDING;
  }
}
