package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.Agents;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.store.FinishedTask;
import ai.flovyn.dispatch.store.StoreErrors;
import ai.flovyn.dispatch.store.TaskFinish;
import ai.flovyn.dispatch.store.TaskOutcome;
import ai.flovyn.dispatch.store.TaskState;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.support.Coalescer;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Group commit of task outcomes (CompleteTask, FailTask): calls that arrive while a group runs are
 * applied together in the next one, in one transaction and one set-based statement, so that the
 * completions of one workflow's tasks share a lock, a WAL flush and one wake-up of the workflow
 * instead of queueing one after another. Each call keeps the answer it would have had alone: the
 * group behaves as if its calls ran one after another in arrival order.
 *
 * <p>When the group's transaction fails as a whole: an unclassified database error (INTERNAL) may
 * come from one call's data, so each call runs again alone and only that one keeps the error; a
 * database that is unreachable, or conflicts that outlasted the retries (UNAVAILABLE, ABORTED),
 * fail every call of the group with that same error, which tells the client to retry: nothing of
 * the group was written.
 */
final class TaskOutcomeGroups {
  /** Most calls waiting for a group before new ones are refused with RESOURCE_EXHAUSTED. */
  private static final int MAX_QUEUED = 10_000;

  private final Transactor transactor;
  private final DispatchOptions options;
  private final Clock clock;
  private final Coalescer<TaskFinish, TaskOutcome> coalescer;

  TaskOutcomeGroups(
      Transactor transactor, DispatchOptions options, DispatchMetrics metrics, Clock clock) {
    this.transactor = transactor;
    this.options = options;
    this.clock = clock;
    this.coalescer =
        new Coalescer<>(
            this::run,
            Math.max(1, options.groupCommitters()),
            Math.max(1, options.maxGroupSize()),
            MAX_QUEUED,
            "task outcomes",
            metrics::taskOutcomeGroup);
    metrics.watchTaskOutcomesQueued(coalescer::queued);
  }

  /**
   * Emits the task after the change once its group has committed, or empty when the call repeated
   * one already applied.
   */
  Mono<TaskOutcome> submit(TaskFinish request) {
    return coalescer.submit(request);
  }

  /** Applies a group: one answer per call, in the group's order. */
  Mono<List<Coalescer.Answer<TaskOutcome>>> run(List<TaskFinish> group) {
    return applyGroup(group)
        .onErrorResume(
            error -> group.size() > 1 && mayComeFromOneCall(error), error -> eachAlone(group));
  }

  // Calls on distinct tasks (the usual group) are one finishing statement, which commits whole or
  // writes nothing, plus reads: run without BEGIN and COMMIT, two round trips fewer. A task named
  // twice needs a transaction, so that the later call sees what the earlier one did.
  private Mono<List<Coalescer.Answer<TaskOutcome>>> applyGroup(List<TaskFinish> group) {
    return distinctTasks(group)
        ? transactor.inStatements(tx -> round(tx, group))
        : transactor.inTransaction(tx -> apply(tx, group));
  }

  private static boolean distinctTasks(List<TaskFinish> group) {
    return group.stream().map(TaskFinish::taskId).distinct().count() == group.size();
  }

  private static boolean mayComeFromOneCall(Throwable error) {
    return StoreErrors.classify(error).kind() == ErrorKind.INTERNAL;
  }

  private Mono<List<Coalescer.Answer<TaskOutcome>>> eachAlone(List<TaskFinish> group) {
    return Flux.fromIterable(group)
        .concatMap(
            request ->
                applyGroup(List.of(request))
                    .map(answers -> answers.get(0))
                    .onErrorResume(
                        error -> Mono.just(Coalescer.Answer.failed(StoreErrors.classify(error)))))
        .collectList();
  }

  // A task named twice in one group (a client retrying while its first call waits) is applied in
  // a later round of the same transaction, so that it sees what the first call did.
  private Mono<List<Coalescer.Answer<TaskOutcome>>> apply(Tx tx, List<TaskFinish> group) {
    Set<UUID> seen = new HashSet<>();
    List<Integer> firstAt = new ArrayList<>();
    List<Integer> laterAt = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      (seen.add(group.get(i).taskId()) ? firstAt : laterAt).add(i);
    }
    List<TaskFinish> first = firstAt.stream().map(group::get).toList();
    List<TaskFinish> later = laterAt.stream().map(group::get).toList();
    return round(tx, first)
        .flatMap(
            firstAnswers ->
                (later.isEmpty()
                        ? Mono.just(List.<Coalescer.Answer<TaskOutcome>>of())
                        : apply(tx, later))
                    .map(laterAnswers -> merge(firstAt, firstAnswers, laterAt, laterAnswers)));
  }

  // the answers of both rounds, each at its call's place in the group
  private static List<Coalescer.Answer<TaskOutcome>> merge(
      List<Integer> firstAt,
      List<Coalescer.Answer<TaskOutcome>> firstAnswers,
      List<Integer> laterAt,
      List<Coalescer.Answer<TaskOutcome>> laterAnswers) {
    List<Coalescer.Answer<TaskOutcome>> answers =
        new ArrayList<>(Collections.nCopies(firstAt.size() + laterAt.size(), null));
    for (int i = 0; i < firstAt.size(); i++) {
      answers.set(firstAt.get(i), firstAnswers.get(i));
    }
    for (int i = 0; i < laterAt.size(); i++) {
      answers.set(laterAt.get(i), laterAnswers.get(i));
    }
    return answers;
  }

  /**
   * One statement for calls on distinct tasks, then one read to explain those that changed nothing.
   */
  private Mono<List<Coalescer.Answer<TaskOutcome>>> round(Tx tx, List<TaskFinish> calls) {
    Map<UUID, DispatchException> refusals = new HashMap<>();
    return fitting(tx, calls, refusals)
        .flatMap(
            rows -> {
              Map<UUID, TaskOutcome> changed =
                  rows.stream()
                      .collect(Collectors.toMap(row -> row.task().id(), FinishedTask::task));
              List<TaskFinish> unexplained =
                  calls.stream()
                      .filter(
                          call ->
                              !changed.containsKey(call.taskId())
                                  && !refusals.containsKey(call.taskId()))
                      .toList();
              return tx.taskLifecycle()
                  .states(unexplained)
                  .collectMap(TaskState::id, Function.identity())
                  .flatMap(
                      states ->
                          tx.notifier()
                              .notify(announcements(rows))
                              // tasks of agents wake their agents; workflow tasks run nothing
                              .then(Agents.afterTasks(tx, finishedTasks(rows)))
                              .then(
                                  Mono.fromCallable(
                                      () -> answers(calls, changed, refusals, states))));
            });
  }

  private static List<TaskOutcome> finishedTasks(List<FinishedTask> rows) {
    List<TaskOutcome> tasks = new ArrayList<>(rows.size());
    for (FinishedTask row : rows) {
      if (!row.refused()) {
        tasks.add(row.task());
      }
    }
    return tasks;
  }

  // The history limit refuses the first completion of a workflow that would pass it; the statement
  // then wrote nothing, and runs again without it (rare: only near a workflow's limit).
  private Mono<List<FinishedTask>> fitting(
      Tx tx, List<TaskFinish> calls, Map<UUID, DispatchException> refusals) {
    return tx.taskLifecycle()
        .finish(
            calls,
            options.retryBackoffBaseMillis(),
            options.retryBackoffMaxMillis(),
            options.maxHistoryBytes())
        .collectList()
        .flatMap(
            rows -> {
              List<FinishedTask> refused = rows.stream().filter(FinishedTask::refused).toList();
              if (refused.isEmpty()) {
                return Mono.just(rows);
              }
              refused.forEach(
                  row -> refusals.put(row.task().id(), tooLong(row.task().workflowId())));
              List<TaskFinish> rest =
                  calls.stream().filter(call -> !refusals.containsKey(call.taskId())).toList();
              return fitting(tx, rest, refusals);
            });
  }

  private DispatchException tooLong(UUID workflowId) {
    return DispatchException.resourceExhausted(
        "the task's outcome would grow workflow "
            + workflowId
            + "'s history past "
            + options.maxHistoryBytes()
            + " bytes (an SDK cannot read a longer history)");
  }

  private static List<Coalescer.Answer<TaskOutcome>> answers(
      List<TaskFinish> calls,
      Map<UUID, TaskOutcome> changed,
      Map<UUID, DispatchException> refusals,
      Map<UUID, TaskState> states) {
    List<Coalescer.Answer<TaskOutcome>> answers = new ArrayList<>(calls.size());
    for (TaskFinish call : calls) {
      UUID id = call.taskId();
      if (changed.containsKey(id)) {
        answers.add(Coalescer.Answer.of(changed.get(id)));
      } else if (refusals.containsKey(id)) {
        answers.add(Coalescer.Answer.failed(refusals.get(id)));
      } else {
        answers.add(explain(call, states.get(id)));
      }
    }
    return answers;
  }

  // A call that changed nothing: a repeat of what the task already did is success, else the
  // task's state is the error.
  private static Coalescer.Answer<TaskOutcome> explain(TaskFinish call, TaskState task) {
    if (task == null) {
      return Coalescer.Answer.failed(
          DispatchException.notFound("task " + call.taskId() + " not found"));
    }
    return isRepeat(call, task)
        ? Coalescer.Answer.of(null)
        : Coalescer.Answer.failed(TaskLifecycle.notRunning(task));
  }

  private static boolean isRepeat(TaskFinish call, TaskState task) {
    if (!call.failed()) {
      return task.status() == TaskStatus.COMPLETED && Arrays.equals(task.output(), call.output());
    }
    return (task.status() == TaskStatus.FAILED && call.error().equals(task.error()))
        || (task.status() == TaskStatus.PENDING
            && "FAILED".equals(task.lastAttemptOutcome())
            && call.error().equals(task.lastAttemptError()));
  }

  // workflows woken to PENDING, and retried tasks that may be claimed at once
  private Set<String> announcements(List<FinishedTask> rows) {
    Set<String> payloads = new LinkedHashSet<>();
    Instant now = clock.instant();
    for (FinishedTask row : rows) {
      if (row.wake() != null && row.wake().status() == WorkflowStatus.PENDING) {
        payloads.add(
            new WorkSignal(WorkSignal.Kind.WORKFLOW, row.wake().tenantId(), row.wake().queue())
                .payload());
      }
      TaskOutcome task = row.task();
      if (task.status() == TaskStatus.PENDING && !task.visibleAt().isAfter(now)) {
        payloads.add(new WorkSignal(WorkSignal.Kind.TASK, task.tenantId(), task.queue()).payload());
      }
    }
    return payloads;
  }
}
