package ai.flovyn.dispatch.poll;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.maintenance.Sweeper;
import ai.flovyn.dispatch.store.AgentStore;
import ai.flovyn.dispatch.store.ClaimStore;
import ai.flovyn.dispatch.store.TaskClaim;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.store.WorkflowClaim;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.support.Limits;
import ai.flovyn.dispatch.support.Tracing;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The pollers' side of both queues: validate the poll, then wait for a claim among the polls
 * waiting on the same queue ({@link Waiters}: one autocommit claim statement serves all of them),
 * tell the sweeper when the claim's lease ends, and time the wait.
 */
public final class Polls {
  static final int MAX_KINDS = 1000;

  /** What a task poll may claim, besides its queue. */
  private record TaskFilter(String workerPoolId) {}

  /** What a workflow poll may claim, besides its queue: kinds sorted, so any order groups alike. */
  private record WorkflowFilter(List<String> kinds, String workerPoolId) {}

  private final Transactor transactor;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Sweeper sweeper;
  private final Waiters<TaskClaim> taskWaiters;
  private final Waiters<WorkflowClaim> workflowWaiters;
  private final Waiters<AgentStore.AgentClaim> agentWaiters;

  /** Polls woken by {@code signals}; every wait ends (empty) when {@code stopping} completes. */
  public Polls(
      Transactor transactor,
      Flux<WorkSignal> signals,
      Mono<Void> stopping,
      DispatchOptions options,
      DispatchMetrics metrics,
      Sweeper sweeper) {
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
    this.sweeper = sweeper;
    this.taskWaiters = waiters(TaskClaim.class, signals, stopping, options);
    this.workflowWaiters = waiters(WorkflowClaim.class, signals, stopping, options);
    this.agentWaiters = waiters(AgentStore.AgentClaim.class, signals, stopping, options);
  }

  private static <C> Waiters<C> waiters(
      Class<C> type, Flux<WorkSignal> signals, Mono<Void> stopping, DispatchOptions options) {
    return new Waiters<>(
        type, signals, stopping, options.claimLinger(), Schedulers.parallel(), System::nanoTime);
  }

  /**
   * Emits the next ready task of (tenant, queue) claimed for {@code workerId} within the capped
   * timeout, or completes empty; errors with INVALID_ARGUMENT naming an empty tenant, queue or
   * worker.
   */
  public Mono<ClaimedTask> task(
      String tenantId, String queue, String workerPoolId, String workerId, Duration timeout) {
    long leaseMs = options.taskLease().toMillis();
    WorkSignal key = new WorkSignal(WorkSignal.Kind.TASK, tenantId, queue);
    Waiters.Claimer<TaskClaim> claimer =
        claimer(
            WorkSignal.Kind.TASK,
            (claims, workers) -> claims.claimTasks(tenantId, queue, workerPoolId, workers, leaseMs),
            TaskClaim::slot,
            ClaimStore::releaseTasks);
    return handOut(
        poll(
            key,
            workerId,
            timeout,
            capped ->
                taskWaiters
                    .await(key, new TaskFilter(workerPoolId), claimer, workerId, capped)
                    .map(TaskClaim::task),
            ClaimedTask::leaseExpiresAt),
        "dispatch.claim task",
        ClaimedTask::traceparent,
        (task, span) -> {
          span.setAttribute("dispatch.task.id", task.id().toString());
          span.setAttribute("dispatch.task.type", task.taskType());
          span.setAttribute("dispatch.task.attempt", task.executionCount());
          span.setAttribute("dispatch.queue", queue);
          span.setAttribute("dispatch.worker.id", workerId);
          if (task.workflowId() != null) {
            span.setAttribute("dispatch.workflow.id", task.workflowId().toString());
          }
        });
  }

  /**
   * Emits the next PENDING workflow of (tenant, queue) among {@code kinds} (empty: any) claimed for
   * {@code workerId} within the capped timeout, or completes empty; errors with INVALID_ARGUMENT
   * naming an empty tenant, queue or worker.
   */
  public Mono<ClaimedWorkflow> workflow(
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    long leaseMs = options.workflowLease().toMillis();
    String[] kindArray = kinds.toArray(String[]::new);
    WorkSignal key = new WorkSignal(WorkSignal.Kind.WORKFLOW, tenantId, queue);
    WorkflowFilter filter =
        new WorkflowFilter(kinds.stream().distinct().sorted().toList(), workerPoolId);
    Waiters.Claimer<WorkflowClaim> claimer =
        claimer(
            WorkSignal.Kind.WORKFLOW,
            (claims, workers) ->
                claims.claimWorkflows(tenantId, queue, kindArray, workerPoolId, workers, leaseMs),
            WorkflowClaim::slot,
            ClaimStore::releaseWorkflows);
    return handOut(
        poll(
            key,
            workerId,
            timeout,
            capped ->
                workflowWaiters
                    .await(key, filter, claimer, workerId, capped)
                    .map(WorkflowClaim::workflow),
            ClaimedWorkflow::leaseExpiresAt),
        "dispatch.claim workflow",
        ClaimedWorkflow::traceparent,
        (workflow, span) -> {
          span.setAttribute("dispatch.workflow.id", workflow.id().toString());
          span.setAttribute("dispatch.workflow.kind", workflow.kind());
          span.setAttribute("dispatch.queue", queue);
          span.setAttribute("dispatch.worker.id", workerId);
        });
  }

  /**
   * Emits the next PENDING agent of (tenant, queue) among {@code kinds} (empty: any) claimed for
   * {@code workerId} under a lease of {@code leaseMs} within the capped timeout, or completes empty
   * (docs/agents.md); errors with INVALID_ARGUMENT naming an empty tenant, queue or worker.
   */
  public Mono<AgentExecution> agent(
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout,
      long leaseMs) {
    String[] kindArray = kinds.toArray(String[]::new);
    WorkSignal key = new WorkSignal(WorkSignal.Kind.AGENT, tenantId, queue);
    WorkflowFilter filter =
        new WorkflowFilter(kinds.stream().distinct().sorted().toList(), workerPoolId);
    Waiters.Claimer<AgentStore.AgentClaim> agents =
        new Waiters.Claimer<>(
            workers ->
                count(
                    transactor.autocommit(
                        tx ->
                            tx.agents()
                                .claim(
                                    tenantId,
                                    queue,
                                    kindArray,
                                    workerPoolId,
                                    workers.toArray(String[]::new),
                                    leaseMs)
                                .collectList()),
                    WorkSignal.Kind.AGENT),
            AgentStore.AgentClaim::slot,
            items -> transactor.autocommit(tx -> tx.agents().release(items)).then());
    return poll(
        key,
        workerId,
        timeout,
        capped ->
            agentWaiters
                .await(key, filter, agents, workerId, capped)
                .map(AgentStore.AgentClaim::agent),
        agent -> Instant.now().plusMillis(leaseMs));
  }

  private <T> Mono<T> poll(
      WorkSignal key,
      String workerId,
      Duration timeout,
      Function<Duration, Mono<T>> await,
      Function<T, Instant> leaseEnd) {
    return Mono.fromRunnable(
            () -> {
              Limits.requireName("tenant_id", key.tenantId());
              Limits.requireName("queue", key.queue());
              Limits.requireName("worker_id", workerId);
            })
        .then(Mono.defer(() -> await.apply(cap(timeout))))
        .doOnNext(claimed -> metrics.handedOut(key.kind()))
        .doOnNext(claimed -> sweeper.dueAt(leaseEnd.apply(claimed)))
        .as(claimed -> metrics.timePoll(claimed, key.kind().name().toLowerCase(Locale.ROOT)));
  }

  /**
   * With tracing on, records each claimed item handed to its poller as a span in the item's trace,
   * linked to the poll's span; off, {@code claimed} itself.
   */
  private <T> Mono<T> handOut(
      Mono<T> claimed,
      String name,
      Function<T, String> traceparent,
      BiConsumer<T, Span> attributes) {
    Tracing tracing = metrics.tracing();
    if (!tracing.on()) {
      return claimed;
    }
    return claimed.doOnEach(
        signal -> {
          T item = signal.get();
          if (item != null) {
            tracing.handedOut(
                name,
                traceparent.apply(item),
                signal.getContextView(),
                span -> attributes.accept(item, span));
          }
        });
  }

  /** Counts one claim statement, as claimed when it took anything. */
  // One claim statement for all the given workers of a group, counted; and the hand-back of
  // items whose polls have gone. Both in autocommit: a claim commits as soon as it is made.
  private <C> Waiters.Claimer<C> claimer(
      WorkSignal.Kind kind,
      BiFunction<ClaimStore, String[], Flux<C>> claim,
      ToIntFunction<C> slot,
      BiFunction<ClaimStore, List<C>, Mono<Long>> release) {
    return new Waiters.Claimer<>(
        workers ->
            count(
                transactor.autocommit(
                    tx -> claim.apply(tx.claims(), workers.toArray(String[]::new)).collectList()),
                kind),
        slot,
        claims -> transactor.autocommit(tx -> release.apply(tx.claims(), claims)).then());
  }

  private <C> Mono<List<C>> count(Mono<List<C>> claim, WorkSignal.Kind kind) {
    return metrics
        .countClaim(claim.filter(claimed -> !claimed.isEmpty()), kind)
        .defaultIfEmpty(List.of());
  }

  /**
   * Completes empty when the poll's filters are valid, else errors with INVALID_ARGUMENT: a worker
   * pool id is a name, and at most 1000 workflow kinds, each a name.
   */
  public static Mono<Void> filters(String workerPoolId, List<String> kinds) {
    return filters(workerPoolId, kinds, "workflow_capabilities");
  }

  /** {@link #filters(String, List)} for kinds the request names {@code field}. */
  public static Mono<Void> filters(String workerPoolId, List<String> kinds, String field) {
    return Mono.fromRunnable(
        () -> {
          if (workerPoolId != null && !workerPoolId.isEmpty()) {
            Limits.optionalName("worker_pool_id", workerPoolId);
          }
          if (kinds.size() > MAX_KINDS) {
            throw DispatchException.invalidArgument(
                field + " must have at most " + MAX_KINDS + " entries");
          }
          for (int i = 0; i < kinds.size(); i++) {
            Limits.requireName(field + "[" + i + "]", kinds.get(i));
          }
        });
  }

  /** The requested timeout, at least zero and at most the configured cap. */
  private Duration cap(Duration requested) {
    if (requested == null || requested.isNegative()) {
      return Duration.ZERO;
    }
    return requested.compareTo(options.maxPollTimeout()) > 0 ? options.maxPollTimeout() : requested;
  }
}
