package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.Agents;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.maintenance.Sweeper;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.TaskFinish;
import ai.flovyn.dispatch.store.TaskOutcome;
import ai.flovyn.dispatch.store.TaskState;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.support.Coalescer;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.support.Limits;
import ai.flovyn.dispatch.support.Texts;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * The task worker's side: claim by long poll, then complete, fail (with retries), cancel, heartbeat
 * and report progress. Outcomes of workflow tasks are appended to the workflow and resume it.
 */
public final class TaskLifecycle {
  private final Transactor transactor;
  private final DispatchOptions options;
  private final DispatchMetrics metrics;
  private final Sweeper sweeper;
  private final TaskOutcomeGroups groups;

  public TaskLifecycle(
      Transactor transactor,
      DispatchOptions options,
      DispatchMetrics metrics,
      Sweeper sweeper,
      Clock clock) {
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
    this.sweeper = sweeper;
    this.groups = new TaskOutcomeGroups(transactor, options, metrics, clock);
  }

  /**
   * Completes a RUNNING task; completing it again with the same output is success. Errors with
   * NOT_FOUND, FAILED_PRECONDITION (another state or output), or RESOURCE_EXHAUSTED when the output
   * would grow the workflow's history past its limit (the task stays RUNNING).
   */
  public Mono<Void> complete(Scope scope, UUID taskId, byte[] output) {
    byte[] bytes = output == null ? new byte[0] : output;
    return finish(
        new TaskFinish(
            scope.tenantId(),
            taskId,
            false,
            bytes,
            null,
            EventType.TASK_COMPLETED.name(),
            EventData.object()
                .put("taskExecutionId", taskId.toString())
                .payload("output", bytes)
                .json(),
            Identities.taskFinished(taskId)));
  }

  /**
   * Fails the current attempt: the task retries after a backoff while attempts remain, else it is
   * FAILED and the workflow sees TASK_FAILED. Repeating the same failure is success.
   */
  public Mono<Void> fail(Scope scope, UUID taskId, String error) {
    // the SDK sends the text of an exception: never a reason to lose the failure itself
    String text = Texts.failureText(error == null ? "" : error);
    return finish(
        new TaskFinish(
            scope.tenantId(),
            taskId,
            true,
            null,
            text,
            EventType.TASK_FAILED.name(),
            EventData.object()
                .put("taskExecutionId", taskId.toString())
                // a server event, never refused for the history limit: kept small
                .put("error", Texts.truncate(text, MAX_EVENT_ERROR))
                .json(),
            Identities.taskFinished(taskId)));
  }

  // Concurrent outcomes share transactions (see TaskOutcomeGroups); without group commit each runs
  // alone, through the same statement.
  private Mono<Void> finish(TaskFinish request) {
    Mono<TaskOutcome> finished =
        options.maxGroupSize() > 1
            ? groups.submit(request)
            : groups.run(List.of(request)).flatMap(answers -> answerOf(answers.get(0)));
    return finished.doOnNext(this::recordFinished).then();
  }

  private static Mono<TaskOutcome> answerOf(Coalescer.Answer<TaskOutcome> answer) {
    return answer.error() != null ? Mono.error(answer.error()) : Mono.justOrEmpty(answer.value());
  }

  private void recordFinished(TaskOutcome task) {
    metrics.taskFinished(
        switch (task.status()) {
          case COMPLETED -> "completed";
          case FAILED -> "failed";
          default -> "retried";
        });
    if (task.status() == TaskStatus.PENDING) {
      sweeper.dueAt(task.visibleAt());
    }
  }

  /** The longest error text a TASK_FAILED event carries; the task row keeps the whole text. */
  static final int MAX_EVENT_ERROR = 4096;

  /**
   * Appends TASK_FAILED for the tasks that failed for good and announces retried ones visible at
   * {@code now}.
   */
  public static Mono<Void> afterFailure(Tx tx, List<TaskOutcome> tasks, String error, Instant now) {
    List<AppendEvent> events = new ArrayList<>();
    Set<String> visibleNow = new LinkedHashSet<>();
    for (TaskOutcome task : tasks) {
      if (task.status() == TaskStatus.FAILED && task.workflowId() != null) {
        events.add(
            new AppendEvent(
                task.workflowId(),
                EventType.TASK_FAILED.name(),
                EventData.object()
                    .put("taskExecutionId", task.id().toString())
                    // a server event, never refused for the history limit: kept small
                    .put("error", Texts.truncate(error, MAX_EVENT_ERROR))
                    .json(),
                Identities.taskFinished(task.id())));
      } else if (task.status() == TaskStatus.PENDING && !task.visibleAt().isAfter(now)) {
        visibleNow.add(
            new WorkSignal(WorkSignal.Kind.TASK, task.tenantId(), task.queue()).payload());
      }
    }
    return Resumes.append(tx, events).then(tx.notifier().notify(visibleNow));
  }

  /**
   * Cancels a PENDING or RUNNING task; again is success. Its workflow sees TASK_FAILED ("Task
   * cancelled"), the only task outcome an SDK reads (docs/sdk-compatibility.md, E5), and resumes.
   */
  public Mono<Void> cancel(Scope scope, UUID taskId) {
    String tenant = scope.tenantId();
    return transactor
        .inTransaction(
            tx ->
                tx.taskLifecycle()
                    .cancel(tenant, taskId)
                    .flatMap(
                        task ->
                            cancelled(tx, task, taskId)
                                .then(Agents.afterTasks(tx, List.of(task)))
                                .thenReturn(true))
                    .switchIfEmpty(
                        state(tx, tenant, taskId)
                            .flatMap(
                                task ->
                                    task.status() == TaskStatus.CANCELLED
                                        ? Mono.<Boolean>empty()
                                        : Mono.error(notRunning(task)))))
        .doOnNext(changed -> metrics.taskFinished("cancelled"))
        .then();
  }

  /**
   * Records a heartbeat (and progress when not null) and renews the lease; errors with
   * FAILED_PRECONDITION when the task was cancelled or is no longer running.
   */
  public Mono<Void> heartbeat(Scope scope, UUID taskId, Double progress, String details) {
    String tenant = scope.tenantId();
    if (progress != null && !(progress >= 0.0 && progress <= 1.0)) {
      return Mono.error(
          DispatchException.invalidArgument("progress must be between 0 and 1, got " + progress));
    }
    try {
      Limits.text("details", details);
    } catch (DispatchException e) {
      return Mono.error(e);
    }
    long leaseMs = options.taskLease().toMillis();
    return transactor
        .inTransaction(
            tx ->
                tx.taskLifecycle()
                    .heartbeat(tenant, taskId, leaseMs, progress, details)
                    .switchIfEmpty(
                        state(tx, tenant, taskId).flatMap(task -> Mono.error(notRunning(task)))))
        .then();
  }

  // a server event (the SDK reads cancellation as a failed task), never refused for the limit
  private static Mono<Void> cancelled(Tx tx, TaskOutcome task, UUID taskId) {
    if (task.workflowId() == null) {
      return Mono.empty();
    }
    return Resumes.append(
        tx,
        List.of(
            new AppendEvent(
                task.workflowId(),
                EventType.TASK_FAILED.name(),
                EventData.object()
                    .put("taskExecutionId", taskId.toString())
                    .put("error", "Task cancelled")
                    .put("retryable", false)
                    .json(),
                Identities.taskFinished(taskId))));
  }

  // another tenant's task is not found by the same statement, so it answers exactly as none does
  private static Mono<TaskState> state(Tx tx, String tenant, UUID taskId) {
    return tx.taskLifecycle()
        .state(tenant, taskId)
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("task " + taskId + " not found")));
  }

  static DispatchException notRunning(TaskState task) {
    if (task.status() == TaskStatus.CANCELLED) {
      return DispatchException.failedPrecondition("task " + task.id() + " was cancelled");
    }
    return DispatchException.failedPrecondition(
        "task " + task.id() + " is " + task.status() + ", not RUNNING");
  }
}
