package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.store.NotificationListener;
import ai.flovyn.dispatch.store.WorkSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/** The pipeline's Micrometer meters, named as semantics.md lists them (Prometheus names). */
final class DispatchMetrics {
  private final MeterRegistry registry;
  private final DistributionSummary batchSize;
  private final DistributionSummary groupSize;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger pollsWaiting = new AtomicInteger();

  DispatchMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.batchSize =
        DistributionSummary.builder("dispatch_command_batch_size")
            .description("commands per command batch")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("dispatch_command_batches_in_flight", inFlight, AtomicInteger::get)
        .description("command batches accepted and not yet answered")
        .register(registry);
    Gauge.builder("dispatch_polls_waiting", pollsWaiting, AtomicInteger::get)
        .description("long polls (PollWorkflow, PollTask) currently open")
        .register(registry);
    this.groupSize =
        DistributionSummary.builder("dispatch_command_batch_group_size")
            .description("command batches sharing one transaction (group commit)")
            .register(registry);
    // registered up front so that a scrape before the first poll reads 0, not nothing
    for (String kind : List.of("task", "workflow")) {
      claimStatements(kind, "claimed");
      claimStatements(kind, "empty");
      handedOut(kind);
    }
  }

  /** Counts {@code claim}, one claim statement, by whether it handed out an item. */
  <T> Mono<T> countClaim(Mono<T> claim, WorkSignal.Kind kind) {
    String tag = kind.name().toLowerCase(Locale.ROOT);
    return claim.doOnSuccess(
        claimed -> claimStatements(tag, claimed == null ? "empty" : "claimed").increment());
  }

  /** Counts one item a claim statement handed to a poll. */
  void handedOut(WorkSignal.Kind kind) {
    handedOut(kind.name().toLowerCase(Locale.ROOT)).increment();
  }

  private Counter handedOut(String kind) {
    return Counter.builder("dispatch_claims_handed_out")
        .description("items handed to polls, by kind (one claim statement may serve several polls)")
        .tags("kind", kind)
        .register(registry);
  }

  private Counter claimStatements(String kind, String outcome) {
    return Counter.builder("dispatch_claim_statements")
        .description("claim statements run by long polls, by kind and whether they claimed")
        .tags("kind", kind, "outcome", outcome)
        .register(registry);
  }

  /** Exposes how often {@code listener} replaced its connection. */
  void watchListener(NotificationListener listener) {
    FunctionCounter.builder(
            "dispatch_listener_reconnects", listener, NotificationListener::reconnects)
        .description("times the LISTEN connection was lost and replaced")
        .register(registry);
  }

  /** A group of batches committed together. */
  void groupCommitted(int batches) {
    groupSize.record(batches);
  }

  /** A task row was created. */
  void taskSubmitted(String tenantId, String taskType, String queue, int count) {
    Counter.builder("dispatch_tasks_submitted")
        .description("task executions created")
        .tags("tenant_id", tenantId, "task_type", taskType, "queue", queue)
        .register(registry)
        .increment(count);
  }

  /** A ScheduleTask matched an existing task. */
  void taskIdempotent(String taskType, int count) {
    Counter.builder("dispatch_tasks_idempotent")
        .description("ScheduleTask commands that matched an existing task")
        .tag("task_type", taskType)
        .register(registry)
        .increment(count);
  }

  /** A ScheduleTask (or child) id collided with something else. */
  void taskCollision(String reason) {
    Counter.builder("dispatch_task_collisions")
        .description("task or child ids that collided with an existing one")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A task attempt ended: completed, retried, failed, cancelled or timed out. */
  void taskFinished(String outcome) {
    Counter.builder("dispatch_task_attempts_finished")
        .description("task attempts that ended, by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** One run of a maintenance service ended: ok or error. */
  void maintenanceRun(String chore, String outcome) {
    Counter.builder("dispatch_maintenance_runs")
        .description("runs of each maintenance service, by outcome")
        .tags("chore", chore, "outcome", outcome)
        .register(registry)
        .increment();
  }

  /** A maintenance service handled {@code count} items (timers fired, leases expired, ...). */
  void maintenanceItems(String chore, long count) {
    Counter.builder("dispatch_maintenance_items")
        .description("items handled by each maintenance service")
        .tag("chore", chore)
        .register(registry)
        .increment(count);
  }

  /** Retention deleted {@code count} rows of {@code table}. */
  void rowsDeleted(String table, long count) {
    Counter.builder("dispatch_retention_rows_deleted")
        .description("rows deleted by retention, by table")
        .tag("table", table)
        .register(registry)
        .increment(count);
  }

  /** A workflow claim was released (back to PENDING) or the workflow failed as abandoned. */
  void workflowReleased(String reason, String outcome) {
    Counter.builder("dispatch_workflow_releases")
        .description("released workflow claims, by reason (lease, rejected) and outcome")
        .tags("reason", reason, "outcome", outcome)
        .register(registry)
        .increment();
  }

  /** Times a long poll from its start to a claim or to its timeout. */
  <T> Mono<T> timePoll(Mono<T> poll, String kind) {
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
        Timer.builder("dispatch_poll_wait")
            .description("long-poll waits, by kind and outcome")
            .tags("kind", kind, "outcome", outcome)
            .register(registry));
  }

  /** Times a batch and records its size; the outcome tag comes from its value or error. */
  <T> Mono<T> timeBatch(Mono<T> batch, int commands, Function<T, String> outcome) {
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
        Timer.builder("dispatch_command_batches")
            .description("command batches applied, by outcome")
            .tag("outcome", outcome)
            .register(registry));
  }

  static String errorOutcome(Throwable error) {
    ErrorKind kind =
        error instanceof DispatchException dispatch ? dispatch.kind() : ErrorKind.INTERNAL;
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
