package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.SignalResult;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.IdempotencyKeyStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.Wake;
import ai.flovyn.dispatch.store.WorkflowStore;
import ai.flovyn.dispatch.support.Limits;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Signals (docs/sdk-compatibility.md, SG1-SG5, SW1-SW5): each call appends one SIGNAL_RECEIVED
 * {signalName, signalValue} at the workflow's next sequence number and wakes it in the same
 * transaction (a WAITING workflow becomes PENDING; a RUNNING one goes straight back to PENDING when
 * it next suspends). Signals are never deduplicated: the workflow reads them first in, first out
 * per name.
 */
public final class Signals {
  private static final String SCOPE = "WORKFLOW";

  private final Transactor transactor;
  private final StartWorkflowPipeline starts;
  private final long maxHistoryBytes;

  public Signals(Transactor transactor, StartWorkflowPipeline starts, long maxHistoryBytes) {
    this.transactor = transactor;
    this.starts = starts;
    this.maxHistoryBytes = maxHistoryBytes;
  }

  /**
   * Emits the sequence number of the SIGNAL_RECEIVED event; errors with NOT_FOUND for an unknown
   * workflow (also one of another tenant), FAILED_PRECONDITION for a finished one, or
   * RESOURCE_EXHAUSTED when the history would pass its limit.
   */
  public Mono<SignalResult> signal(String tenantId, UUID workflowId, String name, byte[] value) {
    return Mono.fromRunnable(() -> validate(tenantId, name))
        .then(
            transactor.inTransaction(
                tx ->
                    tx.workflows()
                        .summary(workflowId)
                        .filter(workflow -> workflow.tenantId().equals(tenantId))
                        .switchIfEmpty(
                            Mono.error(
                                () ->
                                    DispatchException.notFound(
                                        "workflow " + workflowId + " not found")))
                        .flatMap(workflow -> append(tx, workflow, name, value))
                        .map(sequence -> new SignalResult(workflowId, false, sequence))));
  }

  /**
   * Signals the live workflow the business key names, or creates it first (WORKFLOW_STARTED, then
   * SIGNAL_RECEIVED) when the key is unknown, expired or names a finished workflow. Concurrent
   * calls with one key create at most one workflow.
   */
  public Mono<SignalResult> signalWithStart(SignalWithStart request) {
    return Mono.fromCallable(() -> validate(request))
        .flatMap(start -> transactor.inTransaction(tx -> signalWithStartIn(tx, request, start)));
  }

  private StartWorkflow validate(SignalWithStart request) {
    validate(request.tenantId(), request.signalName());
    Limits.requireName("workflow_id", request.workflowId());
    StartWorkflow start =
        new StartWorkflow(
            request.tenantId(),
            request.workflowKind(),
            request.input(),
            request.metadata(),
            request.queue(),
            request.prioritySeconds(),
            null,
            null,
            request.workflowVersion(),
            request.workflowId(),
            request.idempotencyKeyTtlSeconds(),
            request.traceparent());
    return StartWorkflowPipeline.validate(start);
  }

  private Mono<SignalResult> signalWithStartIn(
      Tx tx, SignalWithStart request, StartWorkflow start) {
    UUID candidate = UUID.randomUUID();
    long ttl = Limits.keyTtl("idempotency_key_ttl_seconds", request.idempotencyKeyTtlSeconds());
    IdempotencyKeyStore keys = tx.idempotencyKeys();
    return keys.claim(request.tenantId(), SCOPE, request.workflowId(), candidate, ttl)
        .flatMap(
            claim ->
                claim.created()
                    ? createThenSignal(tx, candidate, start, request)
                    : tx.workflows()
                        .summary(claim.targetId())
                        .filter(workflow -> !workflow.status().isTerminal())
                        .flatMap(
                            workflow ->
                                append(tx, workflow, request.signalName(), request.signalValue())
                                    .map(seq -> new SignalResult(workflow.id(), false, seq))
                                    // it finished between the read and the append: replace it
                                    .onErrorResume(
                                        Signals::finishedMeanwhile,
                                        error ->
                                            replaceFinished(
                                                tx, workflow.id(), candidate, start, request, ttl)))
                        .switchIfEmpty(
                            Mono.defer(
                                () ->
                                    replaceFinished(
                                        tx, claim.targetId(), candidate, start, request, ttl))));
  }

  // The key named a finished (or deleted) workflow: a new one takes the key over. A concurrent
  // caller that moved the key first wins, and this call signals what it created.
  private Mono<SignalResult> replaceFinished(
      Tx tx,
      UUID finished,
      UUID candidate,
      StartWorkflow start,
      SignalWithStart request,
      long ttl) {
    return tx.idempotencyKeys()
        .repoint(request.tenantId(), SCOPE, request.workflowId(), finished, candidate, ttl)
        .flatMap(
            moved ->
                moved
                    ? createThenSignal(tx, candidate, start, request)
                    : Mono.error(
                        DispatchException.aborted(
                            "a concurrent call restarted workflow '"
                                + Limits.shown(request.workflowId())
                                + "'; retry",
                            null)));
  }

  private Mono<SignalResult> createThenSignal(
      Tx tx, UUID id, StartWorkflow start, SignalWithStart request) {
    return starts
        .insert(tx, id, start)
        .then(tx.workflows().summary(id))
        .flatMap(workflow -> append(tx, workflow, request.signalName(), request.signalValue()))
        .map(sequence -> new SignalResult(id, true, sequence));
  }

  private Mono<Long> append(Tx tx, WorkflowStore.Summary workflow, String name, byte[] value) {
    if (workflow.status().isTerminal()) {
      return Mono.error(
          DispatchException.failedPrecondition(
              "workflow "
                  + workflow.id()
                  + " is "
                  + workflow.status()
                  + ": only running workflows take signals"));
    }
    AppendEvent event =
        new AppendEvent(
            workflow.id(),
            EventType.SIGNAL_RECEIVED.name(),
            EventData.object().put("signalName", name).payload("signalValue", value).json(),
            null);
    return Resumes.appendWithinLimit(tx, event, maxHistoryBytes, "the signal")
        .flatMap(wakes -> sequenceOf(workflow.id(), wakes));
  }

  private Mono<Long> sequenceOf(UUID workflowId, List<Wake> wakes) {
    if (wakes.isEmpty()) {
      // the workflow finished between the read and the append
      return Mono.error(
          DispatchException.failedPrecondition(
              "workflow " + workflowId + " finished: only running workflows take signals"));
    }
    return Mono.just((long) wakes.get(0).currentSequence());
  }

  private static boolean finishedMeanwhile(Throwable error) {
    return error instanceof DispatchException dispatch
        && dispatch.kind() == ai.flovyn.dispatch.domain.ErrorKind.FAILED_PRECONDITION;
  }

  private static void validate(String tenantId, String signalName) {
    Limits.requireName("tenant_id", tenantId);
    Limits.requireName("signal_name", signalName);
  }
}
