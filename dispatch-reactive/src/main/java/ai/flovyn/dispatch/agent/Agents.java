package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentEntry;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentSignal;
import ai.flovyn.dispatch.domain.AgentSignalResult;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTaskResult;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.AppendedEntry;
import ai.flovyn.dispatch.domain.ChildEvent;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.ScheduledAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.TokenUsage;
import ai.flovyn.dispatch.store.AgentStore;
import ai.flovyn.dispatch.store.AgentStore.AgentRow;
import ai.flovyn.dispatch.store.TaskOutcome;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.WorkSignal;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The lifecycle of durable agents as the SDK's agent worker drives it (docs/agents.md): entries,
 * checkpoints, tasks, suspension and wake-up, signals, completion, children and live data. Every
 * call takes the caller's scope: another tenant's agent is NOT_FOUND exactly as a missing one.
 * Writers lock the agent row first, so that a wait condition is always evaluated after whatever
 * committed before (the suspend race of docs/agents.md).
 *
 * <p>Long polls ({@link AgentPolls}) and the maintenance chores ({@link AgentChores}) are wired by
 * the library next to the workflow and task ones.
 */
public final class Agents {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NULL_JSON = "null".getBytes(StandardCharsets.UTF_8);

  private final Transactor transactor;
  private final AgentOptions options;
  private final AgentMetrics metrics;
  private final AgentDataHub data;
  private final Consumer<Duration> dueIn;
  private final Guard guard;

  /**
   * How every operation runs: the library refuses calls after close, counts them while in progress
   * and classifies (and logs once) internal errors, as for its own calls.
   */
  public interface Guard {
    <T> Mono<T> mono(String operation, java.util.function.Supplier<Mono<T>> body);

    <T> Flux<T> flux(String operation, java.util.function.Supplier<Flux<T>> body);

    /** Runs the body as it is: for tests and embedders that guard the calls themselves. */
    Guard NONE =
        new Guard() {
          @Override
          public <T> Mono<T> mono(String operation, java.util.function.Supplier<Mono<T>> body) {
            return Mono.defer(body);
          }

          @Override
          public <T> Flux<T> flux(String operation, java.util.function.Supplier<Flux<T>> body) {
            return Flux.defer(body);
          }
        };
  }

  /**
   * Agents over {@code transactor}; {@code dueIn} is told when a task deadline is set, so that the
   * maintenance services look at it in time.
   */
  public Agents(
      Transactor transactor,
      AgentOptions options,
      AgentMetrics metrics,
      AgentDataHub data,
      Consumer<Duration> dueIn,
      Guard guard) {
    this.guard = guard;
    this.transactor = transactor;
    this.options = options;
    this.metrics = metrics;
    this.data = data;
    this.dueIn = dueIn;
  }

  public AgentOptions options() {
    return options;
  }

  /** Counts one PollAgent answer: an agent handed out, or none. */
  public void polled(boolean gotOne) {
    metrics.polled(gotOne);
  }

  private long leaseMs() {
    return options.idleLease().toMillis();
  }

  // --- creation and reads

  /** Creates a root agent, PENDING without a checkpoint; emits it. */
  public Mono<AgentExecution> create(Scope scope, StartAgent request) {
    return guard.mono(
        "create",
        () ->
            Mono.defer(
                () -> {
                  StartAgent start = validStart(request, false);
                  own(scope, "tenant_id", start.tenantId());
                  UUID id = UUID.randomUUID();
                  String queue = start.queue() == null ? "default" : start.queue();
                  String mode = mode(start.persistenceMode());
                  return transactor
                      .inTransaction(
                          tx ->
                              tx.agents()
                                  .insert(id, start, queue, mode)
                                  .then(ready(tx, start.tenantId(), queue))
                                  .then(tx.agents().detail(start.tenantId(), id)))
                      .doOnNext(agent -> metrics.started());
                }));
  }

  /** The agent with every field; NOT_FOUND when the scope cannot see it. */
  public Mono<AgentExecution> get(Scope scope, UUID agentId) {
    return guard.mono(
        "get",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  return transactor
                      .read(tx -> tx.agents().detail(scope.tenantId(), agentId).flux())
                      .next()
                      .switchIfEmpty(Mono.error(() -> notFound(agentId)));
                }));
  }

  /** Every checkpoint of the agent, ascending by sequence. */
  public Mono<List<AgentCheckpoint>> checkpoints(Scope scope, UUID agentId) {
    return guard.mono(
        "checkpoints",
        () -> read(scope, agentId, (tx, agent) -> tx.agents().checkpoints(agentId).collectList()));
  }

  /** Claims a WAITING agent for {@code workerId}: empty when it is not WAITING. */
  public Mono<AgentExecution> resume(Scope scope, UUID agentId, String workerId) {
    return guard.mono(
        "resume",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  String worker = AgentArguments.name("worker_id", workerId);
                  return transactor
                      .inTransaction(
                          tx ->
                              locked(tx, scope, agentId)
                                  .then(
                                      tx.agents()
                                          .resume(scope.tenantId(), agentId, worker, leaseMs())))
                      .doOnNext(agent -> metrics.resumed());
                }));
  }

  // --- entries

  /** AppendEntry: idempotent by the client's key (a UUID key is the entry's id). */
  public Mono<AppendedEntry> appendEntry(Scope scope, NewAgentEntry request) {
    return guard.mono(
        "appendEntry",
        () ->
            Mono.defer(
                () -> {
                  NewAgentEntry entry = validEntry(request);
                  UUID agentId = entry.agentExecutionId();
                  String key = entry.idempotencyKey();
                  UUID keyId = AgentArguments.parseUuid(key);
                  return transactor.inTransaction(
                      tx ->
                          writable(tx, scope, agentId)
                              .flatMap(
                                  agent -> {
                                    AgentStore store = tx.agents();
                                    Mono<UUID> existing =
                                        key == null
                                            ? Mono.empty()
                                            : keyId != null
                                                ? store.entryById(agentId, keyId)
                                                : store.entryByKey(agentId, key);
                                    return existing
                                        .map(id -> new AppendedEntry(id, true))
                                        .switchIfEmpty(
                                            Mono.defer(
                                                () -> {
                                                  if (agent.entryCount()
                                                      >= options.maxEntriesPerAgent()) {
                                                    return Mono.error(
                                                        DispatchException.resourceExhausted(
                                                            "agent "
                                                                + agentId
                                                                + " holds the most entries allowed ("
                                                                + options.maxEntriesPerAgent()
                                                                + ")"));
                                                  }
                                                  UUID id =
                                                      keyId != null ? keyId : UUID.randomUUID();
                                                  String mapped = keyId == null ? key : null;
                                                  return store
                                                      .insertEntry(entry, id, mapped)
                                                      .thenReturn(new AppendedEntry(id, false));
                                                }));
                                  }));
                }));
  }

  /**
   * GetEntries: every entry in append order, or those after {@code afterEntryId} (INVALID_ARGUMENT
   * when it is not an entry of the agent).
   */
  public Flux<AgentEntry> entries(Scope scope, UUID agentId, UUID afterEntryId) {
    return guard.flux(
        "entries",
        () ->
            Flux.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  return transactor.read(
                      tx ->
                          found(tx, scope, agentId)
                              .flatMap(
                                  agent ->
                                      afterEntryId == null
                                          ? Mono.just(0)
                                          : tx.agents()
                                              .entryPosition(agentId, afterEntryId)
                                              .switchIfEmpty(
                                                  Mono.error(
                                                      () ->
                                                          DispatchException.invalidArgument(
                                                              "after_entry_id is not an entry of agent "
                                                                  + agentId))))
                              .flatMapMany(position -> tx.agents().entries(agentId, position)));
                }));
  }

  // --- checkpoints

  /** GetLatestCheckpoint: the highest sequence, or empty when there is none. */
  public Mono<Optional<AgentCheckpoint>> latestCheckpoint(Scope scope, UUID agentId) {
    return guard.mono(
        "latestCheckpoint",
        () ->
            read(
                scope,
                agentId,
                (tx, agent) ->
                    tx.agents()
                        .latestCheckpoint(agentId)
                        .map(Optional::of)
                        .defaultIfEmpty(Optional.empty())));
  }

  /** SubmitCheckpoint: the next sequence, from 1; emits the checkpoint (without its state). */
  public Mono<AgentCheckpoint> submitCheckpoint(
      Scope scope, UUID agentId, String leafEntryId, byte[] state, TokenUsage usage) {
    return guard.mono(
        "submitCheckpoint",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  String leaf =
                      AgentArguments.text("leaf_entry_id", leafEntryId, AgentArguments.MAX_NAME);
                  byte[] bytes =
                      AgentArguments.bytes(
                          "state",
                          state == null || state.length == 0 ? NULL_JSON : state,
                          options.maxCheckpointBytes());
                  UUID id = UUID.randomUUID();
                  return transactor.inTransaction(
                      tx ->
                          writable(tx, scope, agentId)
                              .then(tx.agents().insertCheckpoint(id, agentId, leaf, bytes, usage))
                              .map(
                                  sequence ->
                                      new AgentCheckpoint(
                                          id, agentId, sequence, leaf, null, usage, null)));
                }));
  }

  // --- tasks

  /**
   * ScheduleAgentTask: an ordinary task of the agent under UUIDv5 of the key; a repeated key
   * answers the existing task unchanged.
   */
  public Mono<ScheduledAgentTask> scheduleTask(Scope scope, ScheduleAgentTask request) {
    return guard.mono(
        "scheduleTask",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("request", request);
                  UUID agentId =
                      AgentArguments.present("agent_execution_id", request.agentExecutionId());
                  String kind = AgentArguments.name("task_kind", request.taskKind());
                  String queue = AgentArguments.optionalName("queue", request.queue());
                  Integer retries =
                      AgentArguments.range(
                          "max_retries", request.maxRetries(), 0, AgentArguments.MAX_RETRIES);
                  Long timeout =
                      AgentArguments.range(
                          "timeout_ms", request.timeoutMs(), 1, AgentArguments.MAX_TIMEOUT_MS);
                  String key =
                      AgentArguments.optionalName("idempotency_key", request.idempotencyKey());
                  byte[] input = request.input() == null ? new byte[0] : request.input();
                  if (input.length > options.maxTaskInputBytes()) {
                    return Mono.error(
                        DispatchException.resourceExhausted(
                            "input must be at most "
                                + options.maxTaskInputBytes()
                                + " bytes, got "
                                + input.length));
                  }
                  UUID id = key == null ? UUID.randomUUID() : AgentTaskIds.fromKey(key);
                  return transactor
                      .inTransaction(
                          tx ->
                              writable(tx, scope, agentId)
                                  .flatMap(
                                      agent -> {
                                        String taskQueue = queue == null ? agent.queue() : queue;
                                        return tx.agents()
                                            .insertTask(
                                                id,
                                                agent.tenantId(),
                                                agentId,
                                                kind,
                                                input,
                                                taskQueue,
                                                retries == null ? 3 : retries,
                                                timeout,
                                                null,
                                                key)
                                            .flatMap(
                                                created ->
                                                    created
                                                        ? tx.notifier()
                                                            .notify(
                                                                Set.of(
                                                                    new WorkSignal(
                                                                            WorkSignal.Kind.TASK,
                                                                            agent.tenantId(),
                                                                            taskQueue)
                                                                        .payload()))
                                                            .thenReturn(
                                                                new ScheduledAgentTask(
                                                                    id, key != null, true))
                                                        : existingTask(tx, id, agent, key));
                                      }))
                      .doOnNext(
                          scheduled -> {
                            if (scheduled.created() && timeout != null) {
                              dueIn.accept(Duration.ofMillis(timeout));
                            }
                          });
                }));
  }

  private static Mono<ScheduledAgentTask> existingTask(Tx tx, UUID id, AgentRow agent, String key) {
    return tx.agents()
        .taskOf(id, agent.id(), agent.tenantId())
        .flatMap(
            own ->
                own
                    ? Mono.just(new ScheduledAgentTask(id, key != null, false))
                    : Mono.error(
                        DispatchException.failedPrecondition(
                            "idempotency_key names a task that is not this agent's")));
  }

  /** GetAgentTaskResults: one result per requested id, in request order. */
  public Mono<List<AgentTaskResult>> taskResults(Scope scope, UUID agentId, List<UUID> taskIds) {
    return guard.mono(
        "taskResults",
        () ->
            Mono.defer(
                () -> {
                  List<UUID> ids = AgentArguments.ids("task_execution_ids", taskIds);
                  return read(
                      scope,
                      agentId,
                      (tx, agent) ->
                          tx.agents()
                              .taskResults(agentId, ids)
                              .flatMap(
                                  results -> {
                                    for (AgentTaskResult result : results) {
                                      if (result.status() == null) {
                                        return Mono.error(
                                            DispatchException.notFound(
                                                "task " + result.taskExecutionId() + " not found"));
                                      }
                                    }
                                    return Mono.just(results);
                                  }));
                }));
  }

  /** GetAgentTaskCount: the number of tasks linked to the agent. */
  public Mono<Long> taskCount(Scope scope, UUID agentId) {
    return guard.mono(
        "taskCount", () -> read(scope, agentId, (tx, agent) -> tx.agents().taskCount(agentId)));
  }

  /** CancelAgentTask's answer: whether this call cancelled it, and its status after. */
  public record TaskCancel(boolean cancelled, TaskStatus status) {}

  /**
   * CancelAgentTask: a PENDING or RUNNING task of the agent becomes CANCELLED (its running worker
   * is refused afterwards) and the agent is re-evaluated; a finished one is left as it is.
   */
  public Mono<TaskCancel> cancelTask(Scope scope, UUID agentId, UUID taskId) {
    return guard.mono(
        "cancelTask",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  AgentArguments.present("task_execution_id", taskId);
                  return transactor.inTransaction(
                      tx ->
                          found(tx, scope, agentId)
                              .flatMap(
                                  agent ->
                                      tx.agents()
                                          .taskOf(taskId, agentId, agent.tenantId())
                                          .flatMap(
                                              own ->
                                                  own
                                                      ? Mono.just(agent)
                                                      : Mono.error(
                                                          DispatchException.notFound(
                                                              "task " + taskId + " not found"))))
                              .flatMap(
                                  agent ->
                                      tx.taskLifecycle()
                                          .cancel(agent.tenantId(), taskId)
                                          .flatMap(
                                              outcome ->
                                                  afterTasks(tx, List.of(outcome))
                                                      .thenReturn(
                                                          new TaskCancel(
                                                              true, TaskStatus.CANCELLED)))
                                          .switchIfEmpty(
                                              tx.agents()
                                                  .taskResults(agentId, List.of(taskId))
                                                  .map(
                                                      results ->
                                                          new TaskCancel(
                                                              false, results.get(0).status())))));
                }));
  }

  /**
   * Re-evaluates the agents that own any of the ended {@code tasks} (workflow tasks own none: for
   * them this runs no statement) and announces those made PENDING. Called in the unit of work that
   * ended them, after the tasks' statement.
   */
  public static Mono<Void> afterTasks(Tx tx, List<TaskOutcome> tasks) {
    List<UUID> ids = new ArrayList<>();
    for (TaskOutcome task : tasks) {
      if (task.workflowId() == null && task.status().isTerminal()) {
        ids.add(task.id());
      }
    }
    if (ids.isEmpty()) {
      return Mono.empty();
    }
    return tx.agents().wakeForTasks(ids).collectList().flatMap(woken -> announce(tx, woken));
  }

  // --- suspension

  /**
   * SuspendAgent: stores the condition and evaluates it at once under the agent's lock; emits the
   * status after (PENDING when it already holds, else WAITING).
   */
  public Mono<AgentStatus> suspend(Scope scope, UUID agentId, AgentWait wait) {
    return guard.mono(
        "suspend",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  AgentWait valid = validWait(wait);
                  UUID[] distinct = valid.ids().stream().distinct().toArray(UUID[]::new);
                  return transactor
                      .inTransaction(
                          tx ->
                              writable(tx, scope, agentId)
                                  .flatMap(
                                      agent ->
                                          owned(tx, agentId, valid.kind(), distinct)
                                              .then(tx.agents().suspend(agentId, valid))
                                              .flatMap(
                                                  status ->
                                                      status == AgentStatus.PENDING
                                                          ? ready(
                                                                  tx,
                                                                  agent.tenantId(),
                                                                  agent.queue())
                                                              .thenReturn(status)
                                                          : Mono.just(status))))
                      .doOnNext(
                          status -> {
                            metrics.suspended();
                            if (status == AgentStatus.PENDING) {
                              metrics.resumed();
                            }
                          });
                }));
  }

  private static Mono<Void> owned(Tx tx, UUID agentId, AgentWait.Kind kind, UUID[] ids) {
    if (kind == AgentWait.Kind.SIGNAL || ids.length == 0) {
      return Mono.empty();
    }
    boolean tasks = kind == AgentWait.Kind.TASKS_ALL || kind == AgentWait.Kind.TASKS_ANY;
    Mono<Long> count =
        tasks ? tx.agents().ownTasks(agentId, ids) : tx.agents().ownChildren(agentId, ids);
    return count.flatMap(
        n ->
            n == ids.length
                ? Mono.<Void>empty()
                : Mono.error(
                    DispatchException.notFound(
                        (tasks ? "a task" : "a child") + " of the wait condition was not found")));
  }

  // --- completion

  /** CompleteAgent: COMPLETED with the output as given; FAILED_PRECONDITION once finished. */
  public Mono<Void> complete(Scope scope, UUID agentId, byte[] output) {
    return guard.mono(
        "complete",
        () ->
            finish(
                scope,
                agentId,
                AgentStatus.COMPLETED,
                output == null ? new byte[0] : output,
                null,
                null,
                null));
  }

  /** FailAgent: FAILED with the error, stack trace and failure type as given. */
  public Mono<Void> fail(
      Scope scope, UUID agentId, String error, String stackTrace, String failureType) {
    return guard.mono(
        "fail",
        () ->
            Mono.defer(
                () ->
                    finish(
                        scope,
                        agentId,
                        AgentStatus.FAILED,
                        null,
                        error == null ? "" : error.replace("\0", ""),
                        AgentArguments.text("stack_trace", stackTrace, 1024 * 1024),
                        AgentArguments.text(
                            "failure_type", failureType, AgentArguments.MAX_NAME))));
  }

  /**
   * Cancels an unfinished agent from outside: CANCELLED, its PENDING tasks cancelled, its parent
   * re-evaluated; emits whether it changed (false: it had finished).
   */
  public Mono<Boolean> cancel(Scope scope, UUID agentId, String reason) {
    return guard.mono(
        "cancel",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  String text =
                      reason == null || reason.isBlank()
                          ? "cancelled by an operator"
                          : AgentArguments.text("reason", reason, AgentArguments.MAX_TEXT);
                  return transactor
                      .inTransaction(
                          tx ->
                              found(tx, scope, agentId, true)
                                  .flatMap(
                                      agent ->
                                          agent.status().isTerminal()
                                              ? Mono.just(false)
                                              : ended(
                                                  tx,
                                                  agent,
                                                  AgentStatus.CANCELLED,
                                                  null,
                                                  text,
                                                  null,
                                                  null)))
                      .doOnNext(
                          changed -> {
                            if (changed) {
                              metrics.finished(AgentStatus.CANCELLED);
                            }
                          });
                }));
  }

  private Mono<Void> finish(
      Scope scope,
      UUID agentId,
      AgentStatus status,
      byte[] output,
      String error,
      String stackTrace,
      String failureType) {
    return Mono.defer(
        () -> {
          AgentArguments.present("agent_execution_id", agentId);
          return transactor
              .inTransaction(
                  tx ->
                      writable(tx, scope, agentId)
                          .flatMap(
                              agent ->
                                  ended(tx, agent, status, output, error, stackTrace, failureType)))
              .doOnNext(changed -> metrics.finished(status))
              .then();
        });
  }

  // the agent is locked and unfinished: end it, cancel its PENDING tasks, wake its parent
  private static Mono<Boolean> ended(
      Tx tx,
      AgentRow agent,
      AgentStatus status,
      byte[] output,
      String error,
      String stackTrace,
      String failureType) {
    return tx.agents()
        .finish(agent.id(), status, output, error, stackTrace, failureType)
        .flatMap(
            changed ->
                tx.agents()
                    .cancelPendingTasks(List.of(agent.id()))
                    .then(
                        agent.parentExecutionId() == null
                            ? Mono.empty()
                            : tx.agents()
                                .wake(List.of(agent.parentExecutionId()), null)
                                .collectList()
                                .flatMap(woken -> announce(tx, woken)))
                    .thenReturn(changed));
  }

  // --- signals

  /**
   * Queues a signal for the agent (REST, SignalAgent) and re-evaluates it: {@code agentResumed}
   * when this signal made it PENDING. FAILED_PRECONDITION for a finished agent.
   */
  public Mono<AgentSignalResult> signal(Scope scope, UUID agentId, String name, byte[] value) {
    return guard.mono(
        "signal",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  String signalName = AgentArguments.name("signal_name", name);
                  byte[] bytes = signalValue(value);
                  UUID id = UUID.randomUUID();
                  return transactor
                      .inTransaction(
                          tx ->
                              writable(tx, scope, agentId)
                                  .flatMap(
                                      agent ->
                                          deliver(tx, agent, id, signalName, bytes, null)
                                              .map(resumed -> new AgentSignalResult(id, resumed))))
                      .doOnNext(
                          result -> {
                            if (result.agentResumed()) {
                              metrics.resumed();
                            }
                          });
                }));
  }

  // the agent is locked and unfinished: queue the signal (within the limit), then re-evaluate
  private Mono<Boolean> deliver(
      Tx tx, AgentRow agent, UUID id, String name, byte[] value, UUID sender) {
    return tx.agents()
        .queuedSignals(agent.id())
        .flatMap(
            queued ->
                queued >= options.maxQueuedSignals()
                    ? Mono.error(
                        DispatchException.resourceExhausted(
                            "agent "
                                + agent.id()
                                + " holds the most queued signals allowed ("
                                + options.maxQueuedSignals()
                                + ")"))
                    : tx.agents().insertSignal(id, agent.id(), name, value, sender))
        .then(tx.agents().wake(List.of(agent.id()), sender).collectList())
        .flatMap(woken -> announce(tx, woken).thenReturn(!woken.isEmpty()));
  }

  /**
   * ConsumeSignals, once across concurrent callers: by pattern all matching, oldest first; by name
   * only the oldest of that name; with neither, all.
   */
  public Mono<List<AgentSignal>> consumeSignals(
      Scope scope, UUID agentId, String name, String pattern) {
    return guard.mono(
        "consumeSignals",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", agentId);
                  String glob =
                      AgentArguments.text("signal_pattern", pattern, AgentArguments.MAX_NAME);
                  String exact = AgentArguments.text("signal_name", name, AgentArguments.MAX_NAME);
                  boolean byPattern = glob != null && !glob.isEmpty();
                  boolean byName = !byPattern && exact != null && !exact.isEmpty();
                  int all = options.maxQueuedSignals() + 1;
                  return transactor.inTransaction(
                      tx ->
                          found(tx, scope, agentId, true)
                              .thenMany(
                                  tx.agents()
                                      .unconsumed(agentId, byName ? exact : null, byName ? 1 : all))
                              .filter(
                                  signal ->
                                      !byPattern || SignalGlob.of(glob).matches(signal.name()))
                              .collectList()
                              .flatMap(
                                  signals ->
                                      tx.agents()
                                          .consume(signals.stream().map(AgentSignal::id).toList())
                                          .thenReturn(signals)));
                }));
  }

  /** HasSignal: whether an unconsumed signal of exactly that name is queued. */
  public Mono<Boolean> hasSignal(Scope scope, UUID agentId, String name) {
    return guard.mono(
        "hasSignal",
        () ->
            Mono.defer(
                () -> {
                  String signalName = AgentArguments.name("signal_name", name);
                  return read(
                      scope, agentId, (tx, agent) -> tx.agents().hasSignal(agentId, signalName));
                }));
  }

  // --- live data

  /** StreamAgentData: hands the message to the agent's live viewers on this instance. */
  public Mono<Void> streamData(Scope scope, AgentData message) {
    return guard.mono(
        "streamData",
        () ->
            Mono.defer(
                () -> {
                  AgentArguments.present("agent_execution_id", message.agentExecutionId());
                  AgentArguments.text("payload", message.payload(), AgentDataHub.MAX_PAYLOAD);
                  return read(scope, message.agentExecutionId(), (tx, agent) -> Mono.just(agent))
                      .doOnNext(agent -> data.publish(message))
                      .then();
                }));
  }

  /** The agent's live data from now on; NOT_FOUND when the scope cannot see the agent. */
  public Mono<Flux<AgentData>> openData(Scope scope, UUID agentId) {
    return guard.mono(
        "openData", () -> read(scope, agentId, (tx, agent) -> Mono.just(data.subscribe(agentId))));
  }

  // --- children

  /** SpawnChildAgent: a PENDING child of an unfinished parent; emits the child's id. */
  public Mono<UUID> spawnChild(Scope scope, StartAgent request) {
    return guard.mono(
        "spawnChild",
        () ->
            Mono.defer(
                () -> {
                  StartAgent start = validStart(request, true);
                  own(scope, "org_id", start.tenantId());
                  UUID parentId = start.parentExecutionId();
                  String mode = mode(start.persistenceMode());
                  UUID id = UUID.randomUUID();
                  return transactor
                      .inTransaction(
                          tx ->
                              writable(tx, Scope.tenant(start.tenantId()), parentId)
                                  .flatMap(
                                      parent -> {
                                        String queue =
                                            start.queue() == null ? parent.queue() : start.queue();
                                        StartAgent child =
                                            new StartAgent(
                                                start.tenantId(),
                                                start.kind(),
                                                start.input(),
                                                queue,
                                                start.workerPoolId(),
                                                inheritedMetadata(
                                                    start.metadata(), parent.metadata()),
                                                mode,
                                                parentId,
                                                start.maxBudgetTokens(),
                                                start.templateSlug(),
                                                start.traceparent());
                                        return tx.agents()
                                            .insert(id, child, queue, mode)
                                            .then(ready(tx, start.tenantId(), queue))
                                            .thenReturn(id);
                                      }))
                      .doOnNext(child -> metrics.started());
                }));
  }

  /**
   * SendParentSignal: queued on the sender's parent under its name, remembering the sender;
   * delivered false (nothing stored) when the parent has finished.
   */
  public Mono<Boolean> signalParent(
      Scope scope, String orgId, UUID childId, String name, byte[] payload) {
    return guard.mono(
        "signalParent",
        () ->
            Mono.defer(
                () -> {
                  own(scope, "org_id", orgId);
                  AgentArguments.present("child_execution_id", childId);
                  String signalName = AgentArguments.name("signal_name", name);
                  byte[] bytes = signalValue(payload);
                  return transactor.inTransaction(
                      tx ->
                          found(tx, Scope.tenant(orgId), childId, false)
                              .flatMap(
                                  child ->
                                      child.parentExecutionId() == null
                                          ? Mono.error(
                                              DispatchException.failedPrecondition(
                                                  "agent " + childId + " has no parent"))
                                          : tx.agents()
                                              .lock(orgId, child.parentExecutionId(), leaseMs())
                                              .flatMap(
                                                  parent ->
                                                      parent.status().isTerminal()
                                                          ? Mono.just(false)
                                                          : deliver(
                                                                  tx,
                                                                  parent,
                                                                  UUID.randomUUID(),
                                                                  signalName,
                                                                  bytes,
                                                                  childId)
                                                              .thenReturn(true))
                                              .defaultIfEmpty(false)));
                }));
  }

  /** SendChildSignal: queued on a child of the parent; delivered false when it has finished. */
  public Mono<Boolean> signalChild(
      Scope scope, String orgId, UUID parentId, UUID childId, String name, byte[] payload) {
    return guard.mono(
        "signalChild",
        () ->
            Mono.defer(
                () -> {
                  own(scope, "org_id", orgId);
                  AgentArguments.present("parent_execution_id", parentId);
                  AgentArguments.present("child_execution_id", childId);
                  String signalName = AgentArguments.name("signal_name", name);
                  byte[] bytes = signalValue(payload);
                  return transactor.inTransaction(
                      tx ->
                          tx.agents()
                              .lock(orgId, childId, leaseMs())
                              .filter(child -> parentId.equals(child.parentExecutionId()))
                              .switchIfEmpty(Mono.error(() -> notFound(childId)))
                              .flatMap(
                                  child ->
                                      child.status().isTerminal()
                                          ? Mono.just(false)
                                          : deliver(
                                                  tx,
                                                  child,
                                                  UUID.randomUUID(),
                                                  signalName,
                                                  bytes,
                                                  null)
                                              .thenReturn(true)));
                }));
  }

  /** PollChildEvents: one event per listed child that has finished, in request order. */
  public Mono<List<ChildEvent>> childEvents(
      Scope scope, String orgId, UUID parentId, List<UUID> childIds) {
    return guard.mono(
        "childEvents",
        () ->
            Mono.defer(
                () -> {
                  own(scope, "org_id", orgId);
                  List<UUID> ids = AgentArguments.ids("child_execution_ids", childIds);
                  return read(
                      Scope.tenant(orgId),
                      parentId,
                      (tx, parent) ->
                          tx.agents()
                              .childEvents(parentId, ids)
                              .collectList()
                              .flatMap(
                                  events -> {
                                    List<ChildEvent> finished = new ArrayList<>();
                                    for (ChildEvent event : events) {
                                      if (event.childExecutionId() == null) {
                                        return Mono.error(
                                            DispatchException.notFound(
                                                "agent " + event.error() + " not found"));
                                      }
                                      if (event.completed() || event.error() != null) {
                                        finished.add(event);
                                      }
                                    }
                                    return Mono.just(finished);
                                  }));
                }));
  }

  // --- helpers

  /** Runs a read on the agent the scope sees (NOT_FOUND otherwise), renewing a RUNNING lease. */
  private <T> Mono<T> read(
      Scope scope, UUID agentId, java.util.function.BiFunction<Tx, AgentRow, Mono<T>> body) {
    return Mono.defer(
        () -> {
          AgentArguments.present("agent_execution_id", agentId);
          return transactor
              .read(tx -> found(tx, scope, agentId).flatMap(agent -> body.apply(tx, agent)).flux())
              .next();
        });
  }

  private Mono<AgentRow> found(Tx tx, Scope scope, UUID agentId) {
    return tx.agents()
        .find(scope.tenantId(), agentId, leaseMs())
        .switchIfEmpty(Mono.error(() -> notFound(agentId)));
  }

  private Mono<AgentRow> found(Tx tx, Scope scope, UUID agentId, boolean lock) {
    return lock ? locked(tx, scope, agentId) : found(tx, scope, agentId);
  }

  private Mono<AgentRow> locked(Tx tx, Scope scope, UUID agentId) {
    return tx.agents()
        .lock(scope.tenantId(), agentId, leaseMs())
        .switchIfEmpty(Mono.error(() -> notFound(agentId)));
  }

  // locked, and not finished: writes to a finished agent are refused
  private Mono<AgentRow> writable(Tx tx, Scope scope, UUID agentId) {
    return locked(tx, scope, agentId)
        .flatMap(
            agent ->
                agent.status().isTerminal()
                    ? Mono.error(
                        DispatchException.failedPrecondition(
                            "agent " + agentId + " is " + agent.status()))
                    : Mono.just(agent));
  }

  private static Mono<Void> ready(Tx tx, String tenant, String queue) {
    return tx.notifier()
        .notify(Set.of(new WorkSignal(WorkSignal.Kind.AGENT, tenant, queue).payload()));
  }

  static Mono<Void> announce(Tx tx, List<AgentStore.Ready> woken) {
    if (woken.isEmpty()) {
      return Mono.empty();
    }
    Set<String> payloads = new LinkedHashSet<>();
    for (AgentStore.Ready agent : woken) {
      payloads.add(
          new WorkSignal(WorkSignal.Kind.AGENT, agent.tenantId(), agent.queue()).payload());
    }
    return tx.notifier().notify(payloads);
  }

  private static DispatchException notFound(UUID agentId) {
    return DispatchException.notFound("agent " + agentId + " not found");
  }

  /** PERMISSION_DENIED naming {@code field} when the scope is limited to another tenant. */
  static void own(Scope scope, String field, String tenantId) {
    AgentArguments.name(field, tenantId);
    if (!scope.sees(tenantId)) {
      throw DispatchException.permissionDenied(field);
    }
  }

  private byte[] signalValue(byte[] value) {
    byte[] bytes = value == null || value.length == 0 ? NULL_JSON : value;
    return AgentArguments.bytes("signal_value", bytes, options.maxSignalBytes());
  }

  private StartAgent validStart(StartAgent request, boolean child) {
    AgentArguments.present("request", request);
    String tenant = AgentArguments.name(child ? "org_id" : "tenant_id", request.tenantId());
    String kind = AgentArguments.name(child ? "agent_kind" : "kind", request.kind());
    byte[] input = AgentArguments.bytes("input", request.input(), options.maxTaskInputBytes());
    String queue = AgentArguments.optionalName("queue", request.queue());
    String pool = AgentArguments.optionalName("worker_pool_id", request.workerPoolId());
    byte[] metadata =
        AgentArguments.bytes(
            "metadata",
            request.metadata() == null ? new byte[0] : request.metadata(),
            AgentArguments.MAX_TEXT);
    if (child) {
      AgentArguments.present("parent_execution_id", request.parentExecutionId());
    }
    return new StartAgent(
        tenant,
        kind,
        input,
        queue,
        pool,
        metadata,
        request.persistenceMode(),
        request.parentExecutionId(),
        request.maxBudgetTokens(),
        AgentArguments.text("template_slug", request.templateSlug(), AgentArguments.MAX_NAME),
        request.traceparent());
  }

  private static String mode(String requested) {
    if (requested == null || requested.isEmpty()) {
      return "REMOTE";
    }
    String upper = requested.toUpperCase(Locale.ROOT);
    if (!upper.equals("REMOTE") && !upper.equals("LOCAL")) {
      throw DispatchException.invalidArgument("mode must be REMOTE or LOCAL");
    }
    return upper;
  }

  private NewAgentEntry validEntry(NewAgentEntry request) {
    AgentArguments.present("request", request);
    AgentArguments.present("agent_execution_id", request.agentExecutionId());
    String type = AgentArguments.name("entry_type", request.entryType());
    if (type.length() > 64) {
      throw DispatchException.invalidArgument("entry_type must be at most 64 characters");
    }
    String role = AgentArguments.text("role", request.role(), 64);
    return new NewAgentEntry(
        request.agentExecutionId(),
        AgentArguments.text("parent_id", request.parentId(), AgentArguments.MAX_NAME),
        type.toLowerCase(Locale.ROOT),
        role,
        AgentArguments.bytes(
            "content",
            request.content() == null ? new byte[0] : request.content(),
            options.maxEntryBytes()),
        AgentArguments.text("turn_id", request.turnId(), AgentArguments.MAX_NAME),
        request.tokenUsage(),
        AgentArguments.optionalName("idempotency_key", request.idempotencyKey()));
  }

  private static AgentWait validWait(AgentWait wait) {
    if (wait == null || wait.kind() == null) {
      throw DispatchException.invalidArgument("wait_condition must be set");
    }
    if (wait.kind() == AgentWait.Kind.SIGNAL) {
      AgentArguments.name("wait_for_signal", wait.signalName());
    } else {
      AgentArguments.ids(
          switch (wait.kind()) {
            case TASKS_ALL, TASKS_ANY -> "wait_for_tasks.task_ids";
            case CHILD_ANY -> "wait_for_child_event.child_execution_ids";
            default -> "wait_for_all_children.child_execution_ids";
          },
          wait.ids());
    }
    AgentArguments.text("reason", wait.reason(), AgentArguments.MAX_TEXT);
    return wait;
  }

  /**
   * The child's metadata with the parent's {@code session_default_queue} copied in when the child
   * does not set one (the SDK reads it from the claimed agent's metadata).
   */
  static byte[] inheritedMetadata(byte[] child, byte[] parent) {
    String inherited = stringField(parent, "session_default_queue");
    if (inherited == null || stringField(child, "session_default_queue") != null) {
      return child;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.writeStartObject();
      generator.writeStringField("session_default_queue", inherited);
      if (child.length > 0) {
        try (JsonParser parser = JSON.createParser(child)) {
          if (parser.nextToken() == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              generator.writeFieldName(parser.currentName());
              parser.nextToken();
              generator.copyCurrentStructure(parser);
            }
          }
        }
      }
      generator.writeEndObject();
    } catch (IOException e) {
      // metadata that is not a JSON object is kept as the child gave it
      return child;
    }
    return out.toByteArray();
  }

  private static String stringField(byte[] json, String field) {
    if (json == null || json.length == 0) {
      return null;
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals(field) && value == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
