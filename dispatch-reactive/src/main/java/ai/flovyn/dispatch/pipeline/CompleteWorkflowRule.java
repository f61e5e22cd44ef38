package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.util.UUID;

/** CompleteWorkflow: the workflow ends COMPLETED with its output (WORKFLOW_COMPLETED). */
final class CompleteWorkflowRule extends CommandRule<Command.CompleteWorkflow> {
  CompleteWorkflowRule() {
    super(Command.CompleteWorkflow.class, "complete_workflow");
  }

  @Override
  void requirePayloads(String at, Command.CompleteWorkflow complete) {
    Arguments.present(at + "output", complete.output());
  }

  @Override
  void validate(String at, Command.CompleteWorkflow complete) {}

  @Override
  EventSpec event(UUID workflowId, Command.CompleteWorkflow complete) {
    return new EventSpec(
        EventType.WORKFLOW_COMPLETED,
        EventData.object().payload("output", complete.output()).json(),
        null);
  }

  @Override
  void plan(int index, Command.CompleteWorkflow complete, BatchPlan.Builder batch) {
    batch.output(complete.output());
  }

  @Override
  RequestedStatus ending() {
    return RequestedStatus.COMPLETED;
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
