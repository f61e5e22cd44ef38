package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Transactor;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Times out open promises: PROMISE_TIMEOUT {promiseId, promiseName} once each, and the workflow
 * resumes; one batch is one transaction.
 */
final class PromiseTimeoutChore implements Chore {
  private final Transactor transactor;

  PromiseTimeoutChore(Transactor transactor) {
    this.transactor = transactor;
  }

  @Override
  public String name() {
    return "promise_timeouts";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return transactor.inTransaction(
        tx ->
            tx.sweeps()
                .timeOutPromises(now, limit)
                .map(
                    promise ->
                        new AppendEvent(
                            promise.workflowId(),
                            EventType.PROMISE_TIMEOUT.name(),
                            EventData.object()
                                .put("promiseId", promise.id())
                                .put("promiseName", promise.name())
                                .json(),
                            Identities.promiseSettled(promise.name())))
                .collectList()
                .flatMap(events -> Resumes.append(tx, events).thenReturn(events.size())));
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return transactor.autocommit(tx -> tx.sweeps().nextPromiseTimeout());
  }
}
