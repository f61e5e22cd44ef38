package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.agent.AgentChores;
import ai.flovyn.dispatch.agent.Agents;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.TaskOutcome;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * The time-driven chores of the maintenance services, except retention ({@link RetentionChore}):
 * each handles one batch in one transaction and knows when its next item falls due.
 */
final class Chores {
  private Chores() {}

  /** A chore made of its two functions. */
  private record Simple(
      String name,
      BiFunction<Instant, Integer, Mono<Integer>> work,
      Function<Instant, Mono<Instant>> next)
      implements Chore {
    @Override
    public Mono<Integer> run(Instant now, int limit) {
      return work.apply(now, limit);
    }

    @Override
    public Mono<Instant> nextDue(Instant now) {
      return next.apply(now);
    }
  }

  /** Fires due timers: TIMER_FIRED once each, and the workflow resumes. */
  static Chore timers(Transactor transactor) {
    return new Simple(
        "timers",
        (now, limit) ->
            transactor.inTransaction(
                tx ->
                    tx.sweeps()
                        .fireDueTimers(now, limit)
                        .map(
                            timer ->
                                new AppendEvent(
                                    timer.workflowId(),
                                    "TIMER_FIRED",
                                    EventData.object().put("timerId", timer.timerId()).json(),
                                    "TIMER_FIRED:" + timer.timerId()))
                        .collectList()
                        .flatMap(events -> Resumes.append(tx, events).thenReturn(events.size()))),
        now -> transactor.autocommit(tx -> tx.sweeps().nextTimer()));
  }

  /** Fails task attempts whose lease expired; a retried task is announced when visible. */
  static Chore taskLeases(
      Transactor transactor,
      DispatchOptions options,
      DispatchMetrics metrics,
      Consumer<Instant> announceAt) {
    return new Simple(
        "task_leases",
        (now, limit) ->
            transactor
                .inTransaction(
                    tx ->
                        tx.taskLifecycle()
                            .expireLeases(
                                now,
                                options.retryBackoffBaseMillis(),
                                options.retryBackoffMaxMillis(),
                                limit)
                            .collectList()
                            .flatMap(
                                tasks ->
                                    TaskLifecycle.afterFailure(tx, tasks, "timed out")
                                        .then(Agents.afterTasks(tx, tasks))
                                        .thenReturn(tasks)))
                .doOnNext(tasks -> recordExpired(tasks, metrics, announceAt))
                .map(List::size),
        now -> transactor.autocommit(tx -> tx.sweeps().nextTaskLease()));
  }

  /** Fails agent tasks whose deadline passed ("timed out") and wakes their agents. */
  static Chore agentTaskDeadlines(AgentChores agents) {
    return new Simple(
        "agent_task_deadlines", agents::taskDeadlines, now -> agents.nextTaskDeadline());
  }

  /** Reclaims RUNNING agents whose worker went away (docs/agents.md, leases). */
  static Chore agentLeases(AgentChores agents) {
    return new Simple("agent_leases", agents::leases, now -> agents.nextLease());
  }

  private static void recordExpired(
      List<TaskOutcome> tasks, DispatchMetrics metrics, Consumer<Instant> announceAt) {
    for (TaskOutcome task : tasks) {
      boolean failed = task.status() == TaskStatus.FAILED;
      metrics.taskFinished(failed ? "failed" : "timed_out_retry");
      if (!failed) {
        announceAt.accept(task.visibleAt());
      }
    }
  }

  /** Releases the claims of workflows whose worker went silent (docs/sdk-compatibility.md, W8). */
  static Chore workflowLeases(Transactor transactor, Releases releases) {
    return new Simple(
        "workflow_leases",
        releases::expired,
        now -> transactor.autocommit(tx -> tx.sweeps().nextWorkflowLease()));
  }

  /** Times out open promises: PROMISE_TIMEOUT {promiseId, promiseName} once, and a wake-up. */
  static Chore promiseTimeouts(Transactor transactor) {
    return new Simple(
        "promise_timeouts",
        (now, limit) ->
            transactor.inTransaction(
                tx ->
                    tx.sweeps()
                        .timeOutPromises(now, limit)
                        .map(
                            promise ->
                                new AppendEvent(
                                    promise.workflowId(),
                                    "PROMISE_TIMEOUT",
                                    EventData.object()
                                        .put("promiseId", promise.id())
                                        .put("promiseName", promise.name())
                                        .json(),
                                    Identities.promiseSettled(promise.name())))
                        .collectList()
                        .flatMap(events -> Resumes.append(tx, events).thenReturn(events.size()))),
        now -> transactor.autocommit(tx -> tx.sweeps().nextPromiseTimeout()));
  }

  /**
   * Tells pollers of the queues where a retried task or a released workflow became visible since
   * the last run (the first run announces all that are visible, e.g. after a restart). Visibility
   * is decided by the database's clock, as the claims read it, so this chore ignores the services'
   * clock: a test clock moved ahead could otherwise announce a row before it can be claimed.
   */
  static Chore announcements(Transactor transactor) {
    AtomicReference<Instant> since = new AtomicReference<>(Instant.EPOCH);
    return new Simple(
        "announcements",
        (now, limit) ->
            transactor
                .inTransaction(
                    tx ->
                        tx.sweeps()
                            .databaseNow()
                            .flatMap(
                                databaseNow ->
                                    tx.sweeps()
                                        .visibleSince(since.get())
                                        .map(WorkSignal::payload)
                                        .collect(Collectors.toCollection(LinkedHashSet::new))
                                        .flatMap(
                                            payloads ->
                                                tx.notifier().notify((Set<String>) payloads))
                                        .thenReturn(databaseNow)))
                .doOnNext(since::set)
                .thenReturn(0),
        now ->
            transactor
                .autocommit(tx -> tx.sweeps().nextVisible(since.get()))
                .map(delay -> now.plus(delay)));
  }
}
