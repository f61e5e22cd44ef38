package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Arguments;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/**
 * ResolvePromise: the workflow settles its own promise (by name or global id), once; the first
 * settlement of a promise wins.
 */
final class ResolvePromiseRule extends CommandRule<Command.ResolvePromise> {
  ResolvePromiseRule() {
    super(Command.ResolvePromise.class, "resolve_promise");
  }

  @Override
  public void requirePayloads(String at, Command.ResolvePromise promise) {
    Arguments.present(at + "value", promise.value());
  }

  @Override
  public void validate(String at, Command.ResolvePromise promise) {
    Limits.requireName(at + ".promise_id", promise.promiseId());
  }

  @Override
  public String identity(UUID workflowId, Command.ResolvePromise promise) {
    return Identities.promiseSettled(Identities.promiseName(workflowId, promise.promiseId()));
  }

  @Override
  public EventSpec event(UUID workflowId, Command.ResolvePromise promise) {
    String name = Identities.promiseName(workflowId, promise.promiseId());
    return new EventSpec(
        EventType.PROMISE_RESOLVED,
        EventData.object()
            .put("promiseId", Identities.promiseId(workflowId, name))
            .put("promiseName", name)
            .payload("value", promise.value())
            .json(),
        identity(workflowId, promise));
  }

  @Override
  public void plan(int index, Command.ResolvePromise promise, BatchPlan.Builder batch) {
    batch.rows().resolvePromise(promise);
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
