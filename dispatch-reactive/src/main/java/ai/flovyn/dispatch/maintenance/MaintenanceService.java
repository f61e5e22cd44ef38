package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.support.DispatchMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs one {@link Chore} in a loop of its own: a batch of at most {@code limit} items, again at
 * once while batches come back full, else asleep until the next item is due (at most {@code
 * maxSleep}) or until {@link #dueAt} names an earlier instant. A failed run is logged and counted
 * and the loop goes on after a pause ({@code afterError}), so one chore's trouble never stalls
 * another. Time is read from the injected clock, so tests move it and call {@link #runOnce()}
 * instead of waiting; a test of the loop itself awaits {@link #runs()} instead of sleeping.
 */
public final class MaintenanceService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MaintenanceService.class);
  // pause after a failed run (at most the longest sleep)
  private static final Duration AFTER_ERROR = Duration.ofSeconds(1);
  // items due but held by another instance: look again soon rather than spin
  private static final Duration MIN_SLEEP = Duration.ofMillis(50);

  private final Chore chore;
  private final int limit;
  private final Duration maxSleep;
  private final Duration afterError;
  private final Clock clock;
  private final DispatchMetrics metrics;
  private final String spanName;
  private final Sinks.Many<Instant> sooner = Sinks.many().multicast().directBestEffort();
  private final AtomicReference<Instant> nextWake = new AtomicReference<>(Instant.MAX);
  // an instant asked for while no sleep listened (during a run): the next sleep honours it
  private final AtomicReference<Instant> asked = new AtomicReference<>(Instant.MAX);
  // the test signal: every run's outcome, to whoever listens (nobody, outside tests)
  private final Sinks.Many<Run> runs = Sinks.many().multicast().directBestEffort();
  private volatile boolean started;
  private volatile Disposable loop;

  /** What one run came to: the items it handled, or its error. */
  public record Run(String chore, int items, Throwable error) {}

  /** A service that pauses a second after a failed run (at most {@code maxSleep}). */
  public MaintenanceService(
      Chore chore, int limit, Duration maxSleep, Clock clock, DispatchMetrics metrics) {
    this(
        chore,
        limit,
        maxSleep,
        AFTER_ERROR.compareTo(maxSleep) < 0 ? AFTER_ERROR : maxSleep,
        clock,
        metrics);
  }

  /** A service that pauses {@code afterError} (at most {@code maxSleep}) after a failed run. */
  public MaintenanceService(
      Chore chore,
      int limit,
      Duration maxSleep,
      Duration afterError,
      Clock clock,
      DispatchMetrics metrics) {
    this.chore = chore;
    this.limit = limit;
    this.maxSleep = maxSleep;
    this.afterError = afterError;
    this.clock = clock;
    this.metrics = metrics;
    metrics.watchChore(chore.name());
    this.spanName = "dispatch.maintenance " + chore.name();
  }

  String name() {
    return chore.name();
  }

  /** Starts the loop with a run. */
  public void start() {
    startWith(Mono.empty());
  }

  /** Starts the loop with a sleep, for a chore whose owner made its first run itself. */
  public void startAfterSleep() {
    startWith(Mono.defer(() -> sleep(maxSleep)));
  }

  private void startWith(Mono<Void> first) {
    // asks count from here on, before the loop is assigned
    started = true;
    loop =
        first
            .thenMany(Mono.defer(this::runThenSleep).repeat())
            .subscribe(
                null, error -> log.error("maintenance service {} stopped", chore.name(), error));
  }

  /**
   * The outcome of every run from now on, loop or {@link #runOnce()}: what tests await instead of
   * sleeping. Hot and best effort: subscribe before the run it should see; a slow subscriber misses
   * runs rather than slowing the loop.
   */
  public Flux<Run> runs() {
    return runs.asFlux();
  }

  /**
   * Wakes the service at {@code at} if it would sleep longer. Synchronized: concurrent emissions
   * into the sink would fail (FAIL_NON_SERIALIZED) and the ask would be lost for this sleep.
   */
  public synchronized void dueAt(Instant at) {
    if (started && at.isBefore(nextWake.get())) {
      asked.accumulateAndGet(at, (a, b) -> a.isBefore(b) ? a : b);
      sooner.tryEmitNext(at);
    }
  }

  /** One batch now, by the clock; emits how many items it handled. */
  Mono<Integer> runOnce() {
    return Mono.defer(
        () -> {
          // spans use real time, whatever clock judges what is due
          Instant started = Instant.now();
          return chore
              .run(clock.instant(), limit)
              .doOnNext(items -> metrics.tracing().ran(spanName, started, items, null))
              .doOnError(error -> metrics.tracing().ran(spanName, started, 0, error))
              .doOnNext(this::recordRun)
              .doOnError(this::recordError);
        });
  }

  private void recordRun(int items) {
    metrics.maintenanceRun(chore.name(), "ok");
    if (items > 0) {
      metrics.maintenanceItems(chore.name(), items);
    }
    signal(new Run(chore.name(), items, null));
  }

  private void recordError(Throwable error) {
    metrics.maintenanceRun(chore.name(), "error");
    signal(new Run(chore.name(), 0, error));
  }

  // synchronized: runOnce may run beside the loop, and concurrent emissions would fail
  private synchronized void signal(Run run) {
    runs.tryEmitNext(run);
  }

  private Mono<Void> runThenSleep() {
    return runOnce()
        .flatMap(items -> items >= limit ? Mono.just(Duration.ZERO) : untilNextDue())
        .onErrorResume(
            error -> {
              log.warn(
                  "maintenance service {} failed, retrying in {}: {}",
                  chore.name(),
                  afterError,
                  error.toString());
              return Mono.just(afterError);
            })
        .flatMap(this::sleep);
  }

  private Mono<Duration> untilNextDue() {
    Instant now = clock.instant();
    return chore
        .nextDue(now)
        .map(due -> Duration.between(now, due))
        .map(delay -> delay.compareTo(MIN_SLEEP) < 0 ? MIN_SLEEP : delay)
        .defaultIfEmpty(maxSleep);
  }

  private Mono<Void> sleep(Duration delay) {
    if (delay.isZero()) {
      return Mono.empty();
    }
    Duration capped = delay.compareTo(maxSleep) > 0 ? maxSleep : delay;
    Duration wanted = until(asked.getAndSet(Instant.MAX));
    capped = wanted.compareTo(capped) < 0 ? wanted : capped;
    if (capped.isZero()) {
      return Mono.empty();
    }
    Instant wakeAt = clock.instant().plus(capped);
    nextWake.set(wakeAt);
    // the earliest instant asked for so far wins: a later ask for a sooner instant replaces the
    // pending delay, one for a later instant leaves it
    Mono<Instant> earlier =
        sooner
            .asFlux()
            .filter(at -> at.isBefore(wakeAt))
            .scan((first, second) -> first.isBefore(second) ? first : second)
            .distinctUntilChanged()
            .switchMap(at -> Mono.delay(until(at)).thenReturn(at))
            .next()
            // the run that follows serves the ask that woke it (a token change is reloaded once)
            .doOnNext(at -> asked.compareAndSet(at, Instant.MAX));
    // once awake, the run and the next due query see what any ask announced
    return Mono.firstWithSignal(Mono.delay(capped).thenReturn(wakeAt), earlier)
        .doFinally(
            // any other ask that came during the sleep stays in `asked` for the next sleep: at
            // worst one extra run, never a lost wake-up
            signal -> nextWake.set(Instant.MAX))
        .then();
  }

  private Duration until(Instant at) {
    if (at.equals(Instant.MAX)) {
      return maxSleep;
    }
    Duration delay = Duration.between(clock.instant(), at);
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  @Override
  public void close() {
    started = false;
    Disposable running = loop;
    if (running != null) {
      running.dispose();
    }
  }
}
