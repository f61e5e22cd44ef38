package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.UUID;

/**
 * What a suspended agent waits for (SuspendAgent's wait condition).
 *
 * @param kind which condition
 * @param signalName the awaited signal name for {@link Kind#SIGNAL}, else null
 * @param ids the awaited tasks or children for the other kinds, else empty
 * @param reason why, as the worker said; null for none
 */
public record AgentWait(Kind kind, String signalName, List<UUID> ids, String reason) {
  /** The conditions: see docs/agents.md for when each holds. */
  public enum Kind {
    /** An unconsumed signal of the name. */
    SIGNAL,
    /** Every listed task terminal. */
    TASKS_ALL,
    /** Some listed task COMPLETED, or all terminal. */
    TASKS_ANY,
    /** Some listed child terminal, or a signal from one of them. */
    CHILD_ANY,
    /** Every listed child terminal. */
    CHILDREN_ALL
  }

  /**
   * Copies {@code ids}.
   *
   * @param kind which condition
   * @param signalName the awaited signal name for {@link Kind#SIGNAL}
   * @param ids the awaited tasks or children; null is empty
   * @param reason why; null for none
   */
  public AgentWait {
    ids = ids == null ? List.of() : List.copyOf(ids);
  }
}
