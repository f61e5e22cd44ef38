package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.store.NotificationListener;
import ai.flovyn.dispatch.store.QueueBacklog;
import ai.flovyn.dispatch.store.WorkSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * The pipeline's Micrometer meters, named as docs/observability.md lists them (Prometheus names),
 * and its {@link Tracing}: the one observability handle every feature is given.
 */
public final class DispatchMetrics {
  /**
   * The bucket bounds of every latency histogram: enough for a p50 and a p99 from 1 ms to a minute
   * (a long poll's longest wait), few enough (15 and +Inf) that a timer tagged by method and status
   * stays a handful of series, unlike Micrometer's percentile histogram (about 70 buckets).
   */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2).plusNanos(500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  /**
   * The latency buckets and longer ones, for the durations workers report of their own work (a task
   * or a workflow run may take an hour).
   */
  private static final Duration[] DURATION_BUCKETS =
      Stream.concat(
              Arrays.stream(LATENCY_BUCKETS),
              Stream.of(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)))
          .toArray(Duration[]::new);

  /** How a task attempt ends, as {@code dispatch_task_attempts_finished_total} tags it. */
  private static final List<String> TASK_OUTCOMES =
      List.of("completed", "retried", "failed", "cancelled", "timed_out_retry");

  /** The bucket bounds of the size histograms (commands per batch, calls per shared commit). */
  private static final double[] SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final MeterRegistry registry;
  private final Tracing tracing;
  private final DistributionSummary batchSize;
  private final DistributionSummary groupSize;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger pollsWaiting = new AtomicInteger();
  // Meters by name and tags: a builder's register() per call builds and sorts an id and looks it
  // up in the registry, on every call of the hot path; this lookup is one hash of the key.
  private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();
  private final QueueGauges queueGauges;

  public DispatchMetrics(MeterRegistry registry) {
    this(registry, Tracing.off());
  }

  /** Meters in {@code registry}, spans through {@code tracing}. */
  public DispatchMetrics(MeterRegistry registry, Tracing tracing) {
    this.registry = registry;
    this.queueGauges = new QueueGauges(registry, System::nanoTime);
    this.tracing = tracing;
    this.batchSize =
        sizeHistogram("dispatch_command_batch_size")
            .description("commands per command batch")
            .register(registry);
    Gauge.builder("dispatch_command_batches_in_flight", inFlight, AtomicInteger::get)
        .description("command batches accepted and not yet answered")
        .register(registry);
    Gauge.builder("dispatch_polls_waiting", pollsWaiting, AtomicInteger::get)
        .description("long polls (PollWorkflow, PollTask) currently open")
        .register(registry);
    this.groupSize =
        sizeHistogram("dispatch_command_batch_group_size")
            .description("command batches sharing one transaction (group commit)")
            .register(registry);
    // registered up front so that a scrape before the first poll reads 0, not nothing, and the
    // first increase is one Prometheus's rate() sees (the alerts divide by these)
    for (String kind : List.of("task", "workflow")) {
      claimStatements(kind, "claimed");
      claimStatements(kind, "empty");
      handedOut(kind);
    }
    for (String outcome : TASK_OUTCOMES) {
      taskAttempts(outcome);
    }
    for (String status : List.of("COMPLETED", "FAILED", "CANCELLED")) {
      workflowsFinished(status);
    }
    for (String reason : List.of("lease", "rejected")) {
      workflowReleases(reason, "released");
      workflowReleases(reason, "failed");
    }
  }

  /** The spans of the features that share these metrics; off unless configured. */
  public Tracing tracing() {
    return tracing;
  }

  /** Counts {@code claim}, one claim statement, by whether it handed out an item. */
  public <T> Mono<T> countClaim(Mono<T> claim, WorkSignal.Kind kind) {
    String tag = kind.name().toLowerCase(Locale.ROOT);
    return claim.doOnSuccess(
        claimed -> claimStatements(tag, claimed == null ? "empty" : "claimed").increment());
  }

  /** Counts one item a claim statement handed to a poll. */
  public void handedOut(WorkSignal.Kind kind) {
    handedOut(kind.name().toLowerCase(Locale.ROOT)).increment();
  }

  private Counter handedOut(String kind) {
    return Counter.builder("dispatch_claims_handed_out")
        .description("items handed to polls, by kind (one claim statement may serve several polls)")
        .tags("kind", kind)
        .register(registry);
  }

  private Counter claimStatements(String kind, String outcome) {
    return counter(
        "dispatch_claim_statements",
        "claim statements run by long polls, by kind and whether they claimed",
        "kind",
        kind,
        "outcome",
        outcome);
  }

  /** The counter of {@code name} with these tags (name, value, ...), registered on first use. */
  private Counter counter(String name, String description, String... tags) {
    return (Counter)
        meters.computeIfAbsent(
            key(name, tags),
            k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /** The timer of {@code name} with these tags (name, value, ...), registered on first use. */
  private Timer timer(String name, String description, String... tags) {
    return (Timer)
        meters.computeIfAbsent(
            key(name, tags),
            k -> latencyHistogram(name).description(description).tags(tags).register(registry));
  }

  /**
   * A timer builder that publishes a Prometheus histogram ({@code name_seconds_bucket{le}}) with
   * the shared latency buckets, so that dashboards compute p50 and p99 across instances; every
   * timer of the server is built here or by {@link #durationHistogram}.
   *
   * @param name the meter's name, without the {@code _seconds} unit suffix
   * @return a builder with the latency buckets set
   */
  public static Timer.Builder latencyHistogram(String name) {
    return Timer.builder(name).serviceLevelObjectives(LATENCY_BUCKETS);
  }

  /**
   * A timer builder like {@link #latencyHistogram} whose buckets go on to an hour, for durations
   * SDK workers report of their own work.
   *
   * @param name the meter's name, without the {@code _seconds} unit suffix
   * @return a builder with the duration buckets set
   */
  public static Timer.Builder durationHistogram(String name) {
    return Timer.builder(name).serviceLevelObjectives(DURATION_BUCKETS);
  }

  /** A summary builder publishing a histogram of counts with {@link #SIZE_BUCKETS}. */
  private static DistributionSummary.Builder sizeHistogram(String name) {
    return DistributionSummary.builder(name).serviceLevelObjectives(SIZE_BUCKETS);
  }

  private static List<String> key(String name, String... tags) {
    String[] key = new String[tags.length + 1];
    key[0] = name;
    System.arraycopy(tags, 0, key, 1, tags.length);
    return Arrays.asList(key);
  }

  /**
   * Exposes how often {@code listener} replaced its connection, and whether it is connected now:
   * its connection is checked every 15 s, so a 0 there is the server's own view that the database
   * cannot be reached.
   */
  public void watchListener(NotificationListener listener) {
    FunctionCounter.builder(
            "dispatch_listener_reconnects", listener, NotificationListener::reconnects)
        .description("times the LISTEN connection was lost and replaced")
        .register(registry);
    Gauge.builder("dispatch_listener_connected", listener, l -> l.connected() ? 1 : 0)
        .description("1 while the LISTEN connection to the database is up, else 0")
        .register(registry);
  }

  /** A group of batches committed together. */
  public void groupCommitted(int batches) {
    groupSize.record(batches);
  }

  /** A task row was created. */
  public void taskSubmitted(String tenantId, String taskType, String queue, int count) {
    counter(
            "dispatch_tasks_submitted",
            "task executions created",
            "tenant_id",
            tenantId,
            "task_type",
            taskType,
            "queue",
            queue)
        .increment(count);
  }

  /** A ScheduleTask matched an existing task. */
  public void taskIdempotent(String taskType, int count) {
    counter(
            "dispatch_tasks_idempotent",
            "ScheduleTask commands that matched an existing task",
            "task_type",
            taskType)
        .increment(count);
  }

  /** A ScheduleTask (or child) id collided with something else. */
  public void taskCollision(String reason) {
    Counter.builder("dispatch_task_collisions")
        .description("task or child ids that collided with an existing one")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A task attempt ended: completed, retried, failed, cancelled or timed out. */
  public void taskFinished(String outcome) {
    taskAttempts(outcome).increment();
  }

  private Counter taskAttempts(String outcome) {
    return counter(
        "dispatch_task_attempts_finished",
        "task attempts that ended, by outcome",
        "outcome",
        outcome);
  }

  /**
   * Registers the counters of maintenance service {@code chore} at zero, so that a scrape shows
   * them before its first run or error (a counter that first appears at 1 hides that increase from
   * Prometheus's {@code rate}).
   */
  public void watchChore(String chore) {
    maintenanceRuns(chore, "ok");
    maintenanceRuns(chore, "error");
    maintenanceItems(chore);
  }

  /** One run of a maintenance service ended: ok or error. */
  public void maintenanceRun(String chore, String outcome) {
    maintenanceRuns(chore, outcome).increment();
  }

  private Counter maintenanceRuns(String chore, String outcome) {
    return counter(
        "dispatch_maintenance_runs",
        "runs of each maintenance service, by outcome",
        "chore",
        chore,
        "outcome",
        outcome);
  }

  /** A maintenance service handled {@code count} items (timers fired, leases expired, ...). */
  public void maintenanceItems(String chore, long count) {
    maintenanceItems(chore).increment(count);
  }

  private Counter maintenanceItems(String chore) {
    return counter(
        "dispatch_maintenance_items", "items handled by each maintenance service", "chore", chore);
  }

  /**
   * Shows the backlog of the queues in {@code rows} ({@code dispatch_queue_depth}, {@code
   * dispatch_queue_oldest_age_seconds}); the queues of the previous refresh that are not among them
   * lose their series.
   */
  public void queueBacklog(List<QueueBacklog> rows) {
    queueGauges.refresh(rows);
  }

  /**
   * A workflow ended with {@code status} (COMPLETED, FAILED, CANCELLED): by its worker's command
   * batch, or failed by the server (abandoned after too many released claims).
   */
  public void workflowFinished(String status) {
    workflowsFinished(status).increment();
  }

  private Counter workflowsFinished(String status) {
    return counter(
        "dispatch_workflows_finished",
        "workflows that ended, by status (operator cancels not counted)",
        "status",
        status);
  }

  /** Retention deleted {@code count} rows of {@code table}. */
  public void rowsDeleted(String table, long count) {
    Counter.builder("dispatch_retention_rows_deleted")
        .description("rows deleted by retention, by table")
        .tag("table", table)
        .register(registry)
        .increment(count);
  }

  /** A workflow claim was released (back to PENDING) or the workflow failed as abandoned. */
  public void workflowReleased(String reason, String outcome) {
    workflowReleases(reason, outcome).increment();
  }

  private Counter workflowReleases(String reason, String outcome) {
    return counter(
        "dispatch_workflow_releases",
        "released workflow claims, by reason (lease, rejected) and outcome",
        "reason",
        reason,
        "outcome",
        outcome);
  }

  /** Times a long poll from its start to a claim or to its timeout. */
  public <T> Mono<T> timePoll(Mono<T> poll, String kind) {
    return Mono.defer(
        () -> {
          Timer.Sample sample = Timer.start(registry);
          pollsWaiting.incrementAndGet();
          return poll.doFinally(signal -> pollsWaiting.decrementAndGet())
              .doOnSuccess(value -> stopPoll(sample, kind, value == null ? "empty" : "claimed"))
              .doOnError(error -> stopPoll(sample, kind, errorOutcome(error)))
              .doOnCancel(() -> stopPoll(sample, kind, "cancelled"));
        });
  }

  private void stopPoll(Timer.Sample sample, String kind, String outcome) {
    sample.stop(
        timer(
            "dispatch_poll_wait",
            "long-poll waits, by kind and outcome",
            "kind",
            kind,
            "outcome",
            outcome));
  }

  /** Times a batch and records its size; the outcome tag comes from its value or error. */
  public <T> Mono<T> timeBatch(Mono<T> batch, int commands, Function<T, String> outcome) {
    return Mono.defer(
        () -> {
          Timer.Sample sample = Timer.start(registry);
          batchSize.record(commands);
          inFlight.incrementAndGet();
          return batch
              .doFinally(signal -> inFlight.decrementAndGet())
              .doOnSuccess(value -> stop(sample, value == null ? "ok" : outcome.apply(value)))
              .doOnError(error -> stop(sample, errorOutcome(error)))
              .doOnCancel(() -> stop(sample, "cancelled"));
        });
  }

  private void stop(Timer.Sample sample, String outcome) {
    sample.stop(
        timer(
            "dispatch_command_batches", "command batches applied, by outcome", "outcome", outcome));
  }

  public static String errorOutcome(Throwable error) {
    ErrorKind kind =
        error instanceof DispatchException dispatch ? dispatch.kind() : ErrorKind.INTERNAL;
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** A group of task outcomes (CompleteTask, FailTask) committed together. */
  public void taskOutcomeGroup(int calls) {
    sizeHistogram("dispatch_task_outcome_group_size")
        .description("CompleteTask and FailTask calls sharing one transaction (group commit)")
        .register(registry)
        .record(calls);
  }

  /** Exposes how many CompleteTask and FailTask calls wait for their group. */
  public void watchTaskOutcomesQueued(IntSupplier queued) {
    Gauge.builder("dispatch_task_outcomes_queued", queued, IntSupplier::getAsInt)
        .description("CompleteTask and FailTask calls waiting for a shared transaction")
        // the supplier is a method reference nothing else holds: a weak one would be collected
        .strongReference(true)
        .register(registry);
  }
}
