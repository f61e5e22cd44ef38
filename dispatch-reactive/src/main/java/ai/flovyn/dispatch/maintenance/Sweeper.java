package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.AgentChores;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.workflow.Releases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The maintenance services, one per chore, each with its own loop, batch limit and metrics: timers,
 * task leases, workflow leases (released claims, docs/sdk-compatibility.md W8), promise timeouts,
 * announcements of retried tasks and released workflows whose backoff ended, retention, and the
 * refresh of the queue backlog gauges. The pipeline tells it when it schedules something due sooner
 * ({@link #dueIn}); tests move the clock and call {@link #runOnce()}.
 */
public final class Sweeper implements AutoCloseable {
  private static final int LIMIT = 500;
  // a workflow goes with all of its events, tasks and their log lines: a small batch keeps each
  // statement short (far under the statement timeout) whatever one workflow holds
  private static final int RETENTION_LIMIT = 50;

  private final Clock clock;
  private final Releases releases;
  private final MaintenanceService announcements;
  // woken by dueIn: everything but retention, which has no due instant
  private final List<MaintenanceService> timed;
  private final MaintenanceService retention;
  private final MaintenanceService backlog;

  public Sweeper(
      Transactor transactor, DispatchOptions options, DispatchMetrics metrics, Clock clock) {
    this(transactor, options, metrics, clock, null);
  }

  /** With the chores of durable agents too, when {@code agents} is not null. */
  public Sweeper(
      Transactor transactor,
      DispatchOptions options,
      DispatchMetrics metrics,
      Clock clock,
      AgentChores agents) {
    this.clock = clock;
    Duration sleep = options.sweepInterval();
    this.announcements =
        new MaintenanceService(new AnnouncementChore(transactor), LIMIT, sleep, clock, metrics);
    this.releases = new Releases(transactor, options, metrics, announcements::dueAt);
    List<MaintenanceService> timed =
        new ArrayList<>(
            List.of(
                new MaintenanceService(new TimerChore(transactor), LIMIT, sleep, clock, metrics),
                new MaintenanceService(
                    new TaskLeaseChore(transactor, options, metrics, announcements::dueAt),
                    LIMIT,
                    sleep,
                    clock,
                    metrics),
                new MaintenanceService(
                    new WorkflowLeaseChore(transactor, releases), LIMIT, sleep, clock, metrics),
                new MaintenanceService(
                    new PromiseTimeoutChore(transactor), LIMIT, sleep, clock, metrics),
                announcements));
    if (agents != null) {
      timed.add(
          new MaintenanceService(new AgentTaskDeadlineChore(agents), LIMIT, sleep, clock, metrics));
      timed.add(new MaintenanceService(new AgentLeaseChore(agents), LIMIT, sleep, clock, metrics));
    }
    this.timed = List.copyOf(timed);
    this.retention =
        new MaintenanceService(
            new RetentionChore(transactor, options, metrics, agents),
            RETENTION_LIMIT,
            sleep,
            clock,
            metrics);
    // like retention, it has no due instant: asks for sooner work do not wake it
    this.backlog =
        new MaintenanceService(
            new QueueBacklogChore(transactor, metrics), LIMIT, sleep, clock, metrics);
  }

  public void start() {
    timed.forEach(MaintenanceService::start);
    retention.start();
    backlog.start();
  }

  /** Tells the services that something is due after {@code delay} (null: nothing). */
  public void dueIn(Duration delay) {
    if (delay == null) {
      return;
    }
    dueAt(clock.instant().plus(delay));
  }

  /** Tells the services that something is due at {@code at}. */
  public void dueAt(Instant at) {
    timed.forEach(service -> service.dueAt(at));
  }

  /** Errors with {@code error}, having released the workflow's claim if it was a rejection (W9). */
  public <T> Mono<T> releaseRejected(UUID workflowId, Throwable error) {
    return releases.afterRejection(workflowId, error);
  }

  /** Runs one batch of every chore, in order, by the clock; emits the items each handled. */
  public Mono<Map<String, Integer>> runOnce() {
    return Flux.fromIterable(timed)
        .concatWith(Flux.just(retention, backlog))
        .concatMap(service -> service.runOnce().map(items -> Map.entry(service.name(), items)))
        .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
  }

  @Override
  public void close() {
    timed.forEach(MaintenanceService::close);
    retention.close();
    backlog.close();
  }
}
