package ai.flovyn.dispatch.domain;

/** The life cycle of a workflow execution. */
public enum WorkflowStatus {
  /** Ready to be polled. */
  PENDING,
  /** Claimed by a worker. */
  RUNNING,
  /** Suspended until a task, timer, promise or child it waits for happens. */
  WAITING,
  COMPLETED,
  FAILED,
  CANCELLED;

  /** Whether the workflow has finished for good. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
