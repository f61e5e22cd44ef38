package ai.flovyn.dispatch.history;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.Wake;
import ai.flovyn.dispatch.store.WorkSignal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Appends what happened (a task finished, a timer fired, a promise settled) to the workflows that
 * wait for it and resumes them: WAITING ones become PENDING and pollers of their queue are told;
 * RUNNING ones go straight back to PENDING when they next suspend, so no wake-up is lost.
 */
public final class Resumes {
  private Resumes() {}

  /**
   * Appends events the server itself makes (timers fired, leases expired, timeouts): small events
   * that are never refused for the history limit, so that a workflow near its limit still hears
   * them.
   */
  public static Mono<Void> append(Tx tx, List<AppendEvent> events) {
    return append(tx, events, Long.MAX_VALUE).then();
  }

  /**
   * Appends events to workflows whose history may take at most {@code maxHistoryBytes}, wakes them
   * and tells their pollers at commit; emits every workflow reached, the refused ones flagged.
   */
  public static Mono<List<Wake>> append(Tx tx, List<AppendEvent> events, long maxHistoryBytes) {
    if (events.isEmpty()) {
      return Mono.just(List.of());
    }
    return tx.events()
        .appendAndWake(events, maxHistoryBytes)
        .collectList()
        .flatMap(wakes -> tx.notifier().notify(announcements(wakes)).thenReturn(wakes));
  }

  /**
   * Appends one client-supplied outcome ({@code what}: "the task's output", "the signal", ...) to
   * its workflow; errors with RESOURCE_EXHAUSTED, rolling the caller's transaction back, when it
   * would grow the history past {@code maxHistoryBytes}, which no SDK could read any more
   * (docs/sdk-compatibility.md, G-E2).
   */
  public static Mono<List<Wake>> appendWithinLimit(
      Tx tx, AppendEvent event, long maxHistoryBytes, String what) {
    return append(tx, List.of(event), maxHistoryBytes)
        .flatMap(
            wakes ->
                wakes.stream().anyMatch(Wake::refused)
                    ? Mono.error(
                        DispatchException.resourceExhausted(
                            what
                                + " would grow workflow "
                                + event.workflowId()
                                + "'s history past "
                                + maxHistoryBytes
                                + " bytes (an SDK cannot read a longer history)"))
                    : Mono.just(wakes));
  }

  private static Set<String> announcements(List<Wake> wakes) {
    Set<String> payloads = new LinkedHashSet<>();
    for (Wake wake : wakes) {
      if (!wake.refused() && wake.status() == WorkflowStatus.PENDING) {
        payloads.add(
            new WorkSignal(WorkSignal.Kind.WORKFLOW, wake.tenantId(), wake.queue()).payload());
      }
    }
    return payloads;
  }
}
