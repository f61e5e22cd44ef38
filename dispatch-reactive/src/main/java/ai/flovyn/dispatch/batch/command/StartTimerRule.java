package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/** StartTimer: a timer row that fires after its duration, and TIMER_STARTED once per timer id. */
final class StartTimerRule extends CommandRule<Command.StartTimer> {
  StartTimerRule() {
    super(Command.StartTimer.class, "start_timer");
  }

  @Override
  public void validate(String at, Command.StartTimer timer) {
    Limits.requireName(at + ".timer_id", timer.timerId());
    Limits.range(at + ".duration_ms", timer.durationMs(), 0, Limits.MAX_TIMER_MS);
  }

  @Override
  public String identity(UUID workflowId, Command.StartTimer timer) {
    return Identities.timerStarted(timer.timerId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.StartTimer timer) {
    return new EventSpec(
        EventType.TIMER_STARTED,
        EventData.object()
            .put("timerId", timer.timerId())
            .put("durationMs", timer.durationMs())
            .json(),
        identity(workflowId, timer));
  }

  // the first start of a timer id in the batch counts
  @Override
  public void plan(int index, Command.StartTimer timer, BatchPlan.Builder batch) {
    batch.rows().startTimer(timer.timerId(), timer.durationMs());
    batch.dueIn(timer.durationMs());
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
