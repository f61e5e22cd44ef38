package ai.flovyn.dispatch;

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
 * @param groupCommitters how many shared transactions of command batches may run at once, and at
 *     most as many of task outcomes (CompleteTask / FailTask), of which a second one starts only
 *     when a full group ({@code maxGroupSize}) waits: fewer, larger groups finish more tasks
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
 * @param oneCallBatches whether a common command batch (tasks, operations, the workflow's ending)
 *     is written by one database call; off, every batch runs statement by statement, the way the
 *     others do: for tests and diagnosis
 * @param claimLinger longest a poll on a busy queue waits for the polls arriving after it, so that
 *     one claim statement serves them together (zero: every poll claims at once)
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
    Map<String, Duration> tenantRetention,
    boolean oneCallBatches,
    Duration claimLinger) {

  /**
   * 1 ms: on a busy queue a claim statement costs the server and PostgreSQL several hundred µs, a
   * task loop's polls arrive a fraction of a millisecond apart, and a millisecond is small beside a
   * task's own round trips (docs/performance.md, "Claims shared by the polls of a busy queue").
   */
  public static final Duration DEFAULT_CLAIM_LINGER = Duration.ofMillis(1);

  /** 3.5 MiB: room under the SDK's 4 MiB receive limit for the answer's own framing. */
  public static final long DEFAULT_MAX_HISTORY_BYTES = 3_670_016;

  /**
   * Copies {@code tenantRetention}, so that a caller's later change to its map cannot reach the
   * options.
   *
   * @param maxPollTimeout the cap on a long poll's timeout (default 60 s)
   * @param taskLease a claimed task's lease, renewed by each sign of life (default 900 s)
   * @param workflowLease how long a claimed workflow may go without a batch (default 120 s)
   * @param retryBackoffBase the backoff before a failed task's first retry, doubled each attempt
   *     (default 1 s)
   * @param retryBackoffMax the longest backoff between attempts (default 60 s)
   * @param sweepInterval the longest the sweeper sleeps without a due item (default 30 s)
   * @param groupCommitters shared transactions that may run at once, per kind (default 4)
   * @param maxGroupSize most batches or task outcomes in one shared transaction; 1 turns group
   *     commit off (default 64)
   * @param background whether to run the listener and the maintenance services (default true)
   * @param maxHistoryBytes the most bytes of a workflow's events (default {@link
   *     #DEFAULT_MAX_HISTORY_BYTES})
   * @param taskLogLines the most log lines kept per task (default 1000)
   * @param maxWorkflowReleases releases of a workflow claim before the workflow fails as abandoned
   *     (default 5)
   * @param retention how long finished work is kept (default 7 days)
   * @param tenantRetention per-tenant overrides of {@code retention}, copied; must not be null
   *     (empty for none)
   * @param oneCallBatches whether common batches are written by one call (default true)
   * @param claimLinger the longest a poll on a busy queue waits to share a claim (default 1 ms)
   * @throws NullPointerException when {@code tenantRetention} is null or holds a null key or value
   */
  public DispatchOptions {
    tenantRetention = Map.copyOf(tenantRetention);
  }

  /**
   * 60 s poll cap, 900 s task lease, 120 s workflow lease, 1..60 s backoff, group commit on, 3.5
   * MiB histories, 1000 log lines per task, 5 releases, 7 days retention, common batches in one
   * call, claims on busy queues lingering 1 ms.
   *
   * @return the defaults listed above, with no per-tenant retention
   */
  public static DispatchOptions defaults() {
    return new DispatchOptions(
        Duration.ofSeconds(60),
        Duration.ofSeconds(900),
        // generous (docs/sdk-compatibility.md, W8): no SDK heartbeats an activation, and a batch
        // that arrives after its claim expired and the workflow was claimed again cannot be told
        // from the new claimant's
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
        Map.of(),
        true,
        DEFAULT_CLAIM_LINGER);
  }

  /**
   * The backoff before the first retry, in milliseconds (as the SQL of retries takes it).
   *
   * @return {@link #retryBackoffBase()} in milliseconds
   */
  public double retryBackoffBaseMillis() {
    return retryBackoffBase.toMillis();
  }

  /**
   * The longest backoff between attempts, in milliseconds.
   *
   * @return {@link #retryBackoffMax()} in milliseconds
   */
  public double retryBackoffMaxMillis() {
    return retryBackoffMax.toMillis();
  }

  /**
   * A builder holding these options.
   *
   * @return a builder whose {@code build()} gives these options until a setter changes one
   */
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
    private boolean oneCallBatches;
    private Duration claimLinger;

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
      oneCallBatches = from.oneCallBatches;
      claimLinger = from.claimLinger;
    }

    /**
     * Caps the timeout a long poll may ask for; a longer request waits this long.
     *
     * @param value the cap (default 60 s)
     * @return this builder
     */
    public Builder maxPollTimeout(Duration value) {
      maxPollTimeout = value;
      return this;
    }

    /**
     * How long a claimed task stays claimed after its last sign of life; then its attempt fails
     * (and is retried while attempts remain).
     *
     * @param value the lease (default 900 s)
     * @return this builder
     */
    public Builder taskLease(Duration value) {
      taskLease = value;
      return this;
    }

    /**
     * How long a claimed workflow may go without a command batch before another worker gets it.
     *
     * @param value the lease (default 120 s)
     * @return this builder
     */
    public Builder workflowLease(Duration value) {
      workflowLease = value;
      return this;
    }

    /**
     * The backoff between attempts of a failed task: {@code base}, doubled each attempt, at most
     * {@code max}.
     *
     * @param base the backoff before the first retry (default 1 s)
     * @param max the longest backoff (default 60 s)
     * @return this builder
     */
    public Builder retryBackoff(Duration base, Duration max) {
      retryBackoffBase = base;
      retryBackoffMax = max;
      return this;
    }

    /**
     * The longest the sweeper of timers and leases sleeps when nothing is due sooner.
     *
     * @param value the interval (default 30 s)
     * @return this builder
     */
    public Builder sweepInterval(Duration value) {
      sweepInterval = value;
      return this;
    }

    /**
     * Group commit with {@code committers} shared transactions of at most {@code maxGroup}.
     *
     * @param committers shared transactions that may run at once, per kind (default 4)
     * @param maxGroup most batches or task outcomes in one; 1 turns group commit off (default 64)
     * @return this builder
     */
    public Builder groupCommit(int committers, int maxGroup) {
      groupCommitters = committers;
      maxGroupSize = maxGroup;
      return this;
    }

    /**
     * Whether to run the notification listener and the maintenance services; off only for tests
     * that drive maintenance themselves.
     *
     * @param value false for no background work (default true)
     * @return this builder
     */
    public Builder background(boolean value) {
      background = value;
      return this;
    }

    /**
     * The most bytes of a workflow's events; what would grow a history past it is refused with
     * RESOURCE_EXHAUSTED.
     *
     * @param value the limit in bytes (default {@link #DEFAULT_MAX_HISTORY_BYTES}); more than 4 MiB
     *     leaves SDKs unable to read the history
     * @return this builder
     */
    public Builder maxHistoryBytes(long value) {
      maxHistoryBytes = value;
      return this;
    }

    /**
     * The most log lines kept per task; later lines are dropped and counted.
     *
     * @param value the limit (default 1000)
     * @return this builder
     */
    public Builder taskLogLines(int value) {
      taskLogLines = value;
      return this;
    }

    /**
     * How often a workflow claim may be released before the workflow fails as abandoned.
     *
     * @param value the limit (default 5)
     * @return this builder
     */
    public Builder maxWorkflowReleases(int value) {
      maxWorkflowReleases = value;
      return this;
    }

    /**
     * Keeps finished work for {@code value}, for the tenants in {@code perTenant} as given.
     *
     * @param value how long finished work is kept (default 7 days)
     * @param perTenant tenant ids to their own retention; empty for none, not null
     * @return this builder
     */
    public Builder retention(Duration value, Map<String, Duration> perTenant) {
      retention = value;
      tenantRetention = perTenant;
      return this;
    }

    /**
     * Whether a common batch (only tasks, operations and the workflow's ending) is written by one
     * database call that locks, checks its guards and writes; off, every batch runs statement by
     * statement under its workflow's lock, as the others always do. Both write the same rows and
     * answer the same; off is for tests and diagnosis.
     *
     * @param value false to apply every batch statement by statement (default true)
     * @return this builder
     */
    public Builder oneCallBatches(boolean value) {
      oneCallBatches = value;
      return this;
    }

    /**
     * How long a poll on a busy queue (its last claim statement found work for every poll) may wait
     * for the polls that arrive after it, so that one claim statement serves them all; only while
     * polls arrive closer together than this. Zero claims for every poll at once, as before.
     *
     * @param value the longest wait, zero or more (default {@link #DEFAULT_CLAIM_LINGER})
     * @return this builder
     */
    public Builder claimLinger(Duration value) {
      claimLinger = value;
      return this;
    }

    /**
     * The options as set; nothing is checked beyond the copy of the per-tenant map.
     *
     * @return the options
     */
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
          tenantRetention,
          oneCallBatches,
          claimLinger);
    }
  }
}
