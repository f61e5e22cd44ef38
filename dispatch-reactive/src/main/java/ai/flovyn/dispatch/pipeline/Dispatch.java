package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.QueryResult;
import ai.flovyn.dispatch.domain.RegisteredWorker;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SignalResult;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartChild;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.SubmittedTask;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.domain.TaskLogLine;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.NotificationListener;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The dispatch pipeline as an embeddable Reactor library: start workflows, apply command batches
 * (creating tasks under client-generated ids), poll and finish work, read event logs. Everything is
 * non-blocking and lazy: nothing happens until the returned publisher is subscribed. Errors are
 * {@link DispatchException}s whose {@link DispatchException#kind() kind} says what to do.
 *
 * <p>Every call that addresses or lists objects takes the caller's {@link Scope} first: a request
 * naming a tenant other than the scope's is PERMISSION_DENIED (naming the field), and an object of
 * another tenant is NOT_FOUND exactly as one that does not exist (the same statement simply does
 * not find it).
 *
 * <p>The database must carry the schema of the {@code migrations} module. Unless disabled in the
 * options, a running instance holds one connection in LISTEN (to wake long polls, also for work
 * other instances create) and runs the maintenance services (timers, leases, promise timeouts,
 * retention) in the background: {@link #close()} it.
 */
public final class Dispatch implements AutoCloseable {
  private final Transactor transactor;
  private final CommandBatchPipeline batches;
  private final StartWorkflowPipeline starts;
  private final SubmitTaskPipeline submits;
  private final TaskLifecycle tasks;
  private final Polls polls;
  private final DispatchOptions options;
  private final Promises promises;
  private final Signals signalsOfWorkflows;
  private final Queries queries;
  private final Sweeper sweeper;
  private final NotificationListener listener;
  private final Flux<WorkSignal> signals;
  private final Sinks.Empty<Void> closing = Sinks.empty();
  // worker lifecycle, task state, task logs, live task data and lease renewal (SDK contract)
  private final LeaseRenewal leases;
  private final Workers workers;
  private final TaskStates taskStates;
  private final TaskLogs taskLogs;
  private final TaskDataHub taskData;

  private Dispatch(Builder builder) {
    DispatchOptions options = builder.options;
    this.transactor = new Transactor(builder.connections, new Announcer(builder.connections));
    DispatchMetrics metrics = new DispatchMetrics(builder.registry);
    this.sweeper = new Sweeper(transactor, options, metrics, builder.clock);
    if (options.background()) {
      this.listener =
          NotificationListener.start(
              builder.listenConnections,
              builder.listenerCheckInterval,
              builder.listenerCheckTimeout);
      metrics.watchListener(listener);
      this.signals = listener.signals();
      sweeper.start();
    } else {
      this.listener = null;
      this.signals = Flux.never();
    }
    this.batches = new CommandBatchPipeline(transactor, metrics, options, sweeper);
    this.starts = new StartWorkflowPipeline(transactor, options.maxHistoryBytes());
    this.submits = new SubmitTaskPipeline(transactor, metrics);
    this.tasks = new TaskLifecycle(transactor, options, metrics, sweeper);
    this.polls = new Polls(transactor, signals, closing.asMono(), options, metrics, sweeper);
    this.options = options;
    this.promises = new Promises(transactor, options.maxHistoryBytes());
    this.signalsOfWorkflows = new Signals(transactor, starts, options.maxHistoryBytes());
    this.queries = new Queries(transactor);
    this.leases = new LeaseRenewal(transactor, options.taskLease(), builder.registry);
    this.workers = new Workers(transactor, leases, builder.registry);
    this.taskStates = new TaskStates(transactor);
    this.taskLogs = new TaskLogs(transactor, options.taskLogLines(), leases, builder.registry);
    this.taskData = new TaskDataHub(transactor, leases, builder.registry);
    if (options.background()) {
      leases.start();
    }
  }

  /** A pipeline over {@code connections} (ideally an r2dbc-pool) with default options. */
  public static Dispatch create(ConnectionFactory connections) {
    return builder(connections).build();
  }

  /** A pipeline over {@code connections} recording its metrics in {@code registry}. */
  public static Dispatch create(ConnectionFactory connections, MeterRegistry registry) {
    return builder(connections).meterRegistry(registry).build();
  }

  /** A builder over {@code connections}. */
  public static Builder builder(ConnectionFactory connections) {
    return new Builder(connections);
  }

  /** Starts a workflow (PENDING, with its WORKFLOW_STARTED event); emits its id. */
  public Mono<StartedWorkflow> startWorkflow(Scope scope, StartWorkflow request) {
    return Tenancy.own(scope, "tenant_id", request.tenantId()).then(starts.start(request));
  }

  /**
   * Starts a child of {@code request.parentWorkflowExecutionId()} under a server-made id, recording
   * nothing in the parent's log; emits the child's id.
   */
  public Mono<UUID> startChildWorkflow(Scope scope, StartChild request) {
    return Tenancy.own(scope, "tenant_id", request.tenantId()).then(starts.startChild(request));
  }

  /**
   * Appends SIGNAL_RECEIVED to a running workflow of the tenant and wakes it; emits the event's
   * sequence number. NOT_FOUND for an unknown workflow (also another tenant's), FAILED_PRECONDITION
   * for a finished one.
   */
  public Mono<SignalResult> signalWorkflow(
      Scope scope,
      String tenantId,
      UUID workflowExecutionId,
      String signalName,
      byte[] signalValue) {
    return Tenancy.own(scope, "tenant_id", tenantId)
        .then(signalsOfWorkflows.signal(tenantId, workflowExecutionId, signalName, signalValue));
  }

  /**
   * Signals the live workflow the business key names, creating it first when there is none; at most
   * one workflow per key, also under concurrent calls.
   */
  public Mono<SignalResult> signalWithStartWorkflow(Scope scope, SignalWithStart request) {
    return Tenancy.own(scope, "tenant_id", request.tenantId())
        .then(signalsOfWorkflows.signalWithStart(request));
  }

  /**
   * Answers a query from the workflow's stored state: a state key, or {@code __state}, {@code
   * __status}, {@code __result}; an unknown name answers with an error text. NOT_FOUND for an
   * unknown workflow.
   */
  public Mono<QueryResult> queryWorkflow(Scope scope, UUID workflowExecutionId, String queryName) {
    return queries.query(scope, workflowExecutionId, queryName);
  }

  /** Applies a command batch in one transaction, all or nothing; emits what it did. */
  public Mono<BatchResult> submitCommands(Scope scope, CommandBatch batch) {
    return batches.submit(scope, batch);
  }

  /** Creates a task under a server-generated id (the deprecated two-step path). */
  public Mono<SubmittedTask> submitTask(Scope scope, SubmitTask request) {
    return Tenancy.own(scope, "tenant_id", request.tenantId()).then(submits.submit(request));
  }

  /** Emits the workflow's events in sequence order; errors with NOT_FOUND for an unknown one. */
  public Flux<WorkflowEvent> events(Scope scope, UUID workflowExecutionId) {
    return transactor.read(
        tx ->
            tx.workflows()
                .tenantQueueTrace(scope.tenantId(), workflowExecutionId)
                .switchIfEmpty(
                    Mono.error(
                        () ->
                            DispatchException.notFound(
                                "workflow " + workflowExecutionId + " not found")))
                .thenMany(tx.events().list(workflowExecutionId)));
  }

  /**
   * Long-polls the next PENDING workflow of (tenant, queue) among {@code kinds} (empty: any); emits
   * it claimed (RUNNING) for the worker, or completes empty after {@code timeout}.
   */
  public Mono<ClaimedWorkflow> pollWorkflow(
      Scope scope,
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    // a poll refused for its tenant is no sign of life of anything: the check comes first
    return Tenancy.own(scope, "tenant_id", tenantId)
        .then(
            Polls.filters(workerPoolId, kinds)
                .then(polls.workflow(tenantId, queue, kinds, workerPoolId, workerId, timeout))
                .doOnSubscribe(
                    subscription -> leases.workerSeen(Tenancy.of(scope, tenantId), workerId)));
  }

  /** Long-polls the next ready task of (tenant, queue); empty after {@code timeout}. */
  public Mono<ClaimedTask> pollTask(
      Scope scope,
      String tenantId,
      String queue,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return Tenancy.own(scope, "tenant_id", tenantId)
        .then(
            Polls.filters(workerPoolId, List.of())
                .then(polls.task(tenantId, queue, workerPoolId, workerId, timeout))
                .doOnSubscribe(
                    subscription -> leases.workerSeen(Tenancy.of(scope, tenantId), workerId)));
  }

  /** Completes a RUNNING task (TASK_COMPLETED resumes its workflow). */
  public Mono<Void> completeTask(Scope scope, UUID taskId, byte[] output) {
    return tasks.complete(scope, taskId, output);
  }

  /** Fails the task's current attempt (retried while attempts remain). */
  public Mono<Void> failTask(Scope scope, UUID taskId, String error) {
    return tasks.fail(scope, taskId, error);
  }

  /** Cancels a PENDING or RUNNING task. */
  public Mono<Void> cancelTask(Scope scope, UUID taskId) {
    return tasks.cancel(scope, taskId);
  }

  /** Records a heartbeat of a RUNNING task; FAILED_PRECONDITION tells the worker to stop. */
  public Mono<Void> heartbeat(Scope scope, UUID taskId) {
    return tasks.heartbeat(scope, taskId, null, null);
  }

  /** Records progress (0..1) of a RUNNING task; counts as a heartbeat. */
  public Mono<Void> reportProgress(Scope scope, UUID taskId, double progress, String details) {
    return tasks.heartbeat(scope, taskId, progress, details);
  }

  /** Resolves a promise by its global id ({@code <workflow id>:<promise id>}). */
  public Mono<Void> resolvePromise(Scope scope, String promiseId, byte[] value) {
    return promises.resolve(scope, promiseId, value);
  }

  /** Rejects a promise by its global id. */
  public Mono<Void> rejectPromise(Scope scope, String promiseId, String error) {
    return promises.reject(scope, promiseId, error);
  }

  // --- worker lifecycle, task state, task logs and live task data (SDK contract §1, §4.5-§4.7)

  /**
   * Registers a worker process under a fresh id, which it emits; never refused for its name.
   * Polling does not depend on registrations.
   */
  public Mono<UUID> registerWorker(Scope scope, WorkerRegistration registration) {
    return Tenancy.own(scope, "tenant_id", registration.tenantId())
        .then(workers.register(registration));
  }

  /**
   * Refreshes a registration's last-seen time (an unknown id is no error); keeps the leases of the
   * tasks held under its id or name alive.
   */
  public Mono<Void> workerHeartbeat(
      Scope scope, UUID workerId, List<String> workflowKinds, List<String> taskKinds) {
    return workers.heartbeat(scope, workerId, workflowKinds, taskKinds);
  }

  /** The tenant's worker registrations, most recently seen first (at most 1000). */
  public Flux<RegisteredWorker> listWorkers(Scope scope, String tenantId) {
    return Tenancy.own(scope, "tenant_id", tenantId).thenMany(workers.list(tenantId));
  }

  /** Emits a task's state value of {@code key}, empty Optional when unset; NOT_FOUND: no task. */
  public Mono<Optional<byte[]>> getTaskState(Scope scope, UUID taskId, String key) {
    return taskStates.get(scope, taskId, key);
  }

  /** Sets a task's state {@code key} to a JSON value (INVALID_ARGUMENT when not JSON). */
  public Mono<Void> setTaskState(Scope scope, UUID taskId, String key, byte[] value) {
    return taskStates.set(scope, taskId, key, value);
  }

  /** Clears one key of a task's state (absent is fine). */
  public Mono<Void> clearTaskState(Scope scope, UUID taskId, String key) {
    return taskStates.clear(scope, taskId, key);
  }

  /** Clears every key of a task's state. */
  public Mono<Void> clearAllTaskState(Scope scope, UUID taskId) {
    return taskStates.clearAll(scope, taskId);
  }

  /** Emits the keys of a task's state, in no particular order. */
  public Mono<List<String>> taskStateKeys(Scope scope, UUID taskId) {
    return taskStates.keys(scope, taskId);
  }

  /** Stores a log line of a task (bounded; lines past the per-task cap are dropped). */
  public Mono<Void> logMessage(Scope scope, UUID taskId, String level, String message) {
    return taskLogs.append(scope, taskId, level, message);
  }

  /** A task's log lines after {@code afterId}, oldest first, at most {@code limit} (0: 100). */
  public Mono<List<TaskLogLine>> taskLogs(Scope scope, UUID taskId, long afterId, int limit) {
    return taskLogs.list(scope, taskId, afterId, limit);
  }

  /**
   * Hands live task data to this instance's subscribers of its task and workflow; never waits. A
   * scope limited to one tenant reaches only that tenant's subscribers.
   */
  public Mono<Void> streamTaskData(Scope scope, TaskData data) {
    return Mono.fromRunnable(() -> taskData.publish(scope, data));
  }

  /**
   * Emits, once the task is known to exist (NOT_FOUND otherwise), the feed of its live data on this
   * instance: following starts when the feed is subscribed, and the feed completes on {@link
   * #stopSubscriptions()} or {@link #close()}.
   */
  public Mono<Flux<TaskData>> openTaskData(Scope scope, UUID taskId) {
    return taskData.openTask(scope, taskId).map(feed -> feed.takeUntilOther(closing.asMono()));
  }

  /** Like {@link #openTaskData(Scope, UUID)} for the live data of every task of a workflow. */
  public Mono<Flux<TaskData>> openWorkflowTaskData(Scope scope, UUID workflowId) {
    return taskData
        .openWorkflow(scope, workflowId)
        .map(feed -> feed.takeUntilOther(closing.asMono()));
  }

  // --- end of the SDK-contract block

  /**
   * Emits a signal each time work may have appeared on (tenant, queue); completes on {@link
   * #stopSubscriptions()} or {@link #close()}; errors only with PERMISSION_DENIED when {@code
   * tenantId} is not the scope's.
   */
  public Flux<WorkSignal> workSignals(Scope scope, String tenantId, String queue) {
    return Tenancy.own(scope, "tenant_id", tenantId)
        .thenMany(signals)
        .filter(
            signal ->
                signal == WorkSignal.ANY
                    || (tenantId.equals(signal.tenantId()) && queue.equals(signal.queue())))
        .onBackpressureLatest()
        .takeUntilOther(closing.asMono());
  }

  /**
   * Starts a graceful stop: completes every {@link #workSignals} stream (subscribers move to
   * another instance), answers waiting long polls empty at once, and completes {@link #stopping()}.
   */
  public void stopSubscriptions() {
    closing.tryEmitEmpty();
  }

  /** Completes when a graceful stop begins ({@link #stopSubscriptions()} or {@link #close()}). */
  public Mono<Void> stopping() {
    return closing.asMono();
  }

  /**
   * Runs one batch of every maintenance chore now, by the configured clock (timers, task leases,
   * workflow leases, promise timeouts, announcements, retention); emits the items each handled. The
   * background services do this on their own; tests move the clock and call it.
   */
  public Mono<java.util.Map<String, Integer>> runMaintenance() {
    return sweeper.runOnce();
  }

  /** Stops the listener and the sweeper; the connection factory is the caller's to close. */
  @Override
  public void close() {
    stopSubscriptions();
    sweeper.close();
    leases.close();
    if (listener != null) {
      listener.close();
    }
  }

  /** Builds a {@link Dispatch}. */
  public static final class Builder {
    private final ConnectionFactory connections;
    private ConnectionFactory listenConnections;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private DispatchOptions options = DispatchOptions.defaults();
    private Duration listenerCheckInterval = NotificationListener.DEFAULT_CHECK_INTERVAL;
    private Duration listenerCheckTimeout = NotificationListener.DEFAULT_CHECK_TIMEOUT;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    private Builder(ConnectionFactory connections) {
      this.connections = connections;
      this.listenConnections = connections;
    }

    /** Where to record metrics (default: nowhere visible). */
    public Builder meterRegistry(MeterRegistry value) {
      this.registry = value;
      return this;
    }

    /**
     * Where to take the one long-lived LISTEN connection from (default: the main connection
     * factory, which then lends one connection for good).
     */
    public Builder listenConnections(ConnectionFactory value) {
      this.listenConnections = value;
      return this;
    }

    /**
     * How often the LISTEN connection runs a check statement (default 15 s) and how long the check
     * may take (default 5 s) before the connection is replaced by a new one.
     */
    public Builder listenerCheck(Duration interval, Duration timeout) {
      this.listenerCheckInterval = interval;
      this.listenerCheckTimeout = timeout;
      return this;
    }

    public Builder options(DispatchOptions value) {
      this.options = value;
      return this;
    }

    /** The clock the maintenance services read "now" from (default: the system's). */
    public Builder clock(java.time.Clock value) {
      this.clock = value;
      return this;
    }

    public Dispatch build() {
      return new Dispatch(this);
    }
  }
}
