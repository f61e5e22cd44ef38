package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.AgentChores;
import ai.flovyn.dispatch.store.RetentionStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes finished work past its retention period: workflows (once their children are gone) with
 * their events, tasks, attempts, timers, promises and state; standalone tasks; expired idempotency
 * keys; finished agents (once their children are gone) with their tasks, entries, checkpoints and
 * signals. Each batch is one short statement; rows deleted are counted per table.
 */
final class RetentionChore implements Chore {
  private final Transactor transactor;
  private final DispatchMetrics metrics;
  private final RetentionStore.Periods periods;
  // finished agents with their tasks, when agents are served
  private final AgentChores agents;

  RetentionChore(Transactor transactor, DispatchOptions options, DispatchMetrics metrics) {
    this(transactor, options, metrics, null);
  }

  /** With the finished agents too, when {@code agents} is not null. */
  RetentionChore(
      Transactor transactor, DispatchOptions options, DispatchMetrics metrics, AgentChores agents) {
    this.transactor = transactor;
    this.agents = agents;
    this.metrics = metrics;
    Map<String, Duration> tenants = options.tenantRetention();
    this.periods =
        new RetentionStore.Periods(
            options.retention().toMillis(),
            tenants.keySet().toArray(String[]::new),
            tenants.values().stream().map(Duration::toMillis).toArray(Long[]::new));
  }

  @Override
  public String name() {
    return "retention";
  }

  /**
   * One batch of each kind, one after the other, each on its own (one that fails does not keep the
   * others from running); emits the largest count, so that a full batch runs again at once.
   */
  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return Mono.defer(
        () -> {
          // not Flux.concatDelayError: reactor-core 3.8's cancel of one that already completed
          // logs "Operator called default onErrorDropped" at ERROR, and the maintenance loop
          // cancels the finished run when the services stop (on every clean shutdown)
          List<Throwable> failures = new ArrayList<>();
          return Flux.concat(
                  Stream.of(
                          transactor.autocommit(
                              tx -> tx.retention().deleteWorkflows(now, periods, limit)),
                          transactor.autocommit(
                              tx -> tx.retention().deleteStandaloneTasks(now, periods, limit)),
                          transactor.autocommit(
                              tx -> tx.retention().deleteIdempotencyKeys(now, limit)),
                          transactor.autocommit(
                              tx -> tx.retention().deleteWorkers(now, periods, limit)),
                          agents == null
                              ? Mono.<Map<String, Long>>empty()
                              : agents.retention(now, periods, limit))
                      .map(
                          batch ->
                              batch.onErrorResume(
                                  error -> {
                                    failures.add(error);
                                    return Mono.empty();
                                  }))
                      .toList())
              .map(this::record)
              .reduce(0, Math::max)
              .flatMap(largest -> failures.isEmpty() ? Mono.just(largest) : failed(failures));
        });
  }

  // the first failure, with the others suppressed on it
  private static Mono<Integer> failed(List<Throwable> failures) {
    Throwable first = failures.get(0);
    failures.subList(1, failures.size()).forEach(first::addSuppressed);
    return Mono.error(first);
  }

  // The first table of each count is the one its batch is limited on.
  private int record(Map<String, Long> deleted) {
    deleted.forEach(
        (table, count) -> {
          if (count > 0) {
            metrics.rowsDeleted(table, count);
          }
        });
    return deleted.values().iterator().next().intValue();
  }

  /** Retention has no due instant: it runs at the services' longest sleep. */
  @Override
  public Mono<Instant> nextDue(Instant now) {
    return Mono.empty();
  }
}
