package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/**
 * CreatePromise: a promise row (global id {@code <workflow id>:<name>}) that an outside call
 * resolves or rejects, timing out after its optional timeout, and PROMISE_CREATED once per name.
 */
final class CreatePromiseRule extends CommandRule<Command.CreatePromise> {
  CreatePromiseRule() {
    super(Command.CreatePromise.class, "create_promise");
  }

  @Override
  public void validate(String at, Command.CreatePromise promise) {
    Limits.requireName(at + ".promise_id", promise.promiseId());
    Limits.range(at + ".timeout_ms", promise.timeoutMs(), 1, Limits.MAX_TIMER_MS);
    Limits.optionalName(at + ".idempotency_key", promise.idempotencyKey());
    Limits.keyTtl(at + ".idempotency_key_ttl_seconds", promise.idempotencyKeyTtlSeconds());
  }

  @Override
  public String identity(UUID workflowId, Command.CreatePromise promise) {
    return Identities.promiseCreated(promise.promiseId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.CreatePromise promise) {
    return new EventSpec(
        EventType.PROMISE_CREATED,
        EventData.object()
            .put("promiseId", Identities.promiseId(workflowId, promise.promiseId()))
            .put("promiseName", promise.promiseId())
            .json(),
        identity(workflowId, promise));
  }

  @Override
  public void plan(int index, Command.CreatePromise promise, BatchPlan.Builder batch) {
    batch.rows().createPromise(promise);
    if (promise.timeoutMs() != null) {
      batch.dueIn(promise.timeoutMs());
    }
  }

  @Override
  public boolean oneCall() {
    return false;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.RECORDED_ONCE;
  }
}
