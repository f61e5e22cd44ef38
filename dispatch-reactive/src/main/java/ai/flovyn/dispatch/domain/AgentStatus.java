package ai.flovyn.dispatch.domain;

/** The life cycle of an agent execution (docs/agents.md). */
public enum AgentStatus {
  /** Waiting to be claimed by PollAgent: new, woken from WAITING, or reclaimed. */
  PENDING,
  /** Claimed by an agent worker under a lease its own calls renew. */
  RUNNING,
  /** Suspended until its wait condition holds. */
  WAITING,
  /** Finished with an output. */
  COMPLETED,
  /** Failed for good. */
  FAILED,
  /** Cancelled from outside. */
  CANCELLED;

  /**
   * Whether the agent has finished for good.
   *
   * @return true for COMPLETED, FAILED and CANCELLED
   */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
