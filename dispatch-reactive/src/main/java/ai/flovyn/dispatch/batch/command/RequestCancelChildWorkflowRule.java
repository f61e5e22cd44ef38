package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/**
 * RequestCancelChildWorkflow: the child is cancelled (its log ends with WORKFLOW_CANCELLED, its
 * unstarted tasks are cancelled) and the parent gets CHILD_WORKFLOW_FAILED, the only child outcome
 * the SDK reads (docs/sdk-compatibility.md, E5 and P6). The command records no event of its own:
 * its trace in the parent's log is the child's outcome, written now or when the child ended.
 */
final class RequestCancelChildWorkflowRule extends CommandRule<Command.RequestCancelChildWorkflow> {
  RequestCancelChildWorkflowRule() {
    super(Command.RequestCancelChildWorkflow.class, "request_cancel_child_workflow");
  }

  @Override
  public void validate(String at, Command.RequestCancelChildWorkflow cancel) {
    if (cancel.childWorkflowExecutionId() == null) {
      throw DispatchException.invalidArgument(at + ".child_workflow_execution_id must be a UUID");
    }
    Limits.text(at + ".child_execution_name", cancel.childExecutionName());
    Limits.text(at + ".reason", cancel.reason());
  }

  @Override
  public String identity(UUID workflowId, Command.RequestCancelChildWorkflow cancel) {
    return Identities.childFinished(cancel.childWorkflowExecutionId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.RequestCancelChildWorkflow cancel) {
    return null;
  }

  @Override
  public void plan(int index, Command.RequestCancelChildWorkflow cancel, BatchPlan.Builder batch) {
    batch.cancelChild(cancel.childWorkflowExecutionId(), cancel.reason());
  }

  @Override
  public boolean oneCall() {
    return false;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.RECORDED_ONCE;
  }
}
