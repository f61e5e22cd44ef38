package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.UUID;

/** SetState: a workflow state key set to a JSON value (the batch's last write of a key wins). */
final class SetStateRule extends CommandRule<Command.SetState> {
  SetStateRule() {
    super(Command.SetState.class, "set_state");
  }

  @Override
  void requirePayloads(String at, Command.SetState state) {
    Arguments.present(at + "value", state.value());
  }

  @Override
  void validate(String at, Command.SetState state) {
    Limits.requireName(at + ".key", state.key());
  }

  @Override
  EventSpec event(UUID workflowId, Command.SetState state) {
    return new EventSpec(
        EventType.STATE_SET,
        EventData.object().put("key", state.key()).payload("value", state.value()).json(),
        null);
  }

  @Override
  void plan(int index, Command.SetState state, BatchPlan.Builder batch) {
    batch.rows().setState(state.key(), state.value());
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
