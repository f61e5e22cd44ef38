package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.domain.CancelResult;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.history.ChildReports;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkflowRow;
import ai.flovyn.dispatch.store.WorkflowStore;
import ai.flovyn.dispatch.support.Limits;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cancelling workflows from outside (an operator), as a parent cancels its children (P6): the
 * workflow's log ends with WORKFLOW_CANCELLED {reason}, its row is CANCELLED (a worker holding its
 * claim is refused from then on, as for any finished workflow), its PENDING tasks are cancelled,
 * and a parent it belongs to gets CHILD_WORKFLOW_FAILED and is woken. With cascade, its unfinished
 * children are cancelled the same way, one level at a time, down to the last.
 */
public final class Cancels {
  /** The reason recorded when the caller gives none. */
  static final String DEFAULT_REASON = "cancelled by an operator";

  /** The most workflows one bulk cancel takes. */
  static final int MAX_IDS = 10_000;

  // Workflows of a bulk cancel in flight at once, each in its own transaction: enough to hide the
  // round trips, few enough to leave the pool to the workers. Two of them that meet (a parent and
  // its child) may deadlock; the transactor reruns the loser.
  private static final int CONCURRENCY = 4;

  private final Transactor transactor;

  public Cancels(Transactor transactor) {
    this.transactor = transactor;
  }

  /**
   * Cancels one workflow of the scope in one transaction; errors with NOT_FOUND for an unknown one
   * (also another tenant's), INVALID_ARGUMENT for a reason over the text limit.
   */
  public Mono<CancelResult> cancel(Scope scope, UUID id, String reason, boolean cascade) {
    return Mono.fromCallable(() -> reason(reason))
        .flatMap(
            text ->
                transactor.inTransaction(
                    tx ->
                        cancelIn(tx, scope.tenantId(), id, text, cascade)
                            .switchIfEmpty(
                                Mono.error(
                                    () ->
                                        DispatchException.notFound(
                                            "workflow " + id + " not found")))));
  }

  /**
   * Cancels each of {@code ids} of the scope with its descendants, each in its own transaction;
   * unknown ones and finished ones are skipped. Emits how many it cancelled (descendants not
   * counted unless listed).
   */
  public Mono<Integer> cancelAll(Scope scope, List<UUID> ids, String reason) {
    return Mono.fromCallable(
            () -> {
              if (ids.size() > MAX_IDS) {
                throw DispatchException.invalidArgument(
                    "ids must hold at most " + MAX_IDS + " workflows, got " + ids.size());
              }
              return reason(reason);
            })
        .flatMapMany(
            text ->
                Flux.fromIterable(new LinkedHashSet<>(ids))
                    .flatMap(
                        id ->
                            transactor.inTransaction(
                                tx -> cancelIn(tx, scope.tenantId(), id, text, true)),
                        CONCURRENCY))
        .filter(result -> result.status() == CancelResult.Status.CANCELLED)
        .count()
        .map(Long::intValue);
  }

  private static String reason(String reason) {
    return reason == null || reason.isBlank() ? DEFAULT_REASON : Limits.text("reason", reason);
  }

  // The row is locked first, as a command batch locks it: a batch of the worker that holds the
  // claim either committed before (and the cancel sees its outcome) or sees CANCELLED after.
  private static Mono<CancelResult> cancelIn(
      Tx tx, String tenant, UUID id, String reason, boolean cascade) {
    return tx.workflows()
        .lock(tenant, id)
        .flatMap(
            workflow ->
                workflow.status().isTerminal()
                    ? Mono.just(new CancelResult(CancelResult.Status.ALREADY_TERMINAL, 0))
                    : end(tx, tenant, List.of(id), reason)
                        .then(cascade ? descendants(tx, tenant, List.of(id), reason) : Mono.just(0))
                        .flatMap(
                            children ->
                                reportToParent(tx, workflow, reason)
                                    .thenReturn(
                                        new CancelResult(
                                            CancelResult.Status.CANCELLED, children))));
  }

  // Ends the given workflows as the parent's cancel ends its children: their logs first (only
  // unfinished workflows take events), then their rows and PENDING tasks. Emits those it ended.
  private static Mono<List<UUID>> end(Tx tx, String tenant, List<UUID> ids, String reason) {
    List<AppendEvent> endings =
        ids.stream()
            .map(
                id ->
                    new AppendEvent(
                        id,
                        EventType.WORKFLOW_CANCELLED.name(),
                        EventData.object().put("reason", reason).json(),
                        Identities.workflowCancelled()))
            .toList();
    return tx.events()
        .appendAndWake(endings, Long.MAX_VALUE)
        .thenMany(tx.workflows().cancelWorkflows(tenant, ids.toArray(UUID[]::new), reason))
        .map(WorkflowStore.CancelledChild::id)
        .collectList();
  }

  // One level of unfinished children per round, all of them in three statements; a tree ends
  // because each round takes only children of workflows the previous one ended. Their parents are
  // cancelled, so there is no one to report to. Emits how many it ended.
  private static Mono<Integer> descendants(
      Tx tx, String tenant, List<UUID> parents, String reason) {
    return tx.workflows()
        .lockUnfinishedChildren(tenant, parents.toArray(UUID[]::new))
        .collectList()
        .flatMap(
            children ->
                children.isEmpty()
                    ? Mono.just(0)
                    : end(tx, tenant, children, reason)
                        .flatMap(
                            ended ->
                                descendants(tx, tenant, ended, reason)
                                    .map(deeper -> deeper + ended.size())));
  }

  // A cancelled child tells its parent as a parent's own cancel does (CHILD_WORKFLOW_FAILED, the
  // only child outcome the SDK reads) and wakes it; the report is small and never refused for the
  // history limit, or the parent would wait for it forever.
  private static Mono<Void> reportToParent(Tx tx, WorkflowRow workflow, String reason) {
    // a child started by StartChildWorkflow (no name) is not one the parent's code scheduled
    if (workflow.parentId() == null || workflow.childName() == null) {
      return Mono.empty();
    }
    AppendEvent report =
        ChildReports.report(
            workflow.parentId(),
            workflow.id(),
            workflow.childName(),
            WorkflowStatus.CANCELLED,
            null,
            "Child workflow cancelled: " + reason);
    return Resumes.append(tx, List.of(report));
  }
}
