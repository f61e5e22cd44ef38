package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
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
  void validate(String at, Command.SuspendWorkflow suspend) {
    Limits.text(at + ".reason", suspend.reason());
  }

  @Override
  EventSpec event(UUID workflowId, Command.SuspendWorkflow suspend) {
    return new EventSpec(
        EventType.WORKFLOW_SUSPENDED,
        EventData.object().put("reason", suspend.reason()).json(),
        null);
  }

  @Override
  RequestedStatus ending() {
    return RequestedStatus.SUSPENDED;
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
