package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** CancelTimer: the timer will not fire, and TIMER_CANCELLED once per timer id. */
final class CancelTimerRule extends CommandRule<Command.CancelTimer> {
  CancelTimerRule() {
    super(Command.CancelTimer.class, "cancel_timer");
  }

  @Override
  public void validate(String at, Command.CancelTimer timer) {
    Limits.requireName(at + ".timer_id", timer.timerId());
  }

  @Override
  public String identity(UUID workflowId, Command.CancelTimer timer) {
    return Identities.timerCancelled(timer.timerId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.CancelTimer timer) {
    return new EventSpec(
        EventType.TIMER_CANCELLED,
        EventData.object().put("timerId", timer.timerId()).json(),
        identity(workflowId, timer));
  }

  @Override
  public void plan(int index, Command.CancelTimer timer, BatchPlan.Builder batch) {
    batch.rows().cancelTimer(timer.timerId());
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
