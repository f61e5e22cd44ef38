package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Texts;
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
  public Command.FailWorkflow normalized(Command.FailWorkflow fail) {
    return new Command.FailWorkflow(
        Texts.failureText(fail.error()),
        Texts.failureText(fail.stackTrace()),
        Texts.failureText(fail.failureType()));
  }

  @Override
  public void validate(String at, Command.FailWorkflow fail) {}

  @Override
  public EventSpec event(UUID workflowId, Command.FailWorkflow fail) {
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
  public void plan(int index, Command.FailWorkflow fail, BatchPlan.Builder batch) {
    batch.error(fail.error());
  }

  @Override
  public RequestedStatus ending() {
    return RequestedStatus.FAILED;
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
