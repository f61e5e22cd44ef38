package ai.flovyn.dispatch.grpc;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Serves a stream of requests, each answered by one response, so that a graceful stop never leaves
 * a request without an answer: once {@code stopping} completes, requests that arrive are refused at
 * once, those in flight finish and are answered, then the stream completes (the client sees a clean
 * end, not a cancellation).
 */
final class DrainingStream {
  private DrainingStream() {}

  /**
   * Answers each request with {@code apply} (at most {@code concurrency} at once) until {@code
   * stopping} completes, with {@code refuse} after; completes once stopped and idle.
   */
  static <I, O> Flux<O> serve(
      Flux<I> requests,
      Mono<Void> stopping,
      int concurrency,
      Function<I, Mono<O>> apply,
      Function<I, O> refuse) {
    return Flux.defer(
        () -> {
          Drain drain = new Drain();
          return requests
              .takeUntilOther(stopping.then(Mono.fromRunnable(drain::stop)).then(drain.idle()))
              .flatMap(
                  request ->
                      drain.stopped()
                          ? Mono.fromSupplier(() -> refuse.apply(request))
                          : drain.track(apply.apply(request)),
                  concurrency,
                  1);
        });
  }

  /** The stream's state: stopped or not, and how many requests are in flight. */
  private static final class Drain {
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Sinks.Empty<Void> idle = Sinks.empty();

    boolean stopped() {
      return stopped.get();
    }

    void stop() {
      stopped.set(true);
      checkIdle();
    }

    Mono<Void> idle() {
      return idle.asMono();
    }

    <O> Mono<O> track(Mono<O> work) {
      return Mono.defer(
          () -> {
            inFlight.incrementAndGet();
            return work.doFinally(
                signal -> {
                  inFlight.decrementAndGet();
                  checkIdle();
                });
          });
    }

    private void checkIdle() {
      if (stopped.get() && inFlight.get() == 0) {
        idle.tryEmitEmpty();
      }
    }
  }
}
