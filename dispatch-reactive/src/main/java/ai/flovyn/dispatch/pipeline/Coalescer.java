package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Gathers concurrent requests into groups that one unit of work serves together, each request
 * keeping its own answer. Grouping is natural: a group takes whatever queued while the previous one
 * ran (at most {@code maxGroup}), so a lone request starts at once and waits for nobody. One group
 * runs at a time while the queue holds less than a full group; only a full group waiting starts
 * another beside it, up to {@code runners} at once. Concurrent groups would split the requests into
 * smaller ones that contend for the same rows and each pay a statement and a commit: in the task
 * loop ({@code load/profile.sh}, 8 workers) one group at a time handed out 2.2 times the tasks of 8
 * groups at once, at a third of the server's CPU per task.
 *
 * @param <T> a request
 * @param <R> its answer (null for "done, nothing to report")
 */
final class Coalescer<T, R> {
  private final Function<List<T>, Mono<List<Answer<R>>>> run;
  private final int runners;
  private final int maxGroup;
  private final int maxQueued;
  private final String what;
  private final IntConsumer groupRan;
  private final Queue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();

  /** What one request of a group came to: a value (may be null) or an error. */
  record Answer<R>(R value, Throwable error) {
    static <R> Answer<R> of(R value) {
      return new Answer<>(value, null);
    }

    static <R> Answer<R> failed(Throwable error) {
      return new Answer<>(null, error);
    }
  }

  private record Pending<T, R>(T request, Sinks.One<R> result) {}

  /**
   * {@code run} serves a group and emits one answer per request, in the group's order; if it errors
   * instead, every request of the group gets that error.
   */
  Coalescer(
      Function<List<T>, Mono<List<Answer<R>>>> run,
      int runners,
      int maxGroup,
      int maxQueued,
      String what,
      IntConsumer groupRan) {
    this.run = run;
    this.runners = runners;
    this.maxGroup = maxGroup;
    this.maxQueued = maxQueued;
    this.what = what;
    this.groupRan = groupRan;
  }

  /**
   * Emits the request's answer (empty for a null one) once its group has run; errors with the
   * request's own failure, or RESOURCE_EXHAUSTED when too many requests already wait.
   */
  Mono<R> submit(T request) {
    return Mono.defer(
        () -> {
          if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return Mono.error(
                DispatchException.resourceExhausted(
                    "too many " + what + " waiting (" + maxQueued + "); retry later"));
          }
          Sinks.One<R> result = Sinks.one();
          queue.add(new Pending<>(request, result));
          drain();
          return result.asMono();
        });
  }

  /** How many requests wait for a group. */
  int queued() {
    return queued.get();
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int running = active.get();
      // a running group ends with a drain that starts the next one with whatever queued meanwhile
      if (running >= runners || (running > 0 && queued.get() < maxGroup)) {
        return;
      }
      if (active.compareAndSet(running, running + 1)) {
        startGroup();
      }
    }
  }

  private void startGroup() {
    List<Pending<T, R>> group = new ArrayList<>();
    Pending<T, R> next;
    while (group.size() < maxGroup && (next = queue.poll()) != null) {
      queued.decrementAndGet();
      group.add(next);
    }
    if (group.isEmpty()) {
      active.decrementAndGet();
      return;
    }
    Mono.defer(() -> run.apply(group.stream().map(Pending::request).toList()))
        .doFinally(
            signal -> {
              active.decrementAndGet();
              drain();
            })
        .subscribe(
            answers -> {
              groupRan.accept(group.size());
              deliver(group, answers);
            },
            error -> group.forEach(pending -> pending.result().tryEmitError(error)));
  }

  private static <T, R> void deliver(List<Pending<T, R>> group, List<Answer<R>> answers) {
    for (int i = 0; i < group.size(); i++) {
      Sinks.One<R> result = group.get(i).result();
      Answer<R> answer =
          i < answers.size()
              ? answers.get(i)
              : Answer.failed(DispatchException.internal("no answer for a grouped request", null));
      if (answer.error() != null) {
        result.tryEmitError(answer.error());
      } else {
        result.tryEmitValue(answer.value());
      }
    }
  }
}
