package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.Agents;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.store.TaskOutcome;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.task.TaskLifecycle;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * Fails task attempts whose lease expired ("timed out"): the task retries after a backoff while
 * attempts remain, else it is FAILED and its workflow sees TASK_FAILED. A retried task is announced
 * once visible ({@code announceAt}).
 */
final class TaskLeaseChore implements Chore {
  private final Transactor transactor;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Consumer<Instant> announceAt;

  TaskLeaseChore(
      Transactor transactor,
      DispatchOptions options,
      DispatchMetrics metrics,
      Consumer<Instant> announceAt) {
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
    this.announceAt = announceAt;
  }

  @Override
  public String name() {
    return "task_leases";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return transactor
        .inTransaction(
            tx ->
                tx.taskLifecycle()
                    .expireLeases(
                        now,
                        options.retryBackoffBaseMillis(),
                        options.retryBackoffMaxMillis(),
                        limit)
                    .collectList()
                    .flatMap(
                        tasks ->
                            TaskLifecycle.afterFailure(tx, tasks, "timed out", now)
                                // agent tasks that failed for good wake their agents
                                .then(Agents.afterTasks(tx, tasks))
                                .thenReturn(tasks)))
        .doOnNext(this::recordExpired)
        .map(List::size);
  }

  private void recordExpired(List<TaskOutcome> tasks) {
    for (TaskOutcome task : tasks) {
      boolean failed = task.status() == TaskStatus.FAILED;
      metrics.taskFinished(failed ? "failed" : "timed_out_retry");
      if (!failed) {
        announceAt.accept(task.visibleAt());
      }
    }
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return transactor.autocommit(tx -> tx.sweeps().nextTaskLease());
  }
}
