package ai.flovyn.dispatch.query;

import java.time.Instant;
import java.util.Map;

/**
 * What waits and runs on one queue: unfinished workflows and tasks by status, and the oldest
 * PENDING item of each.
 *
 * @param queue the queue's name
 * @param workflows PENDING, RUNNING and WAITING to the count of workflows on the queue
 * @param tasks PENDING and RUNNING to the count of tasks on the queue
 * @param oldestPendingWorkflowAt the creation time of the oldest PENDING workflow, or null
 * @param oldestPendingTaskAt the creation time of the oldest PENDING task, or null
 */
public record QueueStats(
    String queue,
    Map<String, Long> workflows,
    Map<String, Long> tasks,
    Instant oldestPendingWorkflowAt,
    Instant oldestPendingTaskAt) {
  /**
   * Copies the maps, keeping their order.
   *
   * @param queue the queue's name
   * @param workflows status to count of workflows
   * @param tasks status to count of tasks
   * @param oldestPendingWorkflowAt the oldest PENDING workflow's creation time, or null
   * @param oldestPendingTaskAt the oldest PENDING task's creation time, or null
   */
  public QueueStats {
    workflows = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(workflows));
    tasks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tasks));
  }

  /**
   * How much is on the queue.
   *
   * @return the sum of every count, workflows and tasks
   */
  public long size() {
    return workflows.values().stream().mapToLong(Long::longValue).sum()
        + tasks.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The oldest PENDING item's creation time, workflow or task.
   *
   * @return the earlier of the two, or null when nothing is PENDING
   */
  public Instant oldestPendingAt() {
    if (oldestPendingWorkflowAt == null) {
      return oldestPendingTaskAt;
    }
    if (oldestPendingTaskAt == null) {
      return oldestPendingWorkflowAt;
    }
    return oldestPendingWorkflowAt.isBefore(oldestPendingTaskAt)
        ? oldestPendingWorkflowAt
        : oldestPendingTaskAt;
  }
}
