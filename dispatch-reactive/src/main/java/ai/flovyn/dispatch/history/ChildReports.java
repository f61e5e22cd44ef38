package ai.flovyn.dispatch.history;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import java.util.UUID;

/**
 * The event a finished child workflow appends to its parent's log: CHILD_WORKFLOW_COMPLETED, or
 * CHILD_WORKFLOW_FAILED for a failed or cancelled child (no SDK treats a cancellation event as an
 * outcome). Both carry {@code childExecutionName}, the key the SDK looks the outcome up by.
 */
public final class ChildReports {
  private ChildReports() {}

  /**
   * The report of a child that ended in {@code status} with {@code output} (COMPLETED) or {@code
   * error} (FAILED, CANCELLED; null or empty gets a default text).
   */
  public static AppendEvent report(
      UUID parentId,
      UUID childId,
      String childName,
      WorkflowStatus status,
      byte[] output,
      String error) {
    String id = childId.toString();
    if (status == WorkflowStatus.COMPLETED) {
      return new AppendEvent(
          parentId,
          EventType.CHILD_WORKFLOW_COMPLETED.name(),
          EventData.object()
              .put("childExecutionName", childName)
              .put("childExecutionId", id)
              .payload("output", output == null ? new byte[0] : output)
              .json(),
          Identities.childFinished(childId));
    }
    String text = error == null || error.isEmpty() ? defaultError(status) : error;
    return new AppendEvent(
        parentId,
        EventType.CHILD_WORKFLOW_FAILED.name(),
        EventData.object()
            .put("childExecutionName", childName)
            .put("childExecutionId", id)
            .put("childworkflowExecutionId", id)
            .put("error", text)
            .json(),
        Identities.childFinished(childId));
  }

  private static String defaultError(WorkflowStatus status) {
    return status == WorkflowStatus.CANCELLED
        ? "Child workflow cancelled"
        : "Child workflow failed";
  }
}
