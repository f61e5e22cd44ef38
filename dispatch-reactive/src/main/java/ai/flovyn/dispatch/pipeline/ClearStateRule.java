package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.UUID;

/** ClearState: a workflow state key removed (the batch's last write of a key wins). */
final class ClearStateRule extends CommandRule<Command.ClearState> {
  ClearStateRule() {
    super(Command.ClearState.class, "clear_state");
  }

  @Override
  void validate(String at, Command.ClearState state) {
    Limits.requireName(at + ".key", state.key());
  }

  @Override
  EventSpec event(UUID workflowId, Command.ClearState state) {
    return new EventSpec(
        EventType.STATE_CLEARED, EventData.object().put("key", state.key()).json(), null);
  }

  @Override
  void plan(int index, Command.ClearState state, BatchPlan.Builder batch) {
    batch.rows().clearState(state.key());
  }

  @Override
  boolean oneCall() {
    return false;
  }

  @Override
  AfterEnd afterEnd() {
    return AfterEnd.REFUSED;
  }
}
