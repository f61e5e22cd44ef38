package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
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
  void requirePayloads(String at, Command.ResolvePromise promise) {
    Arguments.present(at + "value", promise.value());
  }

  @Override
  void validate(String at, Command.ResolvePromise promise) {
    Limits.requireName(at + ".promise_id", promise.promiseId());
  }

  @Override
  String identity(UUID workflowId, Command.ResolvePromise promise) {
    return Identities.promiseSettled(Identities.promiseName(workflowId, promise.promiseId()));
  }

  @Override
  EventSpec event(UUID workflowId, Command.ResolvePromise promise) {
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
  void plan(int index, Command.ResolvePromise promise, BatchPlan.Builder batch) {
    batch.rows().resolvePromise(promise);
  }

  @Override
  boolean oneCall() {
    return false;
  }

  @Override
  AfterEnd afterEnd() {
    return AfterEnd.RECORDED_ONCE;
  }
}
