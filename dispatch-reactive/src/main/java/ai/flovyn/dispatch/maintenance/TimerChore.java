package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Transactor;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Fires due timers: TIMER_FIRED {timerId} once each, and the workflow resumes; one batch is one
 * transaction.
 */
final class TimerChore implements Chore {
  private final Transactor transactor;

  TimerChore(Transactor transactor) {
    this.transactor = transactor;
  }

  @Override
  public String name() {
    return "timers";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return transactor.inTransaction(
        tx ->
            tx.sweeps()
                .fireDueTimers(now, limit)
                .map(
                    timer ->
                        new AppendEvent(
                            timer.workflowId(),
                            EventType.TIMER_FIRED.name(),
                            EventData.object().put("timerId", timer.timerId()).json(),
                            Identities.timerFired(timer.timerId())))
                .collectList()
                .flatMap(events -> Resumes.append(tx, events).thenReturn(events.size())));
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return transactor.autocommit(tx -> tx.sweeps().nextTimer());
  }
}
