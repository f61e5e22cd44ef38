package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which workflow executions a list, count or bulk cancel takes: every condition given must hold
 * (AND); an empty set or list and a null mean "any".
 *
 * @param statuses the statuses to take (any of them); empty for any
 * @param kinds the kinds to take (exact); empty for any
 * @param queues the queues to take (exact); empty for any
 * @param createdAfter only those created after this instant; null for any
 * @param createdBefore only those created before this instant; null for any
 * @param updatedAfter only those last changed after this instant; null for any
 * @param updatedBefore only those last changed before this instant; null for any
 * @param parentId only children of this workflow; null for any
 * @param id only this workflow; null for any
 * @param idPrefix only ids starting with these hex digits; null for any
 * @param query an FQL query (its ORDER BY orders a list); {@link FqlQuery#none()} when null
 */
public record WorkflowFilter(
    Set<WorkflowStatus> statuses,
    List<String> kinds,
    List<String> queues,
    Instant createdAfter,
    Instant createdBefore,
    Instant updatedAfter,
    Instant updatedBefore,
    UUID parentId,
    UUID id,
    IdPrefix idPrefix,
    FqlQuery query) {

  /**
   * Copies the collections; nulls become "any".
   *
   * @param statuses the statuses; null for any
   * @param kinds the kinds (at most 100, each 1 to 255 characters); null for any
   * @param queues the queues (at most 100, each 1 to 255 characters); null for any
   * @param createdAfter a lower bound of the creation time (exclusive); null for none
   * @param createdBefore an upper bound of the creation time (exclusive); null for none
   * @param updatedAfter a lower bound of the last change (exclusive); null for none
   * @param updatedBefore an upper bound of the last change (exclusive); null for none
   * @param parentId the parent; null for any
   * @param id the exact id; null for any
   * @param idPrefix the id's start; null for any
   * @param query the FQL query; null for none
   * @throws ai.flovyn.dispatch.domain.DispatchException INVALID_ARGUMENT naming {@code kind} or
   *     {@code queue} when a list is too long or holds an empty or overlong value
   */
  public WorkflowFilter {
    statuses = Filters.statuses(statuses);
    kinds = Filters.names("kind", kinds);
    queues = Filters.names("queue", queues);
    query = query == null ? FqlQuery.none() : query;
  }

  /**
   * The filter that takes every workflow.
   *
   * @return a filter without conditions
   */
  public static WorkflowFilter all() {
    return new WorkflowFilter(null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * The same filter with the FQL query replaced.
   *
   * @param other the new query; null for none
   * @return a copy with {@code other}
   */
  public WorkflowFilter withQuery(FqlQuery other) {
    return with(statuses, other);
  }

  /**
   * The same filter with the statuses replaced.
   *
   * @param other the statuses to take; null or empty for any
   * @return a copy with {@code other}
   */
  public WorkflowFilter withStatuses(Set<WorkflowStatus> other) {
    return with(other, query);
  }

  private WorkflowFilter with(Set<WorkflowStatus> otherStatuses, FqlQuery otherQuery) {
    return new WorkflowFilter(
        otherStatuses,
        kinds,
        queues,
        createdAfter,
        createdBefore,
        updatedAfter,
        updatedBefore,
        parentId,
        id,
        idPrefix,
        otherQuery);
  }
}
