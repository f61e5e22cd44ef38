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
 * Coalesces concurrent command batches into shared transactions: each batch runs under a savepoint
 * of its own, so it stays all or nothing (a failing batch rolls back to its savepoint and only it
 * fails), while the group pays one BEGIN/COMMIT and one WAL flush. Batching is natural: at most
 * {@code committers} groups run at once and a group takes whatever queued while the previous ones
 * ran, so a lone batch starts at once and waits for nobody.
 */
final class GroupCommit {
  private final Transactor transactor;
  private final BiFunction<Tx, BatchPlan, Mono<BatchApplication.Applied>> apply;
  private final int committers;
  private final int maxGroup;
  private final int maxQueued;
  private final DispatchMetrics metrics;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();

  private record Pending(BatchPlan plan, Sinks.One<BatchApplication.Applied> result) {}

  private record Outcome(Pending pending, BatchApplication.Applied applied, Throwable error) {}

  GroupCommit(
      Transactor transactor,
      BiFunction<Tx, BatchPlan, Mono<BatchApplication.Applied>> apply,
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
          queue.add(new Pending(plan, result));
          drain();
          return result.asMono();
        });
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int running = active.get();
      if (running >= committers) {
        return;
      }
      if (active.compareAndSet(running, running + 1)) {
        startGroup();
      }
    }
  }

  private void startGroup() {
    List<Pending> group = new ArrayList<>();
    int commands = 0;
    Pending next;
    while (group.size() < maxGroup && commands < 4 * maxGroup && (next = queue.poll()) != null) {
      queued.decrementAndGet();
      group.add(next);
      commands += next.plan().batch().commands().size();
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

  private Mono<List<Outcome>> runGroup(List<Pending> group) {
    if (group.size() == 1) {
      Pending only = group.get(0);
      return transactor
          .inTransaction(tx -> apply.apply(tx, only.plan()))
          .map(applied -> List.of(new Outcome(only, applied, null)));
    }
    return transactor.inTransaction(
        tx ->
            Flux.range(0, group.size())
                .concatMap(index -> isolated(tx, group.get(index), "batch_" + index))
                .collectList());
  }

  private Mono<Outcome> isolated(Tx tx, Pending pending, String savepoint) {
    return tx.savepoint(savepoint)
        .then(apply.apply(tx, pending.plan()))
        .flatMap(applied -> tx.release(savepoint).thenReturn(new Outcome(pending, applied, null)))
        .onErrorResume(
            error ->
                tx.rollbackTo(savepoint)
                    .thenReturn(new Outcome(pending, null, StoreErrors.classify(error))));
  }

  private static void deliver(Outcome outcome) {
    if (outcome.error() == null) {
      outcome.pending().result().tryEmitValue(outcome.applied());
    } else {
      outcome.pending().result().tryEmitError(outcome.error());
    }
  }
}
