package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Does the time-driven work: fires due timers, fails task attempts whose lease expired, hands
 * workflows of silent workers back, times out promises and announces retried tasks whose backoff
 * ended. It sleeps until the next due item (asked of the database, at most {@code sweepInterval})
 * or until this instance schedules something sooner; with several instances each item is handled
 * once because every claim skips rows another instance holds.
 */
final class Sweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
  private static final int LIMIT = 500;

  private final Transactor transactor;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Sinks.Many<Instant> sooner = Sinks.many().multicast().directBestEffort();
  private final AtomicReference<Instant> nextWake = new AtomicReference<>(Instant.MAX);
  private volatile Instant lastSweep = Instant.EPOCH;
  private Disposable loop;

  Sweeper(Transactor transactor, DispatchOptions options, DispatchMetrics metrics) {
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
  }

  void start() {
    loop = Mono.defer(this::sweepThenSleep).repeat().subscribe();
  }

  /** Tells the sweeper that something is due after {@code delay} (null: nothing). */
  void dueIn(Duration delay) {
    if (delay == null || loop == null) {
      return;
    }
    Instant at = Instant.now().plus(delay);
    if (at.isBefore(nextWake.get())) {
      sooner.tryEmitNext(at);
    }
  }

  private Mono<Void> sweepThenSleep() {
    return sweep()
        .onErrorResume(
            error -> {
              log.warn("sweep failed, retrying in a second: {}", error.toString());
              return Mono.just(Duration.ofSeconds(1));
            })
        .flatMap(this::sleep);
  }

  private Mono<Void> sleep(Duration delay) {
    Duration capped =
        delay.compareTo(options.sweepInterval()) > 0 ? options.sweepInterval() : delay;
    Instant wakeAt = Instant.now().plus(capped);
    nextWake.set(wakeAt);
    Mono<Long> earlier =
        sooner
            .asFlux()
            .filter(at -> at.isBefore(wakeAt))
            .next()
            .flatMap(at -> Mono.delay(until(at)));
    return Mono.firstWithSignal(Mono.delay(capped), earlier).then();
  }

  private static Duration until(Instant at) {
    Duration delay = Duration.between(Instant.now(), at);
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  /** One pass over every kind of due item; emits how long until the next one is due. */
  Mono<Duration> sweep() {
    return fireTimers()
        .then(expireTaskLeases())
        .then(expireWorkflowLeases())
        .then(timeOutPromises())
        .then(announceVisibleTasks())
        .then(transactor.inTransaction(tx -> tx.sweeps().nextDue()))
        .map(
            due -> {
              lastSweep = due.now();
              return due.dueIn() == null ? options.sweepInterval() : due.dueIn();
            });
  }

  private Mono<Void> fireTimers() {
    return transactor
        .inTransaction(
            tx ->
                tx.sweeps()
                    .fireDueTimers(LIMIT)
                    .map(
                        timer ->
                            new AppendEvent(
                                timer.workflowId(),
                                "TIMER_FIRED",
                                EventData.object().put("timerId", timer.timerId()).json(),
                                "TIMER_FIRED:" + timer.timerId()))
                    .collectList()
                    .flatMap(events -> Resumes.append(tx, events))
                    .thenReturn(true))
        .then();
  }

  private Mono<Void> expireTaskLeases() {
    return transactor
        .inTransaction(
            tx ->
                tx.taskLifecycle()
                    .expireLeases(
                        options.retryBackoffBaseMillis(), options.retryBackoffMaxMillis(), LIMIT)
                    .doOnNext(
                        task ->
                            metrics.taskFinished(
                                task.status() == TaskStatus.FAILED ? "failed" : "timed_out_retry"))
                    .collectList()
                    .flatMap(tasks -> TaskLifecycle.afterFailure(tx, tasks, "timed out"))
                    .thenReturn(true))
        .then();
  }

  private Mono<Void> expireWorkflowLeases() {
    return transactor
        .inTransaction(
            tx ->
                tx.sweeps()
                    .expireWorkflowLeases(LIMIT)
                    .map(WorkSignal::payload)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))
                    .flatMap(payloads -> tx.notifier().notify(payloads))
                    .thenReturn(true))
        .then();
  }

  private Mono<Void> timeOutPromises() {
    return transactor
        .inTransaction(
            tx ->
                tx.sweeps()
                    .timeOutPromises(LIMIT)
                    .map(
                        promise ->
                            new AppendEvent(
                                promise.workflowId(),
                                "PROMISE_REJECTED",
                                EventData.object()
                                    .put("promiseId", promise.id())
                                    .put("error", "timed out")
                                    .json(),
                                Identities.promiseSettled(promise.name())))
                    .collectList()
                    .flatMap(events -> Resumes.append(tx, events))
                    .thenReturn(true))
        .then();
  }

  private Mono<Void> announceVisibleTasks() {
    Instant since = lastSweep;
    return transactor
        .inTransaction(
            tx ->
                tx.sweeps()
                    .tasksVisibleSince(since)
                    .map(WorkSignal::payload)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))
                    .flatMap(payloads -> tx.notifier().notify((Set<String>) payloads))
                    .thenReturn(true))
        .then();
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.dispose();
    }
  }
}
