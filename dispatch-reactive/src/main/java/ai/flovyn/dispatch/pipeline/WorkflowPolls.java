package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/** The workflow worker's poll: claim the next PENDING workflow of (tenant, queue). */
final class WorkflowPolls {
  private final Transactor transactor;
  private final LongPoll longPoll;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Sweeper sweeper;

  WorkflowPolls(
      Transactor transactor,
      LongPoll longPoll,
      DispatchOptions options,
      DispatchMetrics metrics,
      Sweeper sweeper) {
    this.transactor = transactor;
    this.longPoll = longPoll;
    this.options = options;
    this.metrics = metrics;
    this.sweeper = sweeper;
  }

  /**
   * Emits the next workflow claimed for the worker (RUNNING until its lease ends), or empty at the
   * timeout. {@code kinds} restricts the kinds the worker can run (empty: any).
   */
  Mono<ClaimedWorkflow> poll(
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return Mono.fromRunnable(
            () -> {
              Limits.requireName("tenant_id", tenantId);
              Limits.requireName("queue", queue);
              Limits.requireName("worker_id", workerId);
            })
        .then(
            Mono.defer(() -> claimWithin(tenantId, queue, kinds, workerPoolId, workerId, timeout)));
  }

  private Mono<ClaimedWorkflow> claimWithin(
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    Duration wait = Polls.cap(timeout, options);
    long leaseMs = options.workflowLease().toMillis();
    String[] kindArray = kinds.toArray(String[]::new);
    WorkSignal key = new WorkSignal(WorkSignal.Kind.WORKFLOW, tenantId, queue);
    return longPoll
        .await(
            key,
            wait,
            () ->
                transactor.autocommit(
                    tx ->
                        tx.claims()
                            .claimWorkflow(
                                tenantId, queue, kindArray, workerPoolId, workerId, leaseMs)))
        .doOnNext(
            workflow -> sweeper.dueIn(Duration.between(Instant.now(), workflow.leaseExpiresAt())))
        .as(claimed -> metrics.timePoll(claimed, "workflow"));
  }
}
