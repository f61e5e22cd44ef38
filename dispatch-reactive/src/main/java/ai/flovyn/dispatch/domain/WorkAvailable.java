package ai.flovyn.dispatch.domain;

/**
 * "Work may be ready": emitted by {@code Dispatch.workAvailable} when a workflow or task of
 * (tenant, queue) may have become claimable, so that a worker polls again instead of on a timer.
 *
 * @param kind which poll the work is for, {@link Kind#ANY} when unknown
 * @param tenantId the tenant, null for {@link Kind#ANY}
 * @param queue the queue, null for {@link Kind#ANY}
 */
public record WorkAvailable(Kind kind, String tenantId, String queue) {

  /** Which poll the work is for. */
  public enum Kind {
    /** A workflow activation: poll workflows. */
    WORKFLOW,
    /** A task: poll tasks. */
    TASK,
    /** Anything may be ready (signals may have been lost while the listener reconnected). */
    ANY
  }
}
