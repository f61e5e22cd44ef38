package ai.flovyn.dispatch.domain;

import java.time.Duration;

/**
 * What a task worker consumes with {@code Dispatch.tasks}: the tasks of (tenant, queue) it may
 * claim, under its worker id, long-polling at most {@code pollTimeout} per claim attempt.
 *
 * @param workerPoolId only tasks of this pool or of none; null for tasks of no pool
 * @param pollTimeout how long one long poll waits before it polls again (capped by the options'
 *     maximum poll timeout)
 */
public record TaskSubscription(
    String tenantId, String queue, String workerPoolId, String workerId, Duration pollTimeout) {

  /** The poll timeout when none is set: 30 seconds. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A subscription to the tasks of (tenant, queue) for {@code workerId}, of no worker pool, polling
   * with {@link #DEFAULT_POLL_TIMEOUT}.
   *
   * @param tenantId the tenant whose tasks to claim; must be the scope's
   * @param queue the queue to claim from; must not be empty
   * @param workerId the id the tasks are claimed under (their lease holder); must not be empty
   * @return the subscription; nothing is checked until {@code Dispatch.tasks} takes it
   */
  public static TaskSubscription of(String tenantId, String queue, String workerId) {
    return new TaskSubscription(tenantId, queue, null, workerId, DEFAULT_POLL_TIMEOUT);
  }

  /**
   * This subscription for the worker pool {@code value}.
   *
   * @param value the pool to claim tasks of (tasks of no pool too); null for tasks of no pool only
   * @return a copy of this subscription with only the pool changed
   */
  public TaskSubscription withWorkerPoolId(String value) {
    return new TaskSubscription(tenantId, queue, value, workerId, pollTimeout);
  }

  /**
   * This subscription with another poll timeout.
   *
   * @param value how long one long poll waits, capped by the options' maximum; null or negative for
   *     no wait
   * @return a copy of this subscription with only the poll timeout changed
   */
  public TaskSubscription withPollTimeout(Duration value) {
    return new TaskSubscription(tenantId, queue, workerPoolId, workerId, value);
  }
}
