package ai.flovyn.dispatch.domain;

/** The life cycle of a task execution. */
public enum TaskStatus {
  PENDING,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  /** Whether the task has finished for good. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
