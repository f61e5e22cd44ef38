package ai.flovyn.dispatch.domain;

/** The life cycle of a workflow execution. */
public enum WorkflowStatus {
  /** Ready to be polled. */
  PENDING,
  /** Claimed by a worker. */
  RUNNING,
  /** Suspended until a task, timer, promise or child it waits for happens. */
  WAITING,
  /** Finished with an output. */
  COMPLETED,
  /** Finished with an error. */
  FAILED,
  /** Finished as cancelled. */
  CANCELLED;

  /**
   * Whether the workflow has finished for good.
   *
   * @return true for COMPLETED, FAILED and CANCELLED: the status will not change again
   */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
