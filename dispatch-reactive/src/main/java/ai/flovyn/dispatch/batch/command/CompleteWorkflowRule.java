package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Arguments;
import java.util.UUID;

/** CompleteWorkflow: the workflow ends COMPLETED with its output (WORKFLOW_COMPLETED). */
final class CompleteWorkflowRule extends CommandRule<Command.CompleteWorkflow> {
  CompleteWorkflowRule() {
    super(Command.CompleteWorkflow.class, "complete_workflow");
  }

  @Override
  public void requirePayloads(String at, Command.CompleteWorkflow complete) {
    Arguments.present(at + "output", complete.output());
  }

  @Override
  public void validate(String at, Command.CompleteWorkflow complete) {}

  @Override
  public EventSpec event(UUID workflowId, Command.CompleteWorkflow complete) {
    return new EventSpec(
        EventType.WORKFLOW_COMPLETED,
        EventData.object().payload("output", complete.output()).json(),
        null);
  }

  @Override
  public void plan(int index, Command.CompleteWorkflow complete, BatchPlan.Builder batch) {
    batch.output(complete.output());
  }

  @Override
  public RequestedStatus ending() {
    return RequestedStatus.COMPLETED;
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
