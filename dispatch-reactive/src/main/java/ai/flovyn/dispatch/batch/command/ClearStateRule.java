package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** ClearState: a workflow state key removed (the batch's last write of a key wins). */
final class ClearStateRule extends CommandRule<Command.ClearState> {
  ClearStateRule() {
    super(Command.ClearState.class, "clear_state");
  }

  @Override
  public void validate(String at, Command.ClearState state) {
    Limits.requireName(at + ".key", state.key());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.ClearState state) {
    return new EventSpec(
        EventType.STATE_CLEARED, EventData.object().put("key", state.key()).json(), null);
  }

  @Override
  public void plan(int index, Command.ClearState state, BatchPlan.Builder batch) {
    batch.rows().clearState(state.key());
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
