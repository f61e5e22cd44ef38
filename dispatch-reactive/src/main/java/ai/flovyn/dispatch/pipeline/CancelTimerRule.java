package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.UUID;

/** CancelTimer: the timer will not fire, and TIMER_CANCELLED once per timer id. */
final class CancelTimerRule extends CommandRule<Command.CancelTimer> {
  CancelTimerRule() {
    super(Command.CancelTimer.class, "cancel_timer");
  }

  @Override
  void validate(String at, Command.CancelTimer timer) {
    Limits.requireName(at + ".timer_id", timer.timerId());
  }

  @Override
  String identity(UUID workflowId, Command.CancelTimer timer) {
    return Identities.timerCancelled(timer.timerId());
  }

  @Override
  EventSpec event(UUID workflowId, Command.CancelTimer timer) {
    return new EventSpec(
        EventType.TIMER_CANCELLED,
        EventData.object().put("timerId", timer.timerId()).json(),
        identity(workflowId, timer));
  }

  @Override
  void plan(int index, Command.CancelTimer timer, BatchPlan.Builder batch) {
    batch.rows().cancelTimer(timer.timerId());
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
