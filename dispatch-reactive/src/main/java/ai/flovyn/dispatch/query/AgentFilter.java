package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.AgentStatus;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which agent executions a list or count takes: every condition given must hold (AND); an empty set
 * or list and a null mean "any".
 *
 * @param statuses the statuses to take (any of them); empty for any
 * @param kinds the kinds to take (exact); empty for any
 * @param queues the queues to take (exact); empty for any
 * @param parentId only children of this agent; null for any
 */
public record AgentFilter(
    Set<AgentStatus> statuses, List<String> kinds, List<String> queues, UUID parentId) {

  /**
   * Copies the collections; nulls become "any".
   *
   * @param statuses the statuses; null for any
   * @param kinds the kinds (at most 100, each 1 to 255 characters); null for any
   * @param queues the queues (at most 100, each 1 to 255 characters); null for any
   * @param parentId the parent agent; null for any
   * @throws ai.flovyn.dispatch.domain.DispatchException INVALID_ARGUMENT naming {@code kind} or
   *     {@code queue} when a list is too long or holds an empty or overlong value
   */
  public AgentFilter {
    statuses = Filters.statuses(statuses);
    kinds = Filters.names("kind", kinds);
    queues = Filters.names("queue", queues);
  }

  /**
   * Every agent.
   *
   * @return a filter without conditions
   */
  public static AgentFilter all() {
    return new AgentFilter(null, null, null, null);
  }
}
