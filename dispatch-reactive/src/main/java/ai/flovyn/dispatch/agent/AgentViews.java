package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentSignalRecord;
import ai.flovyn.dispatch.domain.AgentTask;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.query.AgentFilter;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.query.StatusCounts;
import ai.flovyn.dispatch.store.AgentViewStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * What operators read of agents (the HTTP API and the console): lists and counts, and an agent's
 * entries, checkpoints, tasks and signals. Plain reads: unlike the worker's own calls, looking at a
 * RUNNING agent never renews its lease. Another tenant's agent is NOT_FOUND exactly as a missing
 * one.
 */
public final class AgentViews {
  /** The most tasks or signals of one agent a read answers. */
  public static final int MAX_ITEMS = 1000;

  private final Transactor transactor;

  public AgentViews(Transactor transactor) {
    this.transactor = transactor;
  }

  /** One page of the tenant's agents matching {@code filter}, newest first, and the total. */
  public Mono<ListPage<AgentExecution>> list(String tenant, AgentFilter filter, Page page) {
    AgentArguments.present("filter", filter);
    AgentArguments.present("page", page);
    return transactor.autocommit(
        tx ->
            tx.agentViews()
                .page(tenant, filter, page)
                .collectList()
                // one statement at a time on the connection
                .flatMap(
                    rows ->
                        tx.agentViews()
                            .counts(tenant, filter)
                            .map(
                                counted -> {
                                  boolean more = rows.size() > page.limit();
                                  List<AgentExecution> items =
                                      more ? rows.subList(0, page.limit()) : rows;
                                  String next =
                                      more
                                          ? AgentViewStore.cursorOf(items.get(items.size() - 1))
                                              .encode()
                                          : null;
                                  return new ListPage<>(
                                      items,
                                      counted.total(),
                                      counted.estimated(),
                                      page.limit(),
                                      page.offset(),
                                      next);
                                })));
  }

  /** How many of the tenant's agents match {@code filter} by status (its statuses ignored). */
  public Mono<StatusCounts> counts(String tenant, AgentFilter filter) {
    AgentArguments.present("filter", filter);
    AgentFilter any = new AgentFilter(null, filter.kinds(), filter.queues(), filter.parentId());
    return transactor.autocommit(
        tx ->
            tx.agentViews()
                .counts(tenant, any)
                .map(c -> new StatusCounts(c.counts(), c.total(), c.estimated())));
  }

  /** At most {@code limit} entries after position {@code after}, in append order. */
  public Mono<List<AgentViewStore.PositionedEntry>> entries(
      Scope scope, UUID agentId, int after, int limit) {
    return seen(scope, agentId, tx -> tx.agentViews().entries(agentId, after, limit).collectList());
  }

  /** Every checkpoint, ascending by sequence. */
  public Mono<List<AgentCheckpoint>> checkpoints(Scope scope, UUID agentId) {
    return seen(scope, agentId, tx -> tx.agents().checkpoints(agentId).collectList());
  }

  /** The first {@value #MAX_ITEMS} tasks of the agent, ascending by creation. */
  public Mono<List<AgentTask>> tasks(Scope scope, UUID agentId) {
    return seen(scope, agentId, tx -> tx.agentViews().tasks(agentId, MAX_ITEMS).collectList());
  }

  /** The first {@value #MAX_ITEMS} signals of the agent, in arrival order, consumed or queued. */
  public Mono<List<AgentSignalRecord>> signals(Scope scope, UUID agentId) {
    return seen(scope, agentId, tx -> tx.agentViews().signals(agentId, MAX_ITEMS).collectList());
  }

  // the read runs once the scope is known to see the agent
  private <T> Mono<T> seen(Scope scope, UUID agentId, Function<Tx, Mono<T>> body) {
    return Mono.defer(
        () -> {
          AgentArguments.present("agent_execution_id", agentId);
          return transactor.autocommit(
              tx ->
                  tx.agentViews()
                      .exists(scope.tenantId(), agentId)
                      .flatMap(
                          found ->
                              found
                                  ? body.apply(tx)
                                  : Mono.error(
                                      DispatchException.notFound(
                                          "agent " + agentId + " not found"))));
        });
  }
}
