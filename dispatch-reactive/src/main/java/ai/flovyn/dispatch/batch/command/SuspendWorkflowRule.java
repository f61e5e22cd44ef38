package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/**
 * SuspendWorkflow: the workflow waits (WAITING) until something it waits for happens; with a resume
 * already pending it goes straight back to PENDING. An ending in the same batch wins over it.
 */
final class SuspendWorkflowRule extends CommandRule<Command.SuspendWorkflow> {
  SuspendWorkflowRule() {
    super(Command.SuspendWorkflow.class, "suspend_workflow");
  }

  @Override
  public void validate(String at, Command.SuspendWorkflow suspend) {
    Limits.text(at + ".reason", suspend.reason());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.SuspendWorkflow suspend) {
    return new EventSpec(
        EventType.WORKFLOW_SUSPENDED,
        EventData.object().put("reason", suspend.reason()).json(),
        null);
  }

  @Override
  public RequestedStatus ending() {
    return RequestedStatus.SUSPENDED;
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
