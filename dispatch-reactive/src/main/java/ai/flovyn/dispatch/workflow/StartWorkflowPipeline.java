package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.StartChild;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.store.NewWorkflow;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.support.Json;
import ai.flovyn.dispatch.support.Limits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Starts workflows: a PENDING row and its WORKFLOW_STARTED event, honouring idempotency keys. */
public final class StartWorkflowPipeline {
  public static final String DEFAULT_QUEUE = "default";

  private final Transactor transactor;
  private final long maxHistoryBytes;

  public StartWorkflowPipeline(Transactor transactor, long maxHistoryBytes) {
    this.transactor = transactor;
    this.maxHistoryBytes = maxHistoryBytes;
  }

  /**
   * Emits the started (or, for a live idempotency key, the earlier) workflow; errors with
   * INVALID_ARGUMENT naming the field, or NOT_FOUND for an unknown parent.
   */
  public Mono<StartedWorkflow> start(StartWorkflow request) {
    return Mono.fromCallable(() -> validate(request))
        .flatMap(valid -> transactor.inTransaction(tx -> startIn(tx, valid)));
  }

  static StartWorkflow validate(StartWorkflow request) {
    Limits.requireName("tenant_id", request.tenantId());
    Limits.requireName("workflow_kind", request.workflowKind());
    if (request.queue() != null && !request.queue().isEmpty()) {
      Limits.optionalName("queue", request.queue());
    }
    Limits.optionalName("workflow_definition_id", request.workflowDefinitionId());
    Limits.optionalName("workflow_version", request.workflowVersion());
    Limits.optionalName("idempotency_key", request.idempotencyKey());
    Limits.keyTtl("idempotency_key_ttl_seconds", request.idempotencyKeyTtlSeconds());
    Limits.range(
        "priority_seconds",
        request.prioritySeconds(),
        -Limits.MAX_PRIORITY_SECONDS,
        Limits.MAX_PRIORITY_SECONDS);
    Limits.metadata("metadata", request.metadata());
    return request;
  }

  private Mono<StartedWorkflow> startIn(Tx tx, StartWorkflow request) {
    UUID id = UUID.randomUUID();
    Mono<Void> parentCheck =
        request.parentWorkflowExecutionId() == null
            ? Mono.empty()
            : tx.workflows()
                .tenantQueueTrace(request.parentWorkflowExecutionId())
                .filter(parent -> parent[0].equals(request.tenantId()))
                .switchIfEmpty(
                    Mono.error(
                        () ->
                            DispatchException.notFound(
                                "parent_workflow_execution_id "
                                    + request.parentWorkflowExecutionId()
                                    + " not found")))
                .then();
    if (request.idempotencyKey() == null) {
      return parentCheck
          .then(insert(tx, id, request))
          .thenReturn(new StartedWorkflow(id, false, false));
    }
    long ttl = Limits.keyTtl("idempotency_key_ttl_seconds", request.idempotencyKeyTtlSeconds());
    return parentCheck
        .then(
            tx.idempotencyKeys()
                .claim(request.tenantId(), "WORKFLOW", request.idempotencyKey(), id, ttl))
        .flatMap(
            claim ->
                claim.created()
                    ? insert(tx, id, request).thenReturn(new StartedWorkflow(id, true, true))
                    : Mono.just(new StartedWorkflow(claim.targetId(), true, false)));
  }

  Mono<Void> insert(Tx tx, UUID id, StartWorkflow request) {
    return insert(tx, id, request, null);
  }

  /**
   * Starts a child of an existing workflow under a server-made id (docs/sdk-compatibility.md, CW1):
   * PENDING, in the parent's queue unless another is named, with WORKFLOW_STARTED in its own log
   * and nothing in the parent's. Errors with NOT_FOUND for an unknown parent (also one of another
   * tenant) and FAILED_PRECONDITION for a finished one.
   */
  public Mono<UUID> startChild(StartChild request) {
    return Mono.fromRunnable(() -> validateChild(request))
        .then(transactor.inTransaction(tx -> startChildIn(tx, request)));
  }

  private static void validateChild(StartChild request) {
    Limits.requireName("tenant_id", request.tenantId());
    Limits.requireName("child_execution_name", request.childExecutionName());
    if (request.parentWorkflowExecutionId() == null) {
      throw DispatchException.invalidArgument("parent_workflow_execution_id must be set");
    }
    if (empty(request.workflowKind()) && empty(request.workflowDefinitionId())) {
      throw DispatchException.invalidArgument(
          "workflow_kind or workflow_definition_id must be set");
    }
    Limits.optionalName("workflow_kind", emptyToNull(request.workflowKind()));
    Limits.optionalName("workflow_definition_id", emptyToNull(request.workflowDefinitionId()));
    Limits.optionalName("queue", emptyToNull(request.queue()));
    Limits.range(
        "priority_seconds",
        request.prioritySeconds(),
        -Limits.MAX_PRIORITY_SECONDS,
        Limits.MAX_PRIORITY_SECONDS);
  }

  private Mono<UUID> startChildIn(Tx tx, StartChild request) {
    UUID parentId = request.parentWorkflowExecutionId();
    return tx.workflows()
        .summary(parentId)
        .filter(parent -> parent.tenantId().equals(request.tenantId()))
        .switchIfEmpty(
            Mono.error(
                () ->
                    DispatchException.notFound(
                        "parent_workflow_execution_id " + parentId + " not found")))
        .flatMap(
            parent -> {
              if (parent.status().isTerminal()) {
                return Mono.error(
                    DispatchException.failedPrecondition(
                        "parent workflow " + parentId + " is " + parent.status()));
              }
              UUID id = UUID.randomUUID();
              String kind =
                  empty(request.workflowKind())
                      ? request.workflowDefinitionId()
                      : request.workflowKind();
              String traceparent =
                  Limits.traceparent(request.traceparent()) != null
                      ? request.traceparent()
                      : parent.traceparent();
              StartWorkflow child =
                  new StartWorkflow(
                      request.tenantId(),
                      kind,
                      request.input(),
                      java.util.Map.of(),
                      empty(request.queue()) ? parent.queue() : request.queue(),
                      request.prioritySeconds(),
                      emptyToNull(request.workflowDefinitionId()),
                      parentId,
                      null,
                      null,
                      null,
                      traceparent);
              // no name: its outcome is not reported into a parent that never scheduled it (E11)
              return insert(tx, id, child, null).thenReturn(id);
            });
  }

  private static boolean empty(String value) {
    return value == null || value.isEmpty();
  }

  private static String emptyToNull(String value) {
    return empty(value) ? null : value;
  }

  private Mono<Void> insert(Tx tx, UUID id, StartWorkflow request, String childName) {
    String queue =
        request.queue() == null || request.queue().isEmpty() ? DEFAULT_QUEUE : request.queue();
    NewWorkflow row =
        NewWorkflow.builder(id, request.workflowKind())
            .tenant(request.tenantId())
            .input(request.input())
            .queue(queue)
            .prioritySeconds(request.prioritySeconds())
            .traceparent(Limits.traceparent(request.traceparent()))
            .metadataJson(Json.stringMap(request.metadata()))
            .definition(request.workflowDefinitionId(), request.workflowVersion())
            .parent(request.parentWorkflowExecutionId(), childName)
            .startedEventJson(EventData.object().payload("input", request.input()).json())
            .build();
    long bytes = row.startedEventJson().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxHistoryBytes) {
      // the poll that hands it out carries the input too: no SDK could ever run it
      return Mono.error(
          DispatchException.resourceExhausted(
              "input: a workflow's history may take at most "
                  + maxHistoryBytes
                  + " bytes, its WORKFLOW_STARTED event alone would take "
                  + bytes));
    }
    WorkSignal signal = new WorkSignal(WorkSignal.Kind.WORKFLOW, request.tenantId(), queue);
    return tx.workflows().insertStarted(row).then(tx.notifier().notify(List.of(signal.payload())));
  }
}
