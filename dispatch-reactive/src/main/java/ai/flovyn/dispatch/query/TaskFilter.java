package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which task executions a list or count takes: every condition given must hold (AND); an empty set
 * or list and a null mean "any".
 *
 * @param statuses the statuses to take (any of them); empty for any
 * @param kinds the task kinds to take (exact); empty for any
 * @param queues the queues to take (exact); empty for any
 * @param workflowId only the tasks of this workflow; null for any
 * @param standalone only tasks of no workflow
 * @param createdAfter only those created after this instant; null for any
 * @param createdBefore only those created before this instant; null for any
 * @param query an FQL query (its ORDER BY orders a list); {@link FqlQuery#none()} when null
 */
public record TaskFilter(
    Set<TaskStatus> statuses,
    List<String> kinds,
    List<String> queues,
    UUID workflowId,
    boolean standalone,
    Instant createdAfter,
    Instant createdBefore,
    FqlQuery query) {

  /**
   * Copies the collections; nulls become "any".
   *
   * @param statuses the statuses; null for any
   * @param kinds the kinds (at most 100, each 1 to 255 characters); null for any
   * @param queues the queues (at most 100, each 1 to 255 characters); null for any
   * @param workflowId the workflow; null for any
   * @param standalone only tasks of no workflow (not together with {@code workflowId})
   * @param createdAfter a lower bound of the creation time (exclusive); null for none
   * @param createdBefore an upper bound of the creation time (exclusive); null for none
   * @param query the FQL query; null for none
   * @throws ai.flovyn.dispatch.domain.DispatchException INVALID_ARGUMENT naming {@code kind},
   *     {@code queue} or {@code standalone}
   */
  public TaskFilter {
    statuses = Filters.statuses(statuses);
    kinds = Filters.names("kind", kinds);
    queues = Filters.names("queue", queues);
    query = query == null ? FqlQuery.none() : query;
    if (standalone && workflowId != null) {
      throw ai.flovyn.dispatch.domain.DispatchException.invalidArgument(
          "standalone: cannot be combined with workflowId");
    }
  }

  /**
   * The filter that takes every task.
   *
   * @return a filter without conditions
   */
  public static TaskFilter all() {
    return new TaskFilter(null, null, null, null, false, null, null, null);
  }
}
