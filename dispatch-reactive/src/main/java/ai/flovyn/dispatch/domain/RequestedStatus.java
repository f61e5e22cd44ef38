package ai.flovyn.dispatch.domain;

/** The status a command batch asks its workflow to move to. */
public enum RequestedStatus {
  /** Leave the status as it is. */
  UNSPECIFIED,
  /** Leave the status as it is (the worker keeps running the workflow). */
  RUNNING,
  /** Wait: WAITING, or straight back to PENDING if something it waits for already happened. */
  SUSPENDED,
  /** Finished with success; the batch carries a CompleteWorkflow command. */
  COMPLETED,
  /** Finished as cancelled; the batch carries a CancelWorkflow command. */
  CANCELLED,
  /** Finished with an error; the batch carries a FailWorkflow command. */
  FAILED
}
