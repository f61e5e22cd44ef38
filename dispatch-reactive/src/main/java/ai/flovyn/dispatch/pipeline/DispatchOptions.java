package ai.flovyn.dispatch.pipeline;

import java.time.Duration;
import java.util.Map;

/**
 * Tunables of the pipeline; start from {@link #defaults()} and change what differs with {@link
 * #toBuilder()}.
 *
 * @param maxPollTimeout cap on a long poll's timeout
 * @param taskLease how long a claimed task without {@code timeout_ms} stays claimed after the last
 *     sign of life of its worker (a poll, a worker heartbeat) or of itself (a log line, streamed
 *     data, progress, a heartbeat); a task with {@code timeout_ms} has that as a hard lease
 * @param workflowLease how long a claimed workflow may go without a command batch before it is
 *     handed to another worker
 * @param retryBackoffBase backoff before the first retry of a failed task (doubled each attempt)
 * @param retryBackoffMax longest backoff between attempts
 * @param sweepInterval longest time the sweeper of timers and leases sleeps without a due item
 * @param groupCommitters how many shared transactions of command batches may run at once (and as
 *     many of task outcomes, CompleteTask / FailTask)
 * @param maxGroupSize most command batches, or task outcomes, in one shared transaction (1: no
 *     group commit)
 * @param background whether to run the notification listener and the sweeper (off only for tests
 *     that must see no background statements)
 * @param maxHistoryBytes most bytes a workflow's GetEvents answer may take: an SDK cannot read more
 *     than 4 MiB, so what would grow a history past this is refused
 * @param taskLogLines most log lines kept per task execution; later ones are dropped
 * @param maxWorkflowReleases how often a workflow claim may be released (lease expired without a
 *     batch, or a batch rejected) before the workflow is failed as abandoned
 * @param retention how long finished workflows, finished standalone tasks and their rows are kept
 * @param tenantRetention per-tenant overrides of {@code retention}
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
    boolean background,
    long maxHistoryBytes,
    int taskLogLines,
    int maxWorkflowReleases,
    Duration retention,
    Map<String, Duration> tenantRetention) {

  /** 3.5 MiB: room under the SDK's 4 MiB receive limit for the answer's own framing. */
  public static final long DEFAULT_MAX_HISTORY_BYTES = 3_670_016;

  public DispatchOptions {
    tenantRetention = Map.copyOf(tenantRetention);
  }

  /**
   * 60 s poll cap, 900 s task lease, 120 s workflow lease, 1..60 s backoff, group commit on, 3.5
   * MiB histories, 1000 log lines per task, 5 releases, 7 days retention.
   */
  public static DispatchOptions defaults() {
    return new DispatchOptions(
        Duration.ofSeconds(60),
        Duration.ofSeconds(900),
        // generous (W8): no SDK heartbeats an activation, and a batch that arrives after its claim
        // expired and the workflow was claimed again cannot be told from the new claimant's
        Duration.ofSeconds(120),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        4,
        64,
        true,
        DEFAULT_MAX_HISTORY_BYTES,
        1000,
        5,
        Duration.ofDays(7),
        Map.of());
  }

  /** The backoff before the first retry, in milliseconds (as the SQL of retries takes it). */
  double retryBackoffBaseMillis() {
    return retryBackoffBase.toMillis();
  }

  /** The longest backoff between attempts, in milliseconds. */
  double retryBackoffMaxMillis() {
    return retryBackoffMax.toMillis();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes some options of a copy. */
  public static final class Builder {
    private Duration maxPollTimeout;
    private Duration taskLease;
    private Duration workflowLease;
    private Duration retryBackoffBase;
    private Duration retryBackoffMax;
    private Duration sweepInterval;
    private int groupCommitters;
    private int maxGroupSize;
    private boolean background;
    private long maxHistoryBytes;
    private int taskLogLines;
    private int maxWorkflowReleases;
    private Duration retention;
    private Map<String, Duration> tenantRetention;

    private Builder(DispatchOptions from) {
      maxPollTimeout = from.maxPollTimeout;
      taskLease = from.taskLease;
      workflowLease = from.workflowLease;
      retryBackoffBase = from.retryBackoffBase;
      retryBackoffMax = from.retryBackoffMax;
      sweepInterval = from.sweepInterval;
      groupCommitters = from.groupCommitters;
      maxGroupSize = from.maxGroupSize;
      background = from.background;
      maxHistoryBytes = from.maxHistoryBytes;
      taskLogLines = from.taskLogLines;
      maxWorkflowReleases = from.maxWorkflowReleases;
      retention = from.retention;
      tenantRetention = from.tenantRetention;
    }

    public Builder maxPollTimeout(Duration value) {
      maxPollTimeout = value;
      return this;
    }

    public Builder taskLease(Duration value) {
      taskLease = value;
      return this;
    }

    public Builder workflowLease(Duration value) {
      workflowLease = value;
      return this;
    }

    public Builder retryBackoff(Duration base, Duration max) {
      retryBackoffBase = base;
      retryBackoffMax = max;
      return this;
    }

    public Builder sweepInterval(Duration value) {
      sweepInterval = value;
      return this;
    }

    /** Group commit with {@code committers} shared transactions of at most {@code maxGroup}. */
    public Builder groupCommit(int committers, int maxGroup) {
      groupCommitters = committers;
      maxGroupSize = maxGroup;
      return this;
    }

    public Builder background(boolean value) {
      background = value;
      return this;
    }

    public Builder maxHistoryBytes(long value) {
      maxHistoryBytes = value;
      return this;
    }

    public Builder taskLogLines(int value) {
      taskLogLines = value;
      return this;
    }

    public Builder maxWorkflowReleases(int value) {
      maxWorkflowReleases = value;
      return this;
    }

    /** Keeps finished work for {@code value}, for the tenants in {@code perTenant} as given. */
    public Builder retention(Duration value, Map<String, Duration> perTenant) {
      retention = value;
      tenantRetention = perTenant;
      return this;
    }

    public DispatchOptions build() {
      return new DispatchOptions(
          maxPollTimeout,
          taskLease,
          workflowLease,
          retryBackoffBase,
          retryBackoffMax,
          sweepInterval,
          groupCommitters,
          maxGroupSize,
          background,
          maxHistoryBytes,
          taskLogLines,
          maxWorkflowReleases,
          retention,
          tenantRetention);
    }
  }
}
