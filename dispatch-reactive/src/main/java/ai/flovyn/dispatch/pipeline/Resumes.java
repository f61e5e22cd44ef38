package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * Appends what happened (a task finished, a timer fired, a promise settled) to the workflows that
 * wait for it and resumes them: WAITING ones become PENDING and pollers of their queue are told;
 * RUNNING ones go straight back to PENDING when they next suspend, so no wake-up is lost.
 */
final class Resumes {
  private Resumes() {}

  static Mono<Void> append(Tx tx, List<AppendEvent> events) {
    if (events.isEmpty()) {
      return Mono.empty();
    }
    return tx.events()
        .appendAndWake(events)
        .filter(wake -> wake.status() == WorkflowStatus.PENDING)
        .map(
            wake ->
                new WorkSignal(WorkSignal.Kind.WORKFLOW, wake.tenantId(), wake.queue()).payload())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new))
        .flatMap(payloads -> tx.notifier().notify((Set<String>) payloads));
  }
}
