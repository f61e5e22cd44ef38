package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Waits for work without polling the database on a clock: one claim at once, then one more each
 * time a signal for the key arrives, until a claim succeeds or the timeout passes. The signal
 * stream is subscribed before the first claim, so work committed meanwhile is not missed; an idle
 * wait holds no thread and runs no query.
 */
final class LongPoll {
  private static final Object START = new Object();
  private static final Object TIMEOUT = new Object();

  private final Flux<WorkSignal> signals;
  private final Mono<Void> stopping;

  /** Waits on {@code signals}; every wait ends (empty) at once when {@code stopping} completes. */
  LongPoll(Flux<WorkSignal> signals, Mono<Void> stopping) {
    this.signals = signals;
    this.stopping = stopping;
  }

  /** Emits the first thing {@code claim} finds, or completes empty after {@code timeout}. */
  <T> Mono<T> await(WorkSignal key, Duration timeout, Supplier<Mono<T>> claim) {
    // The timeout is one more wakeup that ends the wait, rather than takeUntilOther(delay): that
    // one can complete the downstream before it is subscribed when the delay fires at once (a
    // timeout of zero), which reached clients as INTERNAL.
    Flux<Object> wakeups =
        Flux.merge(
                1,
                signals
                    .filter(signal -> signal.wakes(key))
                    .<Object>map(signal -> signal)
                    .onBackpressureLatest(),
                // shutdown ends every wait as its timeout would: the poll answers empty at once
                Mono.firstWithSignal(Mono.delay(timeout), stopping.then(Mono.just(0L)))
                    .map(tick -> TIMEOUT))
            .startWith(START)
            .takeWhile(wakeup -> wakeup != TIMEOUT);
    // a claim in flight when the timeout passes still completes and is delivered
    return wakeups.concatMap(wakeup -> claim.get(), 1).next();
  }
}
