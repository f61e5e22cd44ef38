package ai.flovyn.dispatch.batch;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.store.StoreErrors;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.support.Coalescer;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Group commit of command batches: concurrent batches share transactions ({@link Coalescer}), so
 * that a group pays one BEGIN/COMMIT and one WAL flush instead of one per batch, while each batch
 * stays all or nothing: a batch that fails on its own rolls the group back and the rest runs again
 * without it. A group holds at most {@code maxGroup} batches and about {@code 4 * maxGroup}
 * commands, so that a few large batches fill it and large batches still use several backends.
 */
final class CommandBatchGroups {
  private final Transactor transactor;
  private final Applier apply;
  private final Coalescer<BatchPlan, BatchApplication.Applied> coalescer;

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

  CommandBatchGroups(
      Transactor transactor,
      Applier apply,
      int committers,
      int maxGroup,
      int maxQueued,
      DispatchMetrics metrics) {
    this.transactor = transactor;
    this.apply = apply;
    this.coalescer =
        new Coalescer<>(
            this::run,
            committers,
            maxGroup,
            maxQueued,
            plan -> plan.batch().commands().size(),
            4 * maxGroup,
            // one lock order per group (stable, so one workflow's batches keep their order)
            Comparator.comparing(plan -> plan.batch().workflowExecutionId()),
            "command batches",
            metrics::groupCommitted);
  }

  /**
   * Emits what the batch did once its group has committed; errors with the batch's own failure, or
   * RESOURCE_EXHAUSTED when too many batches already wait.
   */
  Mono<BatchApplication.Applied> submit(BatchPlan plan) {
    return coalescer.submit(plan);
  }

  // Optimistic: the batches run one after another in one transaction with no savepoints. When
  // one fails for its own reason (invalid, unknown workflow, collision) the whole transaction rolls
  // back and the group runs again without it, so each batch stays all or nothing and the common
  // case pays no savepoint round trips.
  private Mono<List<Coalescer.Answer<BatchApplication.Applied>>> run(List<BatchPlan> group) {
    if (group.isEmpty()) {
      return Mono.just(List.of());
    }
    return transactor
        .inTransaction(
            tx ->
                apply
                    .apply(tx, group)
                    .flatMapMany(
                        steps ->
                            Flux.range(0, group.size())
                                .concatMap(
                                    i ->
                                        steps
                                            .get(i)
                                            .map(Coalescer.Answer::of)
                                            .onErrorMap(error -> failedAlone(i, error))))
                    .collectList())
        .onErrorResume(BatchFailed.class, failed -> withoutFailed(group, failed));
  }

  // the others' answers from the run without it, its own error in its place
  private Mono<List<Coalescer.Answer<BatchApplication.Applied>>> withoutFailed(
      List<BatchPlan> group, BatchFailed failed) {
    List<BatchPlan> rest = new ArrayList<>(group);
    rest.remove(failed.index);
    return run(rest)
        .map(
            answers -> {
              List<Coalescer.Answer<BatchApplication.Applied>> all = new ArrayList<>(answers);
              all.add(failed.index, Coalescer.Answer.failed(failed.getCause()));
              return all;
            });
  }

  // Errors of the batch itself single it out; the others (database down, deadlock) fail the group.
  private static Throwable failedAlone(int index, Throwable error) {
    DispatchException classified = StoreErrors.classify(error);
    return switch (classified.kind()) {
      case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION -> new BatchFailed(index, classified);
      default -> classified;
    };
  }

  /** One batch of a group failed on its own: roll the group back and run it without this one. */
  private static final class BatchFailed extends Transactor.Rollback {
    private static final long serialVersionUID = 1L;
    private final int index;

    BatchFailed(int index, DispatchException cause) {
      super("a batch of the group failed", cause);
      this.index = index;
    }
  }
}
