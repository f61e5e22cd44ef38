package ai.flovyn.dispatch.domain;

/**
 * What cancelling a workflow from outside did: whether it cancelled it or found it already
 * finished, and how many of its descendants it cancelled with it.
 *
 * @param status {@link Status#CANCELLED} when this call cancelled the workflow, {@link
 *     Status#ALREADY_TERMINAL} when it had finished before (nothing was written)
 * @param cancelledChildren how many unfinished descendants (children, their children, ...) the call
 *     cancelled too; 0 without cascade or when already finished
 */
public record CancelResult(Status status, int cancelledChildren) {

  /** Whether a cancel call ended the workflow or found it finished. */
  public enum Status {
    /** This call cancelled the workflow. */
    CANCELLED,
    /** The workflow had already finished (COMPLETED, FAILED or CANCELLED): nothing written. */
    ALREADY_TERMINAL
  }
}
