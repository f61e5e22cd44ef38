package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.store.StoreErrors;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Coalesces concurrent command batches into shared transactions, so that a group pays one
 * BEGIN/COMMIT and one WAL flush instead of one per batch, while each batch stays all or nothing: a
 * batch that fails on its own rolls the group back and the rest runs again without it. Batching is
 * natural: a group takes whatever queued while the previous one ran, so a lone batch starts at once
 * and waits for nobody. As for task outcomes ({@link Coalescer}), one group runs at a time while
 * less than a full group waits (by batches or by commands); a full group waiting starts another
 * beside it, up to {@code committers} at once, so that large batches still use several backends.
 */
final class GroupCommit {
  private final Transactor transactor;
  private final Applier apply;
  private final int committers;
  private final int maxGroup;
  private final int maxQueued;
  private final DispatchMetrics metrics;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger queuedCommands = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();

  private record Pending(BatchPlan plan, Sinks.One<BatchApplication.Applied> result) {}

  private record Outcome(Pending pending, BatchApplication.Applied applied, Throwable error) {}

  /** How a group's batches are applied in their shared transaction. */
  interface Applier {
    /**
     * Starts applying {@code plans} in {@code tx} and emits one step per plan, in order: the group
     * subscribes to each after the previous one completed, and a step's error is that batch's own.
     */
    Mono<List<Mono<BatchApplication.Applied>>> apply(Tx tx, List<BatchPlan> plans);

    /** Each batch on its own, one after another. */
    static Applier each(BiFunction<Tx, BatchPlan, Mono<BatchApplication.Applied>> apply) {
      return (tx, plans) ->
          Mono.just(plans.stream().map(plan -> Mono.defer(() -> apply.apply(tx, plan))).toList());
    }
  }

  GroupCommit(
      Transactor transactor,
      Applier apply,
      int committers,
      int maxGroup,
      int maxQueued,
      DispatchMetrics metrics) {
    this.metrics = metrics;
    this.transactor = transactor;
    this.apply = apply;
    this.committers = committers;
    this.maxGroup = maxGroup;
    this.maxQueued = maxQueued;
  }

  /**
   * Emits what the batch did once its group has committed; errors with the batch's own failure, or
   * RESOURCE_EXHAUSTED when too many batches already wait.
   */
  Mono<BatchApplication.Applied> submit(BatchPlan plan) {
    return Mono.defer(
        () -> {
          if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return Mono.error(
                DispatchException.resourceExhausted(
                    "too many command batches waiting (" + maxQueued + "); retry later"));
          }
          Sinks.One<BatchApplication.Applied> result = Sinks.one();
          queuedCommands.addAndGet(plan.batch().commands().size());
          queue.add(new Pending(plan, result));
          drain();
          return result.asMono();
        });
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int running = active.get();
      // a running group ends with a drain that starts the next one with whatever queued meanwhile
      if (running >= committers || (running > 0 && !fullGroupWaits())) {
        return;
      }
      if (active.compareAndSet(running, running + 1)) {
        startGroup();
      }
    }
  }

  private boolean fullGroupWaits() {
    return queued.get() >= maxGroup || queuedCommands.get() >= maxCommands();
  }

  // a group's commands are capped too: a few large batches fill it
  private int maxCommands() {
    return 4 * maxGroup;
  }

  private void startGroup() {
    List<Pending> group = new ArrayList<>();
    int commands = 0;
    Pending next;
    while (group.size() < maxGroup && commands < maxCommands() && (next = queue.poll()) != null) {
      int size = next.plan().batch().commands().size();
      queued.decrementAndGet();
      queuedCommands.addAndGet(-size);
      group.add(next);
      commands += size;
    }
    if (group.isEmpty()) {
      active.decrementAndGet();
      return;
    }
    // one lock order per group (stable, so one workflow's batches keep their order)
    group.sort(Comparator.comparing(pending -> pending.plan().batch().workflowExecutionId()));
    runGroup(group)
        .doFinally(
            signal -> {
              active.decrementAndGet();
              drain();
            })
        .subscribe(
            outcomes -> {
              metrics.groupCommitted(outcomes.size());
              outcomes.forEach(GroupCommit::deliver);
            },
            error -> group.forEach(pending -> pending.result().tryEmitError(error)));
  }

  // Optimistic: the batches run one after another in one transaction with no savepoints. When
  // one fails for its own reason (invalid, unknown workflow, collision) the whole transaction rolls
  // back and the group runs again without it, so each batch stays all or nothing and the common
  // case pays no savepoint round trips.
  private Mono<List<Outcome>> runGroup(List<Pending> group) {
    if (group.isEmpty()) {
      return Mono.just(List.of());
    }
    List<BatchPlan> plans = group.stream().map(Pending::plan).toList();
    return transactor
        .inTransaction(
            tx ->
                apply
                    .apply(tx, plans)
                    .flatMapMany(
                        steps ->
                            Flux.range(0, group.size())
                                .concatMap(
                                    i ->
                                        steps
                                            .get(i)
                                            .map(
                                                applied -> new Outcome(group.get(i), applied, null))
                                            .onErrorMap(error -> failedAlone(group.get(i), error))))
                    .collectList())
        .onErrorResume(BatchFailed.class, failed -> withoutFailed(group, failed));
  }

  private Mono<List<Outcome>> withoutFailed(List<Pending> group, BatchFailed failed) {
    List<Pending> rest = new ArrayList<>(group);
    rest.remove(failed.pending);
    Outcome failure = new Outcome(failed.pending, null, failed.getCause());
    return runGroup(rest)
        .map(
            outcomes -> {
              List<Outcome> all = new ArrayList<>(outcomes);
              all.add(failure);
              return all;
            });
  }

  // Errors of the batch itself single it out; the others (database down, deadlock) fail the group.
  private static Throwable failedAlone(Pending pending, Throwable error) {
    DispatchException classified = StoreErrors.classify(error);
    return switch (classified.kind()) {
      case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION -> new BatchFailed(pending, classified);
      default -> classified;
    };
  }

  /** One batch of a group failed on its own: roll the group back and run it without this one. */
  private static final class BatchFailed extends Transactor.Rollback {
    private static final long serialVersionUID = 1L;
    private final transient Pending pending;

    BatchFailed(Pending pending, DispatchException cause) {
      super("a batch of the group failed", cause);
      this.pending = pending;
    }
  }

  private static void deliver(Outcome outcome) {
    if (outcome.error() == null) {
      outcome.pending().result().tryEmitValue(outcome.applied());
    } else {
      outcome.pending().result().tryEmitError(outcome.error());
    }
  }
}
