package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.PromiseStore.PromiseRow;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.support.Limits;
import java.util.Arrays;
import java.util.Objects;
import reactor.core.publisher.Mono;

/** Resolves and rejects promises by their global id, once; the workflow sees it and resumes. */
public final class Promises {
  private final Transactor transactor;
  private final long maxHistoryBytes;

  public Promises(Transactor transactor, long maxHistoryBytes) {
    this.transactor = transactor;
    this.maxHistoryBytes = maxHistoryBytes;
  }

  /** Resolves a PENDING promise; resolving it again with the same value is success. */
  public Mono<Void> resolve(Scope scope, String promiseId, byte[] value) {
    return settle(scope.tenantId(), promiseId, "RESOLVED", value, null);
  }

  /** Rejects a PENDING promise; rejecting it again with the same error is success. */
  public Mono<Void> reject(Scope scope, String promiseId, String error) {
    return settle(scope.tenantId(), promiseId, "REJECTED", null, error);
  }

  private Mono<Void> settle(
      String tenant, String promiseId, String status, byte[] value, String error) {
    return Mono.fromRunnable(
            () -> {
              Limits.requirePromiseId("promise_id", promiseId);
              Limits.text("error", error);
            })
        .then(settleIn(tenant, promiseId, status, value, error));
  }

  private Mono<Void> settleIn(
      String tenant, String promiseId, String status, byte[] value, String error) {
    return transactor
        .inTransaction(
            tx ->
                tx.promises()
                    .settle(tenant, promiseId, status, value, error)
                    .flatMap(promise -> resume(tx, promise, maxHistoryBytes).thenReturn(true))
                    .switchIfEmpty(explain(tx, tenant, promiseId, status, value, error)))
        .then();
  }

  // A value that would grow the history past the limit is refused and the promise stays PENDING.
  private static Mono<Void> resume(Tx tx, PromiseRow promise, long maxHistoryBytes) {
    EventData data =
        EventData.object().put("promiseId", promise.id()).put("promiseName", promise.name());
    String type;
    if ("RESOLVED".equals(promise.status())) {
      type = EventType.PROMISE_RESOLVED.name();
      data.payload("value", promise.value());
    } else {
      type = EventType.PROMISE_REJECTED.name();
      data.put("error", promise.error());
    }
    return Resumes.appendWithinLimit(
            tx,
            new AppendEvent(
                promise.workflowId(), type, data.json(), Identities.promiseSettled(promise.name())),
            maxHistoryBytes,
            "the promise's outcome")
        .then();
  }

  private static Mono<Boolean> explain(
      Tx tx, String tenant, String promiseId, String status, byte[] value, String error) {
    return tx.promises()
        .find(tenant, promiseId)
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("promise " + promiseId + " not found")))
        .flatMap(
            promise -> {
              boolean same =
                  status.equals(promise.status())
                      && (value == null || Arrays.equals(value, promise.value()))
                      && (error == null || Objects.equals(error, promise.error()));
              return same
                  ? Mono.<Boolean>empty()
                  : Mono.error(
                      DispatchException.failedPrecondition(
                          "promise " + promiseId + " is already " + promise.status()));
            });
  }
}
