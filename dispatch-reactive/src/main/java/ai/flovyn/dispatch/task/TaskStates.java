package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Texts;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * The key/value state of a task execution (docs/sdk-compatibility.md, TS1-TS4): readable and
 * writable in every task status, kept across retries, deleted with the task; no workflow events, no
 * wake-ups.
 */
public final class TaskStates {
  private final Transactor transactor;

  public TaskStates(Transactor transactor) {
    this.transactor = transactor;
  }

  /** Emits the value of {@code key}, or an empty Optional when it is not set. */
  public Mono<Optional<byte[]>> get(Scope scope, UUID taskId, String key) {
    return Mono.fromRunnable(() -> Texts.name("key", key))
        .then(transactor.autocommit(tx -> tx.taskState().get(scope.tenantId(), taskId, key)))
        .switchIfEmpty(notFound(taskId));
  }

  /** Sets {@code key} to a JSON value; INVALID_ARGUMENT when the value is not JSON. */
  public Mono<Void> set(Scope scope, UUID taskId, String key, byte[] value) {
    return Mono.fromRunnable(
            () -> {
              Texts.name("key", key);
              if (!EventData.isJson(value)) {
                throw DispatchException.invalidArgument("value must be UTF-8 JSON");
              }
            })
        .then(transactor.autocommit(tx -> tx.taskState().set(scope.tenantId(), taskId, key, value)))
        .switchIfEmpty(notFound(taskId))
        .then();
  }

  /** Clears {@code key}; clearing an absent key is success. */
  public Mono<Void> clear(Scope scope, UUID taskId, String key) {
    return Mono.fromRunnable(() -> Texts.name("key", key))
        .then(transactor.autocommit(tx -> tx.taskState().clear(scope.tenantId(), taskId, key)))
        .switchIfEmpty(notFound(taskId))
        .then();
  }

  /** Clears every key; an empty state is success. */
  public Mono<Void> clearAll(Scope scope, UUID taskId) {
    return transactor
        .autocommit(tx -> tx.taskState().clearAll(scope.tenantId(), taskId))
        .switchIfEmpty(notFound(taskId))
        .then();
  }

  /** Emits the keys that are set, in no particular order. */
  public Mono<List<String>> keys(Scope scope, UUID taskId) {
    return transactor
        .read(tx -> tx.taskState().keys(scope.tenantId(), taskId))
        .collectList()
        .flatMap(
            rows ->
                rows.isEmpty()
                    ? notFound(taskId)
                    : Mono.just(rows.stream().flatMap(Optional::stream).toList()));
  }

  private static <T> Mono<T> notFound(UUID taskId) {
    return Mono.error(() -> DispatchException.notFound("task " + taskId + " not found"));
  }
}
