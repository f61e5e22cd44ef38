package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.SubmittedTask;
import ai.flovyn.dispatch.store.NewTask;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.support.Json;
import ai.flovyn.dispatch.support.Limits;
import ai.flovyn.dispatch.workflow.StartWorkflowPipeline;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * The deprecated two-step path: creates a task under a server-generated id (no event; the
 * workflow's ScheduleTask command records TASK_SCHEDULED when it arrives).
 */
public final class SubmitTaskPipeline {
  private final Transactor transactor;
  private final DispatchMetrics metrics;

  public SubmitTaskPipeline(Transactor transactor, DispatchMetrics metrics) {
    this.transactor = transactor;
    this.metrics = metrics;
  }

  /**
   * Emits the created (or, for a live idempotency key, the earlier) task; errors with
   * INVALID_ARGUMENT naming the field, or NOT_FOUND for an unknown workflow (also one of another
   * tenant).
   */
  public Mono<SubmittedTask> submit(SubmitTask request) {
    return Mono.fromCallable(() -> validate(request))
        .flatMap(valid -> transactor.inTransaction(tx -> submitIn(tx, valid)))
        .doOnNext(
            submitted -> {
              if (!submitted.idempotencyKeyUsed() || submitted.idempotencyKeyNew()) {
                metrics.taskSubmitted(
                    request.tenantId(), request.taskType(), queueLabel(request), 1);
              }
            });
  }

  private static SubmitTask validate(SubmitTask request) {
    Limits.requireName("tenant_id", request.tenantId());
    Limits.requireName("task_type", request.taskType());
    Limits.range("max_retries", request.maxRetries(), 0, Limits.MAX_RETRIES);
    // 0 = none
    Limits.range("timeout_ms", request.timeoutMs(), 0, Limits.MAX_TASK_TIMEOUT_MS);
    Limits.metadata("metadata", request.metadata());
    if (request.queue() != null && !request.queue().isEmpty()) {
      Limits.optionalName("queue", request.queue());
    }
    Limits.optionalName("idempotency_key", request.idempotencyKey());
    Limits.keyTtl("idempotency_key_ttl_seconds", request.idempotencyKeyTtlSeconds());
    Limits.optionalName("worker_pool_id", request.workerPoolId());
    return request;
  }

  private Mono<SubmittedTask> submitIn(Tx tx, SubmitTask request) {
    UUID id = UUID.randomUUID();
    Mono<String[]> owner =
        request.workflowExecutionId() == null
            ? Mono.just(new String[] {request.tenantId(), null, null})
            : tx.workflows()
                .tenantQueueTrace(request.workflowExecutionId())
                .filter(workflow -> workflow[0].equals(request.tenantId()))
                .switchIfEmpty(
                    Mono.error(
                        () ->
                            DispatchException.notFound(
                                "workflow_execution_id "
                                    + request.workflowExecutionId()
                                    + " not found")));
    return owner.flatMap(
        workflow -> {
          NewTask task = newTask(id, request, workflow[1], workflow[2]);
          if (request.idempotencyKey() == null) {
            return insert(tx, task).thenReturn(new SubmittedTask(id, false, false));
          }
          long ttl =
              Limits.keyTtl("idempotency_key_ttl_seconds", request.idempotencyKeyTtlSeconds());
          return tx.idempotencyKeys()
              .claim(request.tenantId(), "TASK", request.idempotencyKey(), id, ttl)
              .flatMap(
                  claim ->
                      claim.created()
                          ? insert(tx, task).thenReturn(new SubmittedTask(id, true, true))
                          : Mono.just(new SubmittedTask(claim.targetId(), true, false)));
        });
  }

  private static NewTask newTask(
      UUID id, SubmitTask request, String workflowQueue, String workflowTraceparent) {
    String traceparent = Limits.traceparent(request.traceparent());
    return NewTask.builder(id, request.taskType())
        .tenant(request.tenantId())
        .workflow(request.workflowExecutionId())
        .input(request.input())
        .queue(queue(request, workflowQueue))
        .maxRetries(request.maxRetries())
        .timeoutMs(request.timeoutMs())
        .traceparent(traceparent != null ? traceparent : workflowTraceparent)
        .idempotencyKey(request.idempotencyKey())
        .metadataJson(Json.stringMap(request.metadata()))
        .workerPool(request.workerPoolId())
        .build();
  }

  private static String queue(SubmitTask request, String workflowQueue) {
    if (request.queue() != null && !request.queue().isEmpty()) {
      return request.queue();
    }
    return workflowQueue != null ? workflowQueue : StartWorkflowPipeline.DEFAULT_QUEUE;
  }

  private static String queueLabel(SubmitTask request) {
    return request.queue() == null || request.queue().isEmpty() ? "(workflow)" : request.queue();
  }

  private Mono<Void> insert(Tx tx, NewTask task) {
    WorkSignal signal = new WorkSignal(WorkSignal.Kind.TASK, task.tenantId(), task.queue());
    return tx.tasks().insert(List.of(task)).then(tx.notifier().notify(List.of(signal.payload())));
  }
}
