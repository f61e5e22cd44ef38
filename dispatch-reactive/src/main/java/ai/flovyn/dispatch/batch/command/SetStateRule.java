package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Arguments;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** SetState: a workflow state key set to a JSON value (the batch's last write of a key wins). */
final class SetStateRule extends CommandRule<Command.SetState> {
  SetStateRule() {
    super(Command.SetState.class, "set_state");
  }

  @Override
  public void requirePayloads(String at, Command.SetState state) {
    Arguments.present(at + "value", state.value());
  }

  @Override
  public void validate(String at, Command.SetState state) {
    Limits.requireName(at + ".key", state.key());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.SetState state) {
    return new EventSpec(
        EventType.STATE_SET,
        EventData.object().put("key", state.key()).payload("value", state.value()).json(),
        null);
  }

  @Override
  public void plan(int index, Command.SetState state, BatchPlan.Builder batch) {
    batch.rows().setState(state.key(), state.value());
  }

  @Override
  public boolean oneCall() {
    return false;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.REFUSED;
  }
}
