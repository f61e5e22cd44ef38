package ai.flovyn.dispatch.pipeline;

import java.time.Duration;

/**
 * Tunables of the pipeline.
 *
 * @param maxPollTimeout cap on a long poll's timeout
 * @param taskLease how long a claimed task without {@code timeout_ms} may go without a heartbeat
 * @param workflowLease how long a claimed workflow may go without a command batch before it is
 *     handed to another worker
 * @param retryBackoffBase backoff before the first retry of a failed task (doubled each attempt)
 * @param retryBackoffMax longest backoff between attempts
 * @param sweepInterval longest time the sweeper of timers and leases sleeps without a due item
 * @param groupCommitters how many shared transactions of command batches may run at once
 * @param maxGroupSize most command batches in one shared transaction (1: no group commit)
 * @param background whether to run the notification listener and the sweeper (off only for tests
 *     that must see no background statements)
 */
public record DispatchOptions(
    Duration maxPollTimeout,
    Duration taskLease,
    Duration workflowLease,
    Duration retryBackoffBase,
    Duration retryBackoffMax,
    Duration sweepInterval,
    int groupCommitters,
    int maxGroupSize,
    boolean background) {

  /** The defaults: 60 s poll cap, 300 s task lease, 60 s workflow lease, 1 s..60 s backoff. */
  public static DispatchOptions defaults() {
    return new DispatchOptions(
        Duration.ofSeconds(60),
        Duration.ofSeconds(300),
        Duration.ofSeconds(60),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        4,
        64,
        true);
  }

  public DispatchOptions withMaxPollTimeout(Duration value) {
    return new DispatchOptions(
        value,
        taskLease,
        workflowLease,
        retryBackoffBase,
        retryBackoffMax,
        sweepInterval,
        groupCommitters,
        maxGroupSize,
        background);
  }

  public DispatchOptions withTaskLease(Duration value) {
    return new DispatchOptions(
        maxPollTimeout,
        value,
        workflowLease,
        retryBackoffBase,
        retryBackoffMax,
        sweepInterval,
        groupCommitters,
        maxGroupSize,
        background);
  }

  public DispatchOptions withWorkflowLease(Duration value) {
    return new DispatchOptions(
        maxPollTimeout,
        taskLease,
        value,
        retryBackoffBase,
        retryBackoffMax,
        sweepInterval,
        groupCommitters,
        maxGroupSize,
        background);
  }

  public DispatchOptions withRetryBackoff(Duration base, Duration max) {
    return new DispatchOptions(
        maxPollTimeout,
        taskLease,
        workflowLease,
        base,
        max,
        sweepInterval,
        groupCommitters,
        maxGroupSize,
        background);
  }

  /** Group commit with {@code committers} shared transactions of at most {@code maxGroup}. */
  public DispatchOptions withGroupCommit(int committers, int maxGroup) {
    return new DispatchOptions(
        maxPollTimeout,
        taskLease,
        workflowLease,
        retryBackoffBase,
        retryBackoffMax,
        sweepInterval,
        committers,
        maxGroup,
        background);
  }

  public DispatchOptions withBackground(boolean value) {
    return new DispatchOptions(
        maxPollTimeout,
        taskLease,
        workflowLease,
        retryBackoffBase,
        retryBackoffMax,
        sweepInterval,
        groupCommitters,
        maxGroupSize,
        value);
  }
}
