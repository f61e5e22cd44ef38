package ai.flovyn.dispatch.domain;

/** The life cycle of a task execution. */
public enum TaskStatus {
  /** Waiting to be claimed: new, retried after a failed attempt, or handed back. */
  PENDING,
  /** Claimed by a worker under a lease that its heartbeats renew. */
  RUNNING,
  /** Finished with an output. */
  COMPLETED,
  /** Failed its last attempt, or timed out with no retry left. */
  FAILED,
  /** Cancelled before it finished; a worker still running it is told to stop. */
  CANCELLED;

  /**
   * Whether the task has finished for good.
   *
   * @return true for COMPLETED, FAILED and CANCELLED: the status will not change again
   */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
