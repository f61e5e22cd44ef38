package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import java.util.UUID;

/** The event a finished child workflow appends to its parent's log. */
final class ChildReports {
  private ChildReports() {}

  static AppendEvent report(UUID parentId, UUID childId, WorkflowStatus status, BatchPlan plan) {
    byte[] output = plan.output() == null ? new byte[0] : plan.output();
    String error = plan.error() == null || plan.error().isEmpty() ? null : plan.error();
    if (error == null && status == WorkflowStatus.CANCELLED) {
      error = "cancelled";
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
