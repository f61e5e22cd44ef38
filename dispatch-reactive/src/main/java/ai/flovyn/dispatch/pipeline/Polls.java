package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The pollers' side of both queues: validate the poll, then long-poll a claim (one autocommit
 * statement per attempt), tell the sweeper when the claim's lease ends, and time the wait.
 */
final class Polls {
  static final int MAX_KINDS = 1000;

  private final Transactor transactor;
  private final LongPoll longPoll;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Sweeper sweeper;

  Polls(
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
   * Emits what {@code claim} takes from (tenant, queue) within the capped timeout, or completes
   * empty; errors with INVALID_ARGUMENT naming an empty tenant, queue or worker.
   */
  <T> Mono<T> poll(
      WorkSignal.Kind kind,
      String tenantId,
      String queue,
      String workerId,
      Duration timeout,
      Function<Tx, Mono<T>> claim,
      Function<T, Instant> leaseEnd) {
    return Mono.fromRunnable(
            () -> {
              Limits.requireName("tenant_id", tenantId);
              Limits.requireName("queue", queue);
              Limits.requireName("worker_id", workerId);
            })
        .then(
            Mono.defer(
                () ->
                    longPoll.await(
                        new WorkSignal(kind, tenantId, queue),
                        cap(timeout),
                        () -> metrics.countClaim(transactor.autocommit(claim), kind))))
        .doOnNext(
            claimed -> sweeper.dueIn(Duration.between(Instant.now(), leaseEnd.apply(claimed))))
        .as(claimed -> metrics.timePoll(claimed, kind.name().toLowerCase(Locale.ROOT)));
  }

  /**
   * Completes empty when the poll's filters are valid, else errors with INVALID_ARGUMENT: a worker
   * pool id is a name, and at most 1000 workflow kinds, each a name.
   */
  static Mono<Void> filters(String workerPoolId, List<String> kinds) {
    return Mono.fromRunnable(
        () -> {
          if (workerPoolId != null && !workerPoolId.isEmpty()) {
            Limits.optionalName("worker_pool_id", workerPoolId);
          }
          if (kinds.size() > MAX_KINDS) {
            throw DispatchException.invalidArgument(
                "workflow_capabilities must have at most " + MAX_KINDS + " entries");
          }
          for (int i = 0; i < kinds.size(); i++) {
            Limits.requireName("workflow_capabilities[" + i + "]", kinds.get(i));
          }
        });
  }

  /** The requested timeout, at least zero and at most the configured cap. */
  private Duration cap(Duration requested) {
    if (requested == null || requested.isNegative()) {
      return Duration.ZERO;
    }
    return requested.compareTo(options.maxPollTimeout()) > 0 ? options.maxPollTimeout() : requested;
  }
}
