package ai.flovyn.dispatch.history;

import java.util.UUID;

/**
 * The identity of an event that may be written at most once per workflow: its type and the id of
 * the thing it records.
 */
public final class Identities {
  private Identities() {}

  public static String taskScheduled(UUID taskId) {
    return "TASK_SCHEDULED:" + taskId;
  }

  public static String timerStarted(String timerId) {
    return "TIMER_STARTED:" + timerId;
  }

  public static String timerFired(String timerId) {
    return "TIMER_FIRED:" + timerId;
  }

  public static String timerCancelled(String timerId) {
    return "TIMER_CANCELLED:" + timerId;
  }

  public static String promiseCreated(String promiseName) {
    return "PROMISE_CREATED:" + promiseName;
  }

  public static String promiseSettled(String promiseName) {
    return "PROMISE_SETTLED:" + promiseName;
  }

  public static String childInitiated(UUID childId) {
    return "CHILD_WORKFLOW_INITIATED:" + childId;
  }

  /** A task's outcome (TASK_COMPLETED or TASK_FAILED): one per task, whatever its attempts. */
  public static String taskFinished(UUID taskId) {
    return "TASK_FINISHED:" + taskId;
  }

  public static String childFinished(UUID childId) {
    return "CHILD_WORKFLOW_FINISHED:" + childId;
  }

  public static String workflowCancelled() {
    return "WORKFLOW_CANCELLED";
  }

  /** The global id of a workflow's promise, as ResolvePromise / RejectPromise take it. */
  public static String promiseId(UUID workflowId, String promiseName) {
    String prefix = workflowId + ":";
    return promiseName.startsWith(prefix) ? promiseName : prefix + promiseName;
  }

  /** The workflow-local name of a promise given either its name or its global id. */
  public static String promiseName(UUID workflowId, String promiseIdOrName) {
    String prefix = workflowId + ":";
    return promiseIdOrName.startsWith(prefix)
        ? promiseIdOrName.substring(prefix.length())
        : promiseIdOrName;
  }
}
