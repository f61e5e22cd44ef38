package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import java.util.UUID;

/** The event a finished child workflow appends to its parent's log. */
final class ChildReports {
  private ChildReports() {}

  static AppendEvent report(UUID parentId, UUID childId, WorkflowStatus status, BatchPlan plan) {
    byte[] output = new byte[0];
    String error = status == WorkflowStatus.CANCELLED ? "cancelled" : null;
    for (Command command : plan.batch().commands()) {
      if (command instanceof Command.CompleteWorkflow complete) {
        output = complete.output();
      } else if (command instanceof Command.FailWorkflow fail) {
        error = fail.error();
      } else if (command instanceof Command.CancelWorkflow cancel) {
        error = cancel.reason().isEmpty() ? "cancelled" : cancel.reason();
      }
    }
    String json =
        status == WorkflowStatus.COMPLETED
            ? EventData.object()
                .put("childExecutionId", childId.toString())
                .payload("output", output)
                .json()
            : EventData.object()
                .put("childExecutionId", childId.toString())
                .put("error", error == null ? "" : error)
                .json();
    String type =
        status == WorkflowStatus.COMPLETED ? "CHILD_WORKFLOW_COMPLETED" : "CHILD_WORKFLOW_FAILED";
    return new AppendEvent(parentId, type, json, Identities.childFinished(childId));
  }
}
