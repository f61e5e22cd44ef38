package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.store.AgentStore;
import ai.flovyn.dispatch.store.RetentionStore;
import ai.flovyn.dispatch.store.Transactor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * The time-driven work of agents, each one batch in one transaction, run by the library's
 * maintenance services: agent task deadlines (FAILED "timed out", the agent re-evaluated), leases
 * of RUNNING agents whose worker went away (PENDING again, or FAILED after too many expiries), and
 * retention of finished agents.
 */
public final class AgentChores {
  private final Transactor transactor;
  private final AgentOptions options;
  private final AgentMetrics metrics;

  public AgentChores(Transactor transactor, AgentOptions options, AgentMetrics metrics) {
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
  }

  /** Fails agent tasks past their deadline and wakes their agents; emits how many. */
  public Mono<Integer> taskDeadlines(Instant now, int limit) {
    return transactor
        .inTransaction(
            tx ->
                tx.agents()
                    .timeOutTasks(now, limit)
                    .collectList()
                    .flatMap(
                        timedOut -> {
                          List<UUID> agents =
                              timedOut.stream()
                                  .map(AgentStore.TimedOut::agentExecutionId)
                                  .filter(java.util.Objects::nonNull)
                                  .distinct()
                                  .toList();
                          return tx.agents()
                              .wake(agents, null)
                              .collectList()
                              .flatMap(
                                  woken ->
                                      Agents.announce(tx, woken)
                                          .then(
                                              Mono.fromRunnable(
                                                  () -> metrics.resumed(woken.size()))))
                              .thenReturn(timedOut.size());
                        }))
        .doOnNext(metrics::timedOut);
  }

  /** When the next agent task deadline falls due; empty when none is set. */
  public Mono<Instant> nextTaskDeadline() {
    return transactor.autocommit(tx -> tx.agents().nextTaskDeadline());
  }

  /**
   * Reclaims RUNNING agents whose lease expired or whose registered worker went silent: PENDING
   * again (announced), or FAILED after {@link AgentOptions#maxReclaims()} expiries without a
   * checkpoint (its PENDING tasks cancelled, its parent re-evaluated); emits how many.
   */
  public Mono<Integer> leases(Instant now, int limit) {
    return transactor.inTransaction(
        tx ->
            tx.agents()
                .reclaim(now, options.heartbeatLimit().toMillis(), limit, options.maxReclaims())
                .collectList()
                .flatMap(
                    reclaimed -> {
                      List<AgentStore.Ready> ready = new ArrayList<>();
                      List<UUID> failed = new ArrayList<>();
                      List<UUID> parents = new ArrayList<>();
                      for (AgentStore.Reclaimed agent : reclaimed) {
                        if (agent.status() == AgentStatus.PENDING) {
                          ready.add(
                              new AgentStore.Ready(agent.id(), agent.tenantId(), agent.queue()));
                        } else {
                          failed.add(agent.id());
                          if (agent.parentExecutionId() != null) {
                            parents.add(agent.parentExecutionId());
                          }
                        }
                      }
                      Mono<Void> endFailed =
                          failed.isEmpty()
                              ? Mono.empty()
                              : tx.agents()
                                  .cancelPendingTasks(failed)
                                  .thenMany(tx.agents().wake(parents, null))
                                  .collectList()
                                  .flatMap(woken -> Agents.announce(tx, woken));
                      return Agents.announce(tx, ready)
                          .then(endFailed)
                          .then(tx.agents().countWaiting().doOnNext(metrics::waiting))
                          .then(
                              Mono.fromRunnable(
                                  () -> {
                                    metrics.reclaimed(reclaimed.size());
                                    failed.forEach(id -> metrics.finished(AgentStatus.FAILED));
                                  }))
                          .thenReturn(reclaimed.size());
                    }));
  }

  /** When the next RUNNING agent's lease ends; empty when none runs. */
  public Mono<Instant> nextLease() {
    return transactor.autocommit(tx -> tx.agents().nextLease());
  }

  /** Deletes at most {@code limit} finished agents past their retention period; rows per table. */
  public Mono<Map<String, Long>> retention(Instant now, RetentionStore.Periods periods, int limit) {
    return transactor.autocommit(tx -> tx.agents().deleteFinished(now, periods, limit));
  }
}
