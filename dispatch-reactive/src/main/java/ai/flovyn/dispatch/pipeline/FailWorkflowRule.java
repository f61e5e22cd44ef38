package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.util.UUID;

/**
 * FailWorkflow: the workflow ends FAILED (WORKFLOW_EXECUTION_FAILED). Its texts come from user code
 * and are kept cut and cleaned rather than refused: the SDK never resends a rejected batch, and the
 * failure would be lost.
 */
final class FailWorkflowRule extends CommandRule<Command.FailWorkflow> {
  FailWorkflowRule() {
    super(Command.FailWorkflow.class, "fail_workflow");
  }

  @Override
  Command.FailWorkflow normalized(Command.FailWorkflow fail) {
    return new Command.FailWorkflow(
        Texts.failureText(fail.error()),
        Texts.failureText(fail.stackTrace()),
        Texts.failureText(fail.failureType()));
  }

  @Override
  void validate(String at, Command.FailWorkflow fail) {}

  @Override
  EventSpec event(UUID workflowId, Command.FailWorkflow fail) {
    return new EventSpec(
        EventType.WORKFLOW_EXECUTION_FAILED,
        EventData.object()
            .put("error", fail.error())
            .put("stackTrace", fail.stackTrace())
            .put("failureType", fail.failureType())
            .json(),
        null);
  }

  @Override
  void plan(int index, Command.FailWorkflow fail, BatchPlan.Builder batch) {
    batch.error(fail.error());
  }

  @Override
  RequestedStatus ending() {
    return RequestedStatus.FAILED;
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
