package ai.flovyn.dispatch.batch;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.maintenance.Sweeper;
import ai.flovyn.dispatch.store.BatchWrite;
import ai.flovyn.dispatch.store.BatchWritten;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkflowRow;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/** Validates a command batch, applies it in one transaction and records what it did. */
public final class CommandBatchPipeline {
  private final Transactor transactor;
  private final DispatchMetrics metrics;
  private final DispatchOptions options;
  private final Sweeper sweeper;
  private final CommandBatchGroups groups;

  public CommandBatchPipeline(
      Transactor transactor, DispatchMetrics metrics, DispatchOptions options, Sweeper sweeper) {
    this.transactor = transactor;
    this.metrics = metrics;
    this.options = options;
    this.sweeper = sweeper;
    this.groups =
        new CommandBatchGroups(
            transactor,
            this::applyGroup,
            options.groupCommitters(),
            options.maxGroupSize(),
            10_000,
            metrics);
  }

  /**
   * Emits what the batch did once it has committed; errors with INVALID_ARGUMENT before any
   * database work, NOT_FOUND, FAILED_PRECONDITION (nothing of the batch remains), or
   * ABORTED/UNAVAILABLE (safe to retry the same batch).
   */
  public Mono<BatchResult> submit(Scope scope, CommandBatch batch) {
    return metrics
        .tracing()
        .span(
            "dispatch.batch.apply",
            span -> {
              span.setAttribute(
                  "dispatch.workflow.id", String.valueOf(batch.workflowExecutionId()));
              span.setAttribute("dispatch.batch.commands", batch.commands().size());
            },
            applied(scope, batch));
  }

  private Mono<BatchResult> applied(Scope scope, CommandBatch batch) {
    return Mono.fromCallable(() -> BatchPlan.of(batch, scope))
        .flatMap(this::applyCommitted)
        .onErrorResume(error -> sweeper.releaseRejected(batch.workflowExecutionId(), error))
        .doOnNext(this::recordApplied)
        .doOnNext(applied -> sweeper.dueIn(applied.earliestDue()))
        .flatMap(
            applied ->
                applied.refusal() != null
                    ? Mono.error(applied.refusal())
                    : Mono.just(applied.result()))
        .as(applied -> metrics.timeBatch(applied, batch.commands().size(), this::outcome));
  }

  // Group commit shares transactions between concurrent batches; without it each has its own.
  private Mono<BatchApplication.Applied> applyCommitted(BatchPlan plan) {
    return options.maxGroupSize() > 1
        ? groups.submit(plan)
        : transactor.inTransaction(tx -> apply(tx, plan));
  }

  // The common batch (tasks, operations, the workflow's ending) is one call that locks and writes;
  // any other, or one whose workflow the call finds in an unusual state, runs statement by
  // statement under the lock that call took.
  private Mono<BatchApplication.Applied> apply(Tx tx, BatchPlan plan) {
    BatchWrite write = directWrite(plan);
    if (write == null) {
      return locked(tx, plan);
    }
    // applied, it finishes in Java; not, it runs under the lock the call took, on the row it read
    return found(plan, tx.workflows().applyBatch(write))
        .flatMap(
            written ->
                written.applied()
                    ? application(tx, plan, written.workflow()).written(written)
                    : application(tx, plan, written.workflow()).run());
  }

  // A group's common batches are one call (each batch's guards checked on its own row); each then
  // finishes in Java in the group's order, and the others run statement by statement in that
  // order. A workflow with several batches in the group keeps them in order: they all take their
  // turn as steps. A batch the call handed back reads its row again when its turn comes, since the
  // steps before it may have written to that workflow (a parent cancelling it, a child reporting).
  // The call locks its workflows first, the other batches theirs after: lock order is by workflow
  // id within each part, and a deadlock with another group (two batches of one workflow in two
  // groups at once) is retried like any.
  Mono<List<Mono<BatchApplication.Applied>>> applyGroup(Tx tx, List<BatchPlan> plans) {
    Map<UUID, Long> perWorkflow =
        plans.stream()
            .collect(
                Collectors.groupingBy(
                    plan -> plan.batch().workflowExecutionId(), Collectors.counting()));
    List<BatchWrite> writes =
        plans.stream()
            .map(
                plan ->
                    perWorkflow.get(plan.batch().workflowExecutionId()) == 1
                        ? directWrite(plan)
                        : null)
            .toList();
    List<BatchWrite> direct = writes.stream().filter(Objects::nonNull).toList();
    Mono<BatchWritten[]> written =
        direct.isEmpty() ? Mono.just(new BatchWritten[0]) : tx.workflows().applyBatches(direct);
    return written.map(
        results -> {
          List<Mono<BatchApplication.Applied>> steps = new ArrayList<>();
          int next = 0;
          for (int i = 0; i < plans.size(); i++) {
            BatchPlan plan = plans.get(i);
            BatchWritten result = writes.get(i) == null ? null : results[next++];
            if (writes.get(i) == null) {
              steps.add(Mono.defer(() -> apply(tx, plan)));
            } else if (result != null && result.applied()) {
              steps.add(Mono.defer(() -> application(tx, plan, result.workflow()).written(result)));
            } else {
              // missing (NOT_FOUND when its turn comes) or handed back: read under the lock held
              steps.add(Mono.defer(() -> locked(tx, plan)));
            }
          }
          return steps;
        });
  }

  // null when the batch runs statement by statement: not a common one, or the one call is off
  private BatchWrite directWrite(BatchPlan plan) {
    return options.oneCallBatches() ? BatchApplication.directWrite(plan, options) : null;
  }

  private Mono<BatchApplication.Applied> locked(Tx tx, BatchPlan plan) {
    return found(plan, tx.workflows().lock(plan.tenant(), plan.batch().workflowExecutionId()))
        .flatMap(workflow -> application(tx, plan, workflow).run());
  }

  private BatchApplication application(Tx tx, BatchPlan plan, WorkflowRow workflow) {
    return new BatchApplication(tx, plan, workflow, metrics, options);
  }

  private static <T> Mono<T> found(BatchPlan plan, Mono<T> workflow) {
    return workflow.switchIfEmpty(
        Mono.error(
            () ->
                DispatchException.notFound(
                    "workflow " + plan.batch().workflowExecutionId() + " not found")));
  }

  private void recordApplied(BatchApplication.Applied applied) {
    applied.createdTasks().stream()
        .collect(
            Collectors.groupingBy(
                task -> new TaskKey(task.tenantId(), task.taskType(), task.queue()),
                Collectors.counting()))
        .forEach(
            (key, count) ->
                metrics.taskSubmitted(
                    key.tenantId(), key.taskType(), key.queue(), count.intValue()));
    Map<String, Long> matched =
        applied.matchedTaskTypes().stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    matched.forEach((type, count) -> metrics.taskIdempotent(type, count.intValue()));
    BatchResult result = applied.result();
    if (!result.replayed() && result.workflowStatus().isTerminal()) {
      metrics.workflowFinished(result.workflowStatus().name());
    }
  }

  private String outcome(BatchResult result) {
    return result.replayed() ? "replayed" : "ok";
  }

  private record TaskKey(String tenantId, String taskType, String queue) {}
}
