package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Gathers concurrent requests into groups that one unit of work serves together, each request
 * keeping its own answer: the one grouping engine of command batches ({@link CommandBatchGroups})
 * and task outcomes ({@link TaskOutcomeGroups}). Grouping is natural: a group takes whatever queued
 * while the previous one ran (at most {@code maxGroup} requests and {@code maxWeight} of their
 * weight, e.g. a batch's commands), so a lone request starts at once and waits for nobody. One
 * group runs at a time while the queue holds less than a full group (by count or by weight); only a
 * full group waiting starts another beside it, up to {@code runners} at once, so that large
 * requests still use several backends. Concurrent groups would split the requests into smaller ones
 * that contend for the same rows and each pay a statement and a commit: in the task loop ({@code
 * load/profile.sh}, 8 workers) one group at a time handed out 2.2 times the tasks of 8 groups at
 * once, at a third of the server's CPU per task.
 *
 * <p>Nothing here blocks: requests queue lock-free, the thread that ends a group starts the next
 * one, and each request's answer is emitted once, to that request alone.
 *
 * @param <T> a request
 * @param <R> its answer (null for "done, nothing to report")
 */
public final class Coalescer<T, R> {
  private final Function<List<T>, Mono<List<Answer<R>>>> run;
  private final int runners;
  private final int maxGroup;
  private final int maxQueued;
  private final ToIntFunction<? super T> weight;
  private final int maxWeight;
  private final Comparator<? super T> order;
  private final String what;
  private final IntConsumer groupRan;
  private final Queue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger queuedWeight = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();

  /** What one request of a group came to: a value (may be null) or an error. */
  public record Answer<R>(R value, Throwable error) {
    public static <R> Answer<R> of(R value) {
      return new Answer<>(value, null);
    }

    public static <R> Answer<R> failed(Throwable error) {
      return new Answer<>(null, error);
    }
  }

  private record Pending<T, R>(T request, int weight, Sinks.One<R> result) {}

  /** Groups of at most {@code maxGroup} requests, each weighing 1, run in arrival order. */
  public Coalescer(
      Function<List<T>, Mono<List<Answer<R>>>> run,
      int runners,
      int maxGroup,
      int maxQueued,
      String what,
      IntConsumer groupRan) {
    this(run, runners, maxGroup, maxQueued, request -> 1, maxGroup, null, what, groupRan);
  }

  /**
   * {@code run} serves a group and emits one answer per request, in the group's order; if it errors
   * instead, every request of the group gets that error. A group holds at most {@code maxGroup}
   * requests and stops taking more once their {@code weight} reaches {@code maxWeight} (a single
   * request heavier than that still forms a group of its own). {@code order} (null: arrival order)
   * sorts each group before it runs; the sort is stable, so requests it ranks equal keep their
   * arrival order. {@code groupRan} hears the size of each group that ran without error; {@code
   * what} names the requests in the RESOURCE_EXHAUSTED refusal once {@code maxQueued} wait.
   */
  public Coalescer(
      Function<List<T>, Mono<List<Answer<R>>>> run,
      int runners,
      int maxGroup,
      int maxQueued,
      ToIntFunction<? super T> weight,
      int maxWeight,
      Comparator<? super T> order,
      String what,
      IntConsumer groupRan) {
    this.run = run;
    this.runners = runners;
    this.maxGroup = maxGroup;
    this.maxQueued = maxQueued;
    this.weight = weight;
    this.maxWeight = maxWeight;
    this.order = order;
    this.what = what;
    this.groupRan = groupRan;
  }

  /**
   * Emits the request's answer (empty for a null one) once its group has run; errors with the
   * request's own failure, or RESOURCE_EXHAUSTED when too many requests already wait.
   */
  public Mono<R> submit(T request) {
    return Mono.defer(
        () -> {
          if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return Mono.error(
                DispatchException.resourceExhausted(
                    "too many " + what + " waiting (" + maxQueued + "); retry later"));
          }
          Sinks.One<R> result = Sinks.one();
          int heft = weight.applyAsInt(request);
          queuedWeight.addAndGet(heft);
          queue.add(new Pending<>(request, heft, result));
          drain();
          return result.asMono();
        });
  }

  /** How many requests wait for a group. */
  public int queued() {
    return queued.get();
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int running = active.get();
      // a running group ends with a drain that starts the next one with whatever queued meanwhile
      if (running >= runners || (running > 0 && !fullGroupWaits())) {
        return;
      }
      if (active.compareAndSet(running, running + 1)) {
        startGroup();
      }
    }
  }

  private boolean fullGroupWaits() {
    return queued.get() >= maxGroup || queuedWeight.get() >= maxWeight;
  }

  private void startGroup() {
    List<Pending<T, R>> group = new ArrayList<>();
    int groupWeight = 0;
    Pending<T, R> next;
    while (group.size() < maxGroup && groupWeight < maxWeight && (next = queue.poll()) != null) {
      queued.decrementAndGet();
      queuedWeight.addAndGet(-next.weight());
      group.add(next);
      groupWeight += next.weight();
    }
    if (group.isEmpty()) {
      active.decrementAndGet();
      return;
    }
    if (order != null) {
      group.sort((a, b) -> order.compare(a.request(), b.request()));
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
