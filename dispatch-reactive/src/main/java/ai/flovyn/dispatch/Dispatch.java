package ai.flovyn.dispatch;

import ai.flovyn.dispatch.agent.AgentChores;
import ai.flovyn.dispatch.agent.AgentDataHub;
import ai.flovyn.dispatch.agent.AgentMetrics;
import ai.flovyn.dispatch.agent.AgentViews;
import ai.flovyn.dispatch.agent.Agents;
import ai.flovyn.dispatch.batch.CommandBatchPipeline;
import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentSignalRecord;
import ai.flovyn.dispatch.domain.AgentSignalResult;
import ai.flovyn.dispatch.domain.AgentTask;
import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
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
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkAvailable;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.maintenance.LeaseRenewal;
import ai.flovyn.dispatch.maintenance.LeaseRenewalChore;
import ai.flovyn.dispatch.maintenance.MaintenanceService;
import ai.flovyn.dispatch.maintenance.Sweeper;
import ai.flovyn.dispatch.operator.Details;
import ai.flovyn.dispatch.operator.Lists;
import ai.flovyn.dispatch.poll.Polls;
import ai.flovyn.dispatch.poll.TaskConsumer;
import ai.flovyn.dispatch.poll.Workers;
import ai.flovyn.dispatch.query.AgentFilter;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.query.QueueStats;
import ai.flovyn.dispatch.query.StatusCounts;
import ai.flovyn.dispatch.query.TaskFilter;
import ai.flovyn.dispatch.query.TaskSummary;
import ai.flovyn.dispatch.query.WorkflowFilter;
import ai.flovyn.dispatch.query.WorkflowSummary;
import ai.flovyn.dispatch.store.AgentViewStore;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.NotificationListener;
import ai.flovyn.dispatch.store.StartupCheck;
import ai.flovyn.dispatch.store.StoreErrors;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.support.Arguments;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.support.Lifecycle;
import ai.flovyn.dispatch.support.Tenancy;
import ai.flovyn.dispatch.support.Tracing;
import ai.flovyn.dispatch.task.SubmitTaskPipeline;
import ai.flovyn.dispatch.task.TaskDataHub;
import ai.flovyn.dispatch.task.TaskLifecycle;
import ai.flovyn.dispatch.task.TaskLogs;
import ai.flovyn.dispatch.task.TaskStates;
import ai.flovyn.dispatch.workflow.Cancels;
import ai.flovyn.dispatch.workflow.Promises;
import ai.flovyn.dispatch.workflow.Queries;
import ai.flovyn.dispatch.workflow.Signals;
import ai.flovyn.dispatch.workflow.StartWorkflowPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>Lifecycle: {@link Builder#start()} checks that the database answers and carries the schema
 * before anything runs in the background. {@link #closeGracefully(Duration)} (or the blocking
 * {@link #close()}) refuses new calls, answers waiting long polls empty, waits for the calls in
 * progress and then stops the background services. A call made after closing began fails with
 * {@link ai.flovyn.dispatch.domain.ErrorKind#FAILED_PRECONDITION FAILED_PRECONDITION}: retrying on
 * this instance cannot succeed.
 *
 * <p>Arguments are never thrown at: a missing one fails the returned publisher with {@link
 * ai.flovyn.dispatch.domain.ErrorKind#INVALID_ARGUMENT INVALID_ARGUMENT} naming the field. An
 * {@link ai.flovyn.dispatch.domain.ErrorKind#INTERNAL INTERNAL} error is logged once, with its
 * cause, by this class (logger {@code ai.flovyn.dispatch.Dispatch}).
 */
public final class Dispatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatch.class);
  // INTERNAL errors already logged: a nested call's error passes the outer call's mapping too
  private static final java.util.Set<Throwable> LOGGED =
      java.util.Collections.newSetFromMap(
          java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>()));

  /** How long {@link #close()} waits for calls in progress when the builder does not say: 30 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

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
  // worker lifecycle, task state, task logs, live task data and lease renewal
  // (docs/sdk-compatibility.md)
  private final LeaseRenewal leases;
  private final MaintenanceService leaseRenewal;
  private final Workers workers;
  private final TaskStates taskStates;
  private final TaskLogs taskLogs;
  private final TaskDataHub taskData;
  // durable agents (docs/agents.md)
  private final Agents agents;
  private final AgentViews agentViews;
  // calls in progress, and the refusal of new ones once closing began
  private final Lifecycle lifecycle = new Lifecycle();
  private final Duration closeTimeout;
  private final java.time.Clock clock;

  private Dispatch(Builder builder) {
    DispatchOptions options = builder.options;
    this.closeTimeout = builder.closeTimeout;
    this.clock = builder.clock;
    this.transactor = new Transactor(builder.connections, new Announcer(builder.connections));
    DispatchMetrics metrics =
        new DispatchMetrics(builder.registry, Tracing.of(builder.openTelemetry, null));
    AgentMetrics agentMetrics = new AgentMetrics(builder.registry);
    this.sweeper =
        new Sweeper(
            transactor,
            options,
            metrics,
            builder.clock,
            new AgentChores(transactor, builder.agentOptions, agentMetrics));
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
    this.tasks = new TaskLifecycle(transactor, options, metrics, sweeper, builder.clock);
    this.polls = new Polls(transactor, signals, closing.asMono(), options, metrics, sweeper);
    this.options = options;
    this.promises = new Promises(transactor, options.maxHistoryBytes());
    this.signalsOfWorkflows = new Signals(transactor, starts, options.maxHistoryBytes());
    this.queries = new Queries(transactor);
    this.leases = new LeaseRenewal(transactor, options.taskLease(), builder.registry);
    // every flush interval, and after a failed flush the next interval
    this.leaseRenewal =
        new MaintenanceService(
            new LeaseRenewalChore(leases),
            Integer.MAX_VALUE,
            leases.flushInterval(),
            leases.flushInterval(),
            builder.clock,
            metrics);
    this.workers = new Workers(transactor, leases, builder.registry);
    this.taskStates = new TaskStates(transactor);
    this.taskLogs = new TaskLogs(transactor, options.taskLogLines(), leases, builder.registry);
    this.taskData = new TaskDataHub(transactor, leases, builder.registry);
    this.agents =
        new Agents(
            transactor,
            builder.agentOptions,
            agentMetrics,
            new AgentDataHub(builder.registry),
            sweeper::dueIn,
            new Agents.Guard() {
              @Override
              public <T> Mono<T> mono(String operation, Supplier<Mono<T>> body) {
                return call(operation, body);
              }

              @Override
              public <T> Flux<T> flux(String operation, Supplier<Flux<T>> body) {
                return callMany(operation, body);
              }
            });
    this.agentViews = new AgentViews(transactor);
    if (options.background()) {
      leaseRenewal.start();
    }
  }

  /**
   * A pipeline over {@code connections} (ideally an r2dbc-pool, e.g. from {@link
   * DispatchDatabase#pool}) with default options, started without a database check; prefer {@code
   * builder(connections).start()}.
   *
   * @param connections where every call takes its connections from; the caller closes it after this
   *     instance
   * @return a running pipeline with {@link DispatchOptions#defaults()} and background services
   *     started
   */
  public static Dispatch create(ConnectionFactory connections) {
    return builder(connections).build();
  }

  /**
   * A pipeline over {@code connections} recording its metrics in {@code registry}.
   *
   * @param connections where every call takes its connections from; the caller closes it after this
   *     instance
   * @param registry where the pipeline's counters, timers and gauges are registered
   * @return a running pipeline with {@link DispatchOptions#defaults()} and background services
   *     started
   */
  public static Dispatch create(ConnectionFactory connections, MeterRegistry registry) {
    return builder(connections).meterRegistry(registry).build();
  }

  /**
   * A builder over {@code connections}.
   *
   * @param connections where every call takes its connections from (ideally a pool); the caller
   *     closes it after the built instance
   * @return a builder with default options, metrics in a private registry and a 30 s close timeout
   */
  public static Builder builder(ConnectionFactory connections) {
    return new Builder(connections);
  }

  /**
   * Starts a workflow (PENDING, with its WORKFLOW_STARTED event); emits its id.
   *
   * @param scope the caller's tenant; {@code request.tenantId()} must be it
   * @param request the workflow to start; an idempotency key already used returns the first start
   * @return a Mono emitting the workflow's id (for a repeated idempotency key, the first start's)
   *     and whether a key was used and new; errors with INVALID_ARGUMENT naming a missing or
   *     malformed field, PERMISSION_DENIED for another tenant
   */
  public Mono<StartedWorkflow> startWorkflow(Scope scope, StartWorkflow request) {
    return call(
        "startWorkflow",
        () -> {
          StartWorkflow valid = Arguments.start(request);
          return own(scope, valid.tenantId()).then(starts.start(valid));
        });
  }

  /**
   * Starts a child of {@code request.parentWorkflowExecutionId()} under a server-made id, recording
   * nothing in the parent's log; emits the child's id.
   *
   * @param scope the caller's tenant; {@code request.tenantId()} must be it
   * @param request the child to start and the parent it belongs to
   * @return a Mono emitting the child's server-made id; errors with INVALID_ARGUMENT naming a
   *     missing field, PERMISSION_DENIED for another tenant, NOT_FOUND for an unknown parent
   */
  public Mono<UUID> startChildWorkflow(Scope scope, StartChild request) {
    return call(
        "startChildWorkflow",
        () -> {
          StartChild valid = Arguments.child(request);
          return own(scope, valid.tenantId()).then(starts.startChild(valid));
        });
  }

  /**
   * Appends SIGNAL_RECEIVED to a running workflow of the tenant and wakes it; emits the event's
   * sequence number. NOT_FOUND for an unknown workflow (also another tenant's), FAILED_PRECONDITION
   * for a finished one.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant the workflow belongs to
   * @param workflowExecutionId the workflow to signal; must not be null
   * @param signalName the name the workflow's code waits on (a name: non-empty, bounded)
   * @param signalValue the signal's payload, stored as given; must not be null (empty is fine)
   * @return a Mono emitting the SIGNAL_RECEIVED event's sequence number; errors with NOT_FOUND,
   *     FAILED_PRECONDITION, or RESOURCE_EXHAUSTED when the history would pass its byte limit
   */
  public Mono<SignalResult> signalWorkflow(
      Scope scope,
      String tenantId,
      UUID workflowExecutionId,
      String signalName,
      byte[] signalValue) {
    return call(
        "signalWorkflow",
        () -> {
          Arguments.present("workflow_execution_id", workflowExecutionId);
          Arguments.present("signal_value", signalValue);
          return own(scope, tenantId)
              .then(
                  signalsOfWorkflows.signal(
                      tenantId, workflowExecutionId, signalName, signalValue));
        });
  }

  /**
   * Signals the live workflow the business key names, creating it first when there is none; at most
   * one workflow per key, also under concurrent calls.
   *
   * @param scope the caller's tenant; {@code request.tenantId()} must be it
   * @param request the signal, the business key and the workflow to start when none is live
   * @return a Mono emitting the signalled workflow's id, whether this call created it, and the
   *     signal's sequence number; errors with INVALID_ARGUMENT naming a missing field
   */
  public Mono<SignalResult> signalWithStartWorkflow(Scope scope, SignalWithStart request) {
    return call(
        "signalWithStartWorkflow",
        () -> {
          SignalWithStart valid = Arguments.signalWithStart(request);
          return own(scope, valid.tenantId()).then(signalsOfWorkflows.signalWithStart(valid));
        });
  }

  /**
   * Cancels a workflow from outside, as an operator: its log ends with WORKFLOW_CANCELLED {reason},
   * it becomes CANCELLED (also when a worker holds its claim: that worker's next command batch is
   * refused as for any finished workflow), its PENDING tasks are cancelled, and a parent it is the
   * child of gets CHILD_WORKFLOW_FAILED and is woken. With {@code cascade}, its unfinished children
   * are cancelled too, and theirs, down to the last. One transaction; a finished workflow is left
   * as it is.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow to cancel; must not be null
   * @param reason why, recorded in the WORKFLOW_CANCELLED event and as the workflow's error (at
   *     most 32 KiB); null or blank records "cancelled by an operator"
   * @param cascade whether its unfinished descendants are cancelled with it
   * @return a Mono emitting CANCELLED with how many descendants it cancelled, or ALREADY_TERMINAL
   *     (nothing written) for a workflow that had finished; errors with NOT_FOUND for an unknown
   *     workflow or one of another tenant, INVALID_ARGUMENT naming a missing argument or a reason
   *     over the limit
   */
  public Mono<ai.flovyn.dispatch.domain.CancelResult> cancelWorkflow(
      Scope scope, UUID workflowExecutionId, String reason, boolean cascade) {
    return call(
        "cancelWorkflow",
        () ->
            new Cancels(transactor)
                .cancel(
                    present(scope),
                    Arguments.present("workflow_execution_id", workflowExecutionId),
                    reason,
                    cascade));
  }

  /**
   * Cancels each of the scope's workflows {@code ids} names as {@link #cancelWorkflow} does, with
   * cascade, each in its own transaction (so a failure part way leaves those before it cancelled);
   * unknown ids, other tenants' and finished workflows are skipped.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param ids the workflows to cancel, at most 10,000 (e.g. from {@link #matchingWorkflowIds});
   *     must not be null nor hold null
   * @param reason why, as {@link #cancelWorkflow} takes it; null or blank records "cancelled by an
   *     operator"
   * @return a Mono emitting how many of {@code ids} this call cancelled (their descendants not
   *     counted); errors with INVALID_ARGUMENT for more than 10,000 ids, a missing argument or a
   *     reason over the limit
   */
  public Mono<Integer> cancelWorkflows(Scope scope, List<UUID> ids, String reason) {
    return call(
        "cancelWorkflows",
        () ->
            new Cancels(transactor)
                .cancelAll(present(scope), Arguments.elements("ids", ids), reason));
  }

  /**
   * Answers a query from the workflow's stored state: a state key, or {@code __state}, {@code
   * __status}, {@code __result}; an unknown name answers with an error text. NOT_FOUND for an
   * unknown workflow.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow to read; must not be null
   * @param queryName a state key or one of the reserved names above; must not be null
   * @return a Mono emitting the answer (a value, or an error text for an unknown name); errors with
   *     NOT_FOUND for an unknown workflow or one of another tenant
   */
  public Mono<QueryResult> queryWorkflow(Scope scope, UUID workflowExecutionId, String queryName) {
    return call(
        "queryWorkflow",
        () ->
            queries.query(
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId),
                Arguments.present("query_name", queryName)));
  }

  /**
   * Applies a command batch in one transaction, all or nothing; emits what it did.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param batch the commands of one workflow task, with the sequence number they expect to follow
   * @return a Mono emitting whether the batch was a replay, how many tasks it created or matched,
   *     how many events it appended and the workflow's status after it; errors with
   *     INVALID_ARGUMENT naming the command and field at fault, NOT_FOUND for an unknown workflow,
   *     and leaves nothing written on any error
   */
  public Mono<BatchResult> submitCommands(Scope scope, CommandBatch batch) {
    return call("submitCommands", () -> batches.submit(present(scope), Arguments.batch(batch)));
  }

  /**
   * Creates a task under a server-generated id (the deprecated two-step path).
   *
   * @param scope the caller's tenant; {@code request.tenantId()} must be it
   * @param request the task to create
   * @return a Mono emitting the new task's server-generated id; errors with INVALID_ARGUMENT naming
   *     a missing field, PERMISSION_DENIED for another tenant
   */
  public Mono<SubmittedTask> submitTask(Scope scope, SubmitTask request) {
    return call(
        "submitTask",
        () -> {
          SubmitTask valid = Arguments.submit(request);
          return own(scope, valid.tenantId()).then(submits.submit(valid));
        });
  }

  /**
   * Emits the workflow's events in sequence order; errors with NOT_FOUND for an unknown one.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow whose log to read; must not be null
   * @return a Flux of every stored event, oldest first, completing after the last
   */
  public Flux<WorkflowEvent> events(Scope scope, UUID workflowExecutionId) {
    return callMany(
        "events",
        () ->
            transactor
                .read(
                    tx ->
                        tx.events()
                            .history(
                                present(scope).tenantId(),
                                Arguments.present("workflow_execution_id", workflowExecutionId)))
                .switchIfEmpty(
                    Mono.error(
                        () ->
                            DispatchException.notFound(
                                "workflow " + workflowExecutionId + " not found")))
                .mapNotNull(event -> event.orElse(null)));
  }

  /**
   * The W3C trace context stored with a workflow: the trace its tasks and the spans its workers
   * report belong to.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow; must not be null
   * @return a Mono emitting the workflow's {@code traceparent}, or completing empty when it has
   *     none or is not a workflow of the scope's tenant
   */
  public Mono<String> traceparent(Scope scope, UUID workflowExecutionId) {
    return call(
        "traceparent",
        () ->
            transactor
                .read(
                    tx ->
                        tx.workflows()
                            .tenantQueueTrace(
                                present(scope).tenantId(),
                                Arguments.present("workflow_execution_id", workflowExecutionId))
                            .mapNotNull(row -> row[2])
                            .flux())
                .next());
  }

  /**
   * One workflow execution as an operator inspects it: its fields, parent, first {@value
   * ai.flovyn.dispatch.domain.WorkflowDetail#CHILDREN_SHOWN} children and child count, timers,
   * promises, state and how many of its tasks are in each status, read from one snapshot.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow to read; must not be null
   * @return a Mono emitting the detail; errors with NOT_FOUND for an unknown workflow or one of
   *     another tenant, INVALID_ARGUMENT for a null id
   */
  public Mono<ai.flovyn.dispatch.domain.WorkflowDetail> workflowDetail(
      Scope scope, UUID workflowExecutionId) {
    return call(
        "workflowDetail",
        () ->
            Details.workflow(
                transactor,
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId)));
  }

  /**
   * A page of a workflow's history, oldest first: the events after {@code request.sinceSequence()},
   * at most {@code request.limit()}, optionally of some types or failures only. Reads one index
   * range of the history however long it is.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow whose history to read; must not be null
   * @param request which events to read; must not be null
   * @return a Mono emitting the page and, when more events may follow, the sequence number to read
   *     on from; errors with NOT_FOUND for an unknown workflow or one of another tenant,
   *     INVALID_ARGUMENT for a negative since-sequence, a limit outside 1 to {@value
   *     ai.flovyn.dispatch.domain.EventPageRequest#MAX_LIMIT} or an empty or overlong type
   */
  public Mono<ai.flovyn.dispatch.domain.EventPage> eventPage(
      Scope scope, UUID workflowExecutionId, ai.flovyn.dispatch.domain.EventPageRequest request) {
    return call(
        "eventPage",
        () ->
            Details.events(
                transactor,
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId),
                request));
  }

  /**
   * The tasks a workflow scheduled, oldest first (at most 1000), each with its attempts; without
   * input and output (read one task with {@link #taskDetail} for those). Two statements in all.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow whose tasks to list; must not be null
   * @return a Mono emitting the tasks (an empty list when it has none); errors with NOT_FOUND for
   *     an unknown workflow or one of another tenant
   */
  public Mono<List<ai.flovyn.dispatch.domain.TaskDetail>> workflowTasks(
      Scope scope, UUID workflowExecutionId) {
    return call(
        "workflowTasks",
        () ->
            Details.workflowTasks(
                transactor,
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId)));
  }

  /**
   * The child workflows of a workflow, oldest first (at most 1000).
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the parent workflow; must not be null
   * @return a Mono emitting the children (an empty list when it has none); errors with NOT_FOUND
   *     for an unknown workflow or one of another tenant
   */
  public Mono<List<ai.flovyn.dispatch.domain.WorkflowDetail.Relative>> children(
      Scope scope, UUID workflowExecutionId) {
    return call(
        "children",
        () ->
            Details.children(
                transactor,
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId)));
  }

  /**
   * A workflow's state: every key with its stored value, by key.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowExecutionId the workflow whose state to read; must not be null
   * @return a Mono emitting the keys and values (JSON bytes as written; empty for a key set to
   *     nothing), an empty map when none is set; errors with NOT_FOUND for an unknown workflow or
   *     one of another tenant
   */
  public Mono<java.util.Map<String, byte[]>> workflowState(Scope scope, UUID workflowExecutionId) {
    return call(
        "workflowState",
        () ->
            Details.workflowState(
                transactor,
                present(scope),
                Arguments.present("workflow_execution_id", workflowExecutionId)));
  }

  /**
   * One task execution with its input, output and attempts.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task to read; must not be null
   * @return a Mono emitting the task; errors with NOT_FOUND for an unknown task or one of another
   *     tenant
   */
  public Mono<ai.flovyn.dispatch.domain.TaskDetail> taskDetail(Scope scope, UUID taskId) {
    return call(
        "taskDetail",
        () -> Details.task(transactor, present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * A task's attempts, oldest first: the finished ones as recorded, then the one a worker runs now
   * (status RUNNING).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task whose attempts to read; must not be null
   * @return a Mono emitting the attempts (an empty list before the first claim); errors with
   *     NOT_FOUND for an unknown task or one of another tenant
   */
  public Mono<List<ai.flovyn.dispatch.domain.TaskAttempt>> taskAttempts(Scope scope, UUID taskId) {
    return call(
        "taskAttempts",
        () ->
            Details.taskAttempts(transactor, present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * A task's state: every key with its value, by key.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task whose state to read; must not be null
   * @return a Mono emitting the keys and values (JSON bytes as set), an empty map when none is set;
   *     errors with NOT_FOUND for an unknown task or one of another tenant
   */
  public Mono<java.util.Map<String, byte[]>> taskStateValues(Scope scope, UUID taskId) {
    return call(
        "taskStateValues",
        () -> Details.taskState(transactor, present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * Long-polls the next PENDING workflow of (tenant, queue) among {@code kinds} (empty: any); emits
   * it claimed (RUNNING) for the worker, or completes empty after {@code timeout}.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose queue to poll; must be the scope's
   * @param queue the queue to poll; must not be empty
   * @param kinds the workflow kinds this worker runs (at most 1000 names); empty for any; must not
   *     be null
   * @param workerPoolId only workflows of this pool or of none; null or empty for workflows of no
   *     pool
   * @param workerId who claims the workflow (recorded as its worker); must not be empty
   * @param timeout how long to wait when nothing is pending, capped by {@link
   *     DispatchOptions#maxPollTimeout()}; null or negative for no wait
   * @return a Mono emitting the workflow claimed RUNNING (its current sequence and lease end) under
   *     a lease of {@link DispatchOptions#workflowLease()}, or completing empty when nothing came
   *     within the timeout or this instance began closing; errors with INVALID_ARGUMENT naming an
   *     empty or malformed field
   */
  public Mono<ClaimedWorkflow> pollWorkflow(
      Scope scope,
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return call(
        "pollWorkflow",
        () ->
            pollWorkflowNow(
                present(scope),
                tenantId,
                queue,
                Arguments.elements("kinds", kinds),
                workerPoolId,
                workerId,
                timeout));
  }

  private Mono<ClaimedWorkflow> pollWorkflowNow(
      Scope scope,
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    // a poll refused for its tenant is no sign of life of anything: the check comes first
    return own(scope, tenantId)
        .then(
            Polls.filters(workerPoolId, kinds)
                .then(polls.workflow(tenantId, queue, kinds, workerPoolId, workerId, timeout))
                .doOnSubscribe(
                    subscription -> leases.workerSeen(Tenancy.of(scope, tenantId), workerId)));
  }

  /**
   * Long-polls the next PENDING agent of (tenant, queue) whose kind is among {@code kinds}
   * (PollAgent, docs/agents.md); empty after {@code timeout}.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose agents to poll; must be the scope's
   * @param queue the queue to poll, matched exactly; must not be empty
   * @param kinds the agent kinds this worker runs (at most 1000 names); empty for any; must not be
   *     null
   * @param workerPoolId only agents of this pool or of none; null or empty for agents of no pool
   * @param workerId who claims the agent (recorded as its worker); must not be empty
   * @param timeout how long to wait when nothing is pending, capped by {@link
   *     DispatchOptions#maxPollTimeout()}; null or negative for no wait
   * @return a Mono emitting the agent claimed RUNNING (its latest checkpoint sequence, -1 when
   *     none) under the idle lease of {@link AgentOptions#idleLease()}, or completing empty when
   *     nothing came within the timeout or this instance began closing; errors with
   *     INVALID_ARGUMENT naming an empty or malformed field, PERMISSION_DENIED for another tenant
   */
  public Mono<AgentExecution> pollAgent(
      Scope scope,
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return call(
        "pollAgent",
        () -> {
          List<String> valid = Arguments.elements("agent_capabilities", kinds);
          // AgentDispatch names the tenant org_id
          return Tenancy.own(present(scope), "org_id", tenantId)
              .then(
                  Polls.filters(workerPoolId, valid, "agent_capabilities")
                      .then(
                          polls.agent(
                              tenantId,
                              queue,
                              valid,
                              workerPoolId,
                              workerId,
                              timeout,
                              agents.options().idleLease().toMillis()))
                      .doOnSubscribe(
                          subscription -> leases.workerSeen(Tenancy.of(scope, tenantId), workerId)))
              .doOnSuccess(claimed -> agents.polled(claimed != null));
        });
  }

  /**
   * Creates a root agent execution, PENDING without a checkpoint, and wakes its pollers (what the
   * SDK's harness does over REST).
   *
   * @param scope the caller's tenant; {@code request.tenantId()} must be it
   * @param request the agent to create
   * @return a Mono emitting the new agent; errors with INVALID_ARGUMENT naming a missing or
   *     malformed field, PERMISSION_DENIED for another tenant
   */
  public Mono<AgentExecution> createAgent(
      Scope scope, ai.flovyn.dispatch.domain.StartAgent request) {
    return call("createAgent", () -> agents.create(present(scope), request));
  }

  /**
   * One agent execution with every field.
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent to read; must not be null
   * @return a Mono emitting the agent; errors with NOT_FOUND for an unknown agent or one of another
   *     tenant
   */
  public Mono<AgentExecution> agent(Scope scope, UUID agentId) {
    return call("agent", () -> agents.get(present(scope), agentId));
  }

  /**
   * Every checkpoint of an agent, ascending by sequence.
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent; must not be null
   * @return a Mono emitting the checkpoints (empty list when none); errors with NOT_FOUND for an
   *     unknown agent or one of another tenant
   */
  public Mono<List<AgentCheckpoint>> agentCheckpoints(Scope scope, UUID agentId) {
    // a plain read: an operator looking at a RUNNING agent must not renew its worker's lease
    return call("agentCheckpoints", () -> agentViews.checkpoints(present(scope), agentId));
  }

  /**
   * One page of the scope's agent executions matching {@code filter}, newest first, with how many
   * match in all. Items carry no input or output ({@link #agent} reads them).
   *
   * @param scope the caller's tenant; only its agents are listed
   * @param filter which agents; must not be null ({@link AgentFilter#all()} for every one)
   * @param page the page: limit and offset, or a cursor from a previous page; must not be null
   * @return a Mono emitting the page; errors with INVALID_ARGUMENT naming a missing argument
   */
  public Mono<ListPage<AgentExecution>> listAgents(Scope scope, AgentFilter filter, Page page) {
    return call("listAgents", () -> agentViews.list(present(scope).tenantId(), filter, page));
  }

  /**
   * How many of the scope's agent executions match {@code filter}, by status; the filter's statuses
   * are ignored (every status is counted).
   *
   * @param scope the caller's tenant; only its agents are counted
   * @param filter which agents; must not be null
   * @return a Mono emitting every status's count, exact up to {@value ListPage#EXACT_UP_TO} agents
   *     in all (then {@code estimated})
   */
  public Mono<StatusCounts> countAgents(Scope scope, AgentFilter filter) {
    return call("countAgents", () -> agentViews.counts(present(scope).tenantId(), filter));
  }

  /**
   * At most {@code limit} entries of an agent after position {@code after}, in append order, each
   * with its position (from 1).
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent; must not be null
   * @param after the position to read after, 0 for the first entry
   * @param limit the most entries to read
   * @return a Mono emitting the entries; errors with NOT_FOUND for an unknown agent or one of
   *     another tenant
   */
  public Mono<List<AgentViewStore.PositionedEntry>> agentEntries(
      Scope scope, UUID agentId, int after, int limit) {
    return call("agentEntries", () -> agentViews.entries(present(scope), agentId, after, limit));
  }

  /**
   * The tasks an agent scheduled, ascending by creation (the first {@value AgentViews#MAX_ITEMS}).
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent; must not be null
   * @return a Mono emitting the tasks; errors with NOT_FOUND for an unknown agent or one of another
   *     tenant
   */
  public Mono<List<AgentTask>> agentTasks(Scope scope, UUID agentId) {
    return call("agentTasks", () -> agentViews.tasks(present(scope), agentId));
  }

  /**
   * The signals an agent received, consumed or queued, in arrival order (the first {@value
   * AgentViews#MAX_ITEMS}).
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent; must not be null
   * @return a Mono emitting the signals; errors with NOT_FOUND for an unknown agent or one of
   *     another tenant
   */
  public Mono<List<AgentSignalRecord>> agentSignals(Scope scope, UUID agentId) {
    return call("agentSignals", () -> agentViews.signals(present(scope), agentId));
  }

  /**
   * Queues a signal for an agent and wakes it when it waits for that name.
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent to signal; must not be null
   * @param signalName the signal's name (a non-empty name)
   * @param signalValue its JSON value bytes; null or empty for {@code null}
   * @return a Mono emitting the signal's id and whether it made the agent PENDING; errors with
   *     NOT_FOUND, FAILED_PRECONDITION for a finished agent, RESOURCE_EXHAUSTED when too many
   *     signals are queued
   */
  public Mono<AgentSignalResult> signalAgent(
      Scope scope, UUID agentId, String signalName, byte[] signalValue) {
    return call(
        "signalAgent", () -> agents.signal(present(scope), agentId, signalName, signalValue));
  }

  /**
   * Cancels an unfinished agent: CANCELLED, its PENDING tasks cancelled, its parent woken when it
   * waits for it. A worker still running it is refused on its next write.
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent to cancel; must not be null
   * @param reason recorded as its error; null or blank for "cancelled by an operator"
   * @return a Mono emitting true when this call cancelled it, false when it had finished; errors
   *     with NOT_FOUND for an unknown agent or one of another tenant
   */
  public Mono<Boolean> cancelAgent(Scope scope, UUID agentId, String reason) {
    return call("cancelAgent", () -> agents.cancel(present(scope), agentId, reason));
  }

  /**
   * The agent's live data (StreamAgentData) from now on, on this instance.
   *
   * @param scope the caller's tenant; only its agents are found
   * @param agentId the agent to follow; must not be null
   * @return a Mono emitting the Flux of messages (never completing by itself: cancel it); errors
   *     with NOT_FOUND for an unknown agent or one of another tenant
   */
  public Mono<Flux<AgentData>> openAgentData(Scope scope, UUID agentId) {
    return call("openAgentData", () -> agents.openData(present(scope), agentId));
  }

  /**
   * The agent operations of the SDK's agent worker (flovyn.v1.AgentDispatch), for the gRPC service:
   * embedders use the agent methods of this class.
   *
   * @return the agent operations over this instance's database
   */
  public Agents agents() {
    return agents;
  }

  /**
   * Long-polls the next ready task of (tenant, queue); empty after {@code timeout}.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose queue to poll; must be the scope's
   * @param queue the queue to poll; must not be empty
   * @param workerPoolId only tasks of this pool or of none; null or empty for tasks of no pool
   * @param workerId who claims the task (its lease holder); must not be empty
   * @param timeout how long to wait when nothing is ready, capped by {@link
   *     DispatchOptions#maxPollTimeout()}; null or negative for no wait
   * @return a Mono emitting the task claimed RUNNING for {@code workerId} under a lease of {@link
   *     DispatchOptions#taskLease()}, or completing empty when nothing came within the timeout or
   *     this instance began closing; errors with INVALID_ARGUMENT naming an empty or malformed
   *     field
   */
  public Mono<ClaimedTask> pollTask(
      Scope scope,
      String tenantId,
      String queue,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return call(
        "pollTask",
        () -> pollTaskNow(present(scope), tenantId, queue, workerPoolId, workerId, timeout));
  }

  private Mono<ClaimedTask> pollTaskNow(
      Scope scope,
      String tenantId,
      String queue,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    return own(scope, tenantId)
        .then(
            Polls.filters(workerPoolId, List.of())
                .then(polls.task(tenantId, queue, workerPoolId, workerId, timeout))
                .doOnSubscribe(
                    subscription -> leases.workerSeen(Tenancy.of(scope, tenantId), workerId)));
  }

  /**
   * Completes a RUNNING task (TASK_COMPLETED resumes its workflow).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task to complete; must not be null
   * @param output the task's result, stored and handed to the workflow as given; must not be null
   *     (empty is fine)
   * @return a Mono completing once the task and its event are committed; errors with NOT_FOUND for
   *     an unknown task, FAILED_PRECONDITION when it is no longer RUNNING
   */
  public Mono<Void> completeTask(Scope scope, UUID taskId, byte[] output) {
    return call(
        "completeTask",
        () ->
            tasks.complete(
                present(scope),
                Arguments.present("task_id", taskId),
                Arguments.present("output", output)));
  }

  /**
   * Fails the task's current attempt (retried while attempts remain).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task whose attempt failed; must not be null
   * @param error what went wrong, shown in TASK_FAILED (cut to a bounded length there); null is an
   *     empty text
   * @return a Mono completing once the failure (a retry or the final TASK_FAILED) is committed;
   *     errors with NOT_FOUND for an unknown task, FAILED_PRECONDITION when it is no longer RUNNING
   */
  public Mono<Void> failTask(Scope scope, UUID taskId, String error) {
    return call(
        "failTask", () -> tasks.fail(present(scope), Arguments.present("task_id", taskId), error));
  }

  /**
   * Cancels a PENDING or RUNNING task.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task to cancel; must not be null
   * @return a Mono completing once the task is CANCELLED (also when it already was); errors with
   *     NOT_FOUND for an unknown task, FAILED_PRECONDITION when it already completed or failed
   */
  public Mono<Void> cancelTask(Scope scope, UUID taskId) {
    return call(
        "cancelTask", () -> tasks.cancel(present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * Records a heartbeat of a RUNNING task; FAILED_PRECONDITION tells the worker to stop.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the RUNNING task; must not be null
   * @return a Mono completing once the lease is renewed; errors with FAILED_PRECONDITION when the
   *     task was cancelled or is no longer running
   */
  public Mono<Void> heartbeat(Scope scope, UUID taskId) {
    return call(
        "heartbeat",
        () -> tasks.heartbeat(present(scope), Arguments.present("task_id", taskId), null, null));
  }

  /**
   * Records progress (0..1) of a RUNNING task; counts as a heartbeat.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the RUNNING task; must not be null
   * @param progress the fraction done, from 0 to 1 inclusive (INVALID_ARGUMENT otherwise)
   * @param details a free text shown with the progress; null for none
   * @return a Mono completing once progress and lease are stored; errors with FAILED_PRECONDITION
   *     when the task was cancelled or is no longer running
   */
  public Mono<Void> reportProgress(Scope scope, UUID taskId, double progress, String details) {
    return call(
        "reportProgress",
        () ->
            tasks.heartbeat(
                present(scope), Arguments.present("task_id", taskId), progress, details));
  }

  /**
   * Resolves a promise by its global id ({@code <workflow id>:<promise id>}).
   *
   * @param scope the caller's tenant; only its workflows' promises are found
   * @param promiseId the global id, {@code <workflow id>:<promise id>}
   * @param value the promise's value, handed to the workflow as given; must not be null (empty is
   *     fine)
   * @return a Mono completing once PROMISE_RESOLVED is committed (or when the same value was
   *     already resolved); errors with NOT_FOUND for an unknown promise, FAILED_PRECONDITION when
   *     it was settled otherwise
   */
  public Mono<Void> resolvePromise(Scope scope, String promiseId, byte[] value) {
    return call(
        "resolvePromise",
        () -> promises.resolve(present(scope), promiseId, Arguments.present("value", value)));
  }

  /**
   * Rejects a promise by its global id.
   *
   * @param scope the caller's tenant; only its workflows' promises are found
   * @param promiseId the global id, {@code <workflow id>:<promise id>}
   * @param error why the promise was rejected, shown to the workflow (bounded length)
   * @return a Mono completing once PROMISE_REJECTED is committed (or when the same error was
   *     already recorded); errors with NOT_FOUND for an unknown promise, FAILED_PRECONDITION when
   *     it was settled otherwise
   */
  public Mono<Void> rejectPromise(Scope scope, String promiseId, String error) {
    return call("rejectPromise", () -> promises.reject(present(scope), promiseId, error));
  }

  // --- worker lifecycle, task state, task logs and live task data (docs/sdk-compatibility.md, L,
  // TS, LG, ST)

  /**
   * Registers a worker process under a fresh id, which it emits; never refused for its name.
   * Polling does not depend on registrations.
   *
   * @param scope the caller's tenant; {@code registration.tenantId()} must be it
   * @param registration the worker's name, kind, capabilities and metadata
   * @return a Mono emitting the registration's new id; errors with INVALID_ARGUMENT naming a
   *     missing or malformed field, PERMISSION_DENIED for another tenant
   */
  public Mono<UUID> registerWorker(Scope scope, WorkerRegistration registration) {
    return call(
        "registerWorker",
        () -> {
          WorkerRegistration valid = Arguments.registration(registration);
          return own(scope, valid.tenantId()).then(workers.register(valid));
        });
  }

  /**
   * Refreshes a registration's last-seen time (an unknown id is no error); keeps the leases of the
   * tasks held under its id or name alive.
   *
   * @param scope the caller's tenant; another tenant's registration is left untouched
   * @param workerId the id {@link #registerWorker} emitted; must not be null
   * @param workflowKinds the workflow kinds the worker runs now; must not be null (empty is fine)
   * @param taskKinds the task kinds the worker runs now; must not be null (empty is fine)
   * @return a Mono completing once the last-seen time is stored; errors with INVALID_ARGUMENT
   *     naming a malformed kind
   */
  public Mono<Void> workerHeartbeat(
      Scope scope, UUID workerId, List<String> workflowKinds, List<String> taskKinds) {
    return call(
        "workerHeartbeat",
        () ->
            workers.heartbeat(
                present(scope),
                Arguments.present("worker_id", workerId),
                Arguments.elements("workflow_kinds", workflowKinds),
                Arguments.elements("task_kinds", taskKinds)));
  }

  /**
   * The tenant's worker registrations, most recently seen first (at most 1000).
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose registrations to list
   * @return a Flux of at most 1000 registrations, completing after the last; errors with
   *     PERMISSION_DENIED for another tenant
   */
  public Flux<RegisteredWorker> listWorkers(Scope scope, String tenantId) {
    return callMany("listWorkers", () -> own(scope, tenantId).thenMany(workers.list(tenantId)));
  }

  /**
   * One page of the scope's workflow executions matching {@code filter}, newest first (or in the
   * FQL query's ORDER BY), with how many match in all.
   *
   * @param scope the caller's tenant; only its workflows are listed (every tenant's when
   *     unrestricted)
   * @param filter which workflows; must not be null ({@link WorkflowFilter#all()} for every one)
   * @param page the page: limit and offset, or a cursor from a previous page's {@link
   *     ListPage#nextCursor()}; must not be null
   * @return a Mono emitting the page; its total is exact up to {@value ListPage#EXACT_UP_TO}
   *     matches, else an estimate; errors with INVALID_ARGUMENT ({@code cursor: …}) for a cursor
   *     with an FQL ORDER BY other than {@code createdAt DESC}, or naming a missing argument
   */
  public Mono<ListPage<WorkflowSummary>> listWorkflows(
      Scope scope, WorkflowFilter filter, Page page) {
    return call(
        "listWorkflows",
        () -> new Lists(transactor).workflows(present(scope).tenantId(), filter, page));
  }

  /**
   * How many of the scope's workflow executions match {@code filter}, by status; the filter's
   * statuses are ignored (every status is counted).
   *
   * @param scope the caller's tenant; only its workflows are counted
   * @param filter which workflows; must not be null
   * @return a Mono emitting every status's count, each exact up to {@value ListPage#EXACT_UP_TO},
   *     else an estimate; errors with INVALID_ARGUMENT naming a missing argument
   */
  public Mono<StatusCounts> countWorkflows(Scope scope, WorkflowFilter filter) {
    return call(
        "countWorkflows",
        () -> new Lists(transactor).countWorkflows(present(scope).tenantId(), filter));
  }

  /**
   * One page of the scope's task executions matching {@code filter}, newest first (or in the FQL
   * query's ORDER BY), with how many match in all.
   *
   * @param scope the caller's tenant; only its tasks are listed
   * @param filter which tasks; must not be null ({@link TaskFilter#all()} for every one)
   * @param page the page: limit and offset, or a cursor from a previous page; must not be null
   * @return a Mono emitting the page; errors with INVALID_ARGUMENT ({@code cursor: …}) for a cursor
   *     with an FQL ORDER BY other than {@code createdAt DESC}, or naming a missing argument
   */
  public Mono<ListPage<TaskSummary>> listTasks(Scope scope, TaskFilter filter, Page page) {
    return call(
        "listTasks", () -> new Lists(transactor).tasks(present(scope).tenantId(), filter, page));
  }

  /**
   * How many of the scope's task executions match {@code filter}, by status; the filter's statuses
   * are ignored.
   *
   * @param scope the caller's tenant; only its tasks are counted
   * @param filter which tasks; must not be null
   * @return a Mono emitting every status's count, each exact up to {@value ListPage#EXACT_UP_TO},
   *     else an estimate; errors with INVALID_ARGUMENT naming a missing argument
   */
  public Mono<StatusCounts> countTasks(Scope scope, TaskFilter filter) {
    return call(
        "countTasks", () -> new Lists(transactor).countTasks(present(scope).tenantId(), filter));
  }

  /**
   * The scope's queues with unfinished work: workflows PENDING, RUNNING and WAITING and tasks
   * PENDING and RUNNING per queue, and the oldest PENDING item of each; busiest queue first.
   *
   * @param scope the caller's tenant; only its work is counted
   * @return a Mono emitting the queues (none when nothing is unfinished); errors with
   *     INVALID_ARGUMENT when {@code scope} is null
   */
  public Mono<List<QueueStats>> queueStats(Scope scope) {
    return call("queueStats", () -> new Lists(transactor).queueStats(present(scope).tenantId()));
  }

  /**
   * The ids of the scope's workflow executions that match {@code filter} and have not finished
   * (PENDING, RUNNING or WAITING), newest first: what a bulk cancel would cancel.
   *
   * @param scope the caller's tenant; only its workflows are taken
   * @param filter which workflows; must not be null
   * @param max the most ids to answer, 1 to 100,000
   * @return a Mono emitting at most {@code max} ids; errors with INVALID_ARGUMENT ({@code max: …})
   *     for a bound out of range, or naming a missing argument
   */
  public Mono<List<UUID>> matchingWorkflowIds(Scope scope, WorkflowFilter filter, int max) {
    return call(
        "matchingWorkflowIds",
        () -> new Lists(transactor).matchingWorkflowIds(present(scope).tenantId(), filter, max));
  }

  /**
   * Emits a task's state value of {@code key}, empty Optional when unset; NOT_FOUND: no task.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task; must not be null
   * @param key the state key (a name: non-empty, bounded)
   * @return a Mono emitting the stored JSON bytes, or an empty Optional when {@code key} is unset
   */
  public Mono<Optional<byte[]>> getTaskState(Scope scope, UUID taskId, String key) {
    return call(
        "getTaskState",
        () -> taskStates.get(present(scope), Arguments.present("task_id", taskId), key));
  }

  /**
   * Sets a task's state {@code key} to a JSON value (INVALID_ARGUMENT when not JSON).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task; must not be null
   * @param key the state key (a name: non-empty, bounded)
   * @param value UTF-8 JSON text; must not be null
   * @return a Mono completing once the value is stored; errors with NOT_FOUND for an unknown task
   */
  public Mono<Void> setTaskState(Scope scope, UUID taskId, String key, byte[] value) {
    return call(
        "setTaskState",
        () ->
            taskStates.set(
                present(scope),
                Arguments.present("task_id", taskId),
                key,
                Arguments.present("value", value)));
  }

  /**
   * Clears one key of a task's state (absent is fine).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task; must not be null
   * @param key the state key to remove
   * @return a Mono completing once the key is gone; errors with NOT_FOUND for an unknown task
   */
  public Mono<Void> clearTaskState(Scope scope, UUID taskId, String key) {
    return call(
        "clearTaskState",
        () -> taskStates.clear(present(scope), Arguments.present("task_id", taskId), key));
  }

  /**
   * Clears every key of a task's state.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task; must not be null
   * @return a Mono completing once the task has no state left; errors with NOT_FOUND for an unknown
   *     task
   */
  public Mono<Void> clearAllTaskState(Scope scope, UUID taskId) {
    return call(
        "clearAllTaskState",
        () -> taskStates.clearAll(present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * Emits the keys of a task's state, in no particular order.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task; must not be null
   * @return a Mono emitting the set keys (an empty list when none); errors with NOT_FOUND for an
   *     unknown task
   */
  public Mono<List<String>> taskStateKeys(Scope scope, UUID taskId) {
    return call(
        "taskStateKeys",
        () -> taskStates.keys(present(scope), Arguments.present("task_id", taskId)));
  }

  /**
   * Stores a log line of a task (bounded; lines past the per-task cap are dropped).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task the line belongs to; must not be null
   * @param level the line's level, stored as given (cut to 16 characters)
   * @param message the line's text (cut to 4096 characters)
   * @return a Mono completing once the line is stored or dropped for the cap; errors with NOT_FOUND
   *     for an unknown task
   */
  public Mono<Void> logMessage(Scope scope, UUID taskId, String level, String message) {
    return call(
        "logMessage",
        () ->
            taskLogs.append(present(scope), Arguments.present("task_id", taskId), level, message));
  }

  /**
   * A task's log lines after {@code afterId}, oldest first, at most {@code limit} (0: 100).
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task whose lines to read; must not be null
   * @param afterId the id of the last line already read; 0 to read from the start
   * @param limit the most lines to emit, capped at 1000; 0 for 100 (INVALID_ARGUMENT when negative)
   * @return a Mono emitting the lines (an empty list when there are no more); errors with NOT_FOUND
   *     for an unknown task
   */
  public Mono<List<TaskLogLine>> taskLogs(Scope scope, UUID taskId, long afterId, int limit) {
    return call(
        "taskLogs",
        () -> taskLogs.list(present(scope), Arguments.present("task_id", taskId), afterId, limit));
  }

  /**
   * Hands live task data to this instance's subscribers of its task and workflow; never waits.
   *
   * @param scope the caller's tenant; its subscribers alone receive the data
   * @param data the chunk to hand on; must not be null
   * @return a Mono completing once the data is handed to the current subscribers (none is fine);
   *     nothing is stored
   */
  public Mono<Void> streamTaskData(Scope scope, TaskData data) {
    return call(
        "streamTaskData",
        () ->
            Mono.fromRunnable(
                () -> taskData.publish(present(scope), Arguments.present("data", data))));
  }

  /**
   * Emits, once the task is known to exist (NOT_FOUND otherwise), the feed of its live data on this
   * instance: following starts when the feed is subscribed, and the feed completes on {@link
   * #stopSubscriptions()} or {@link #close()}.
   *
   * @param scope the caller's tenant; only its tasks are found
   * @param taskId the task to follow; must not be null
   * @return a Mono emitting the live feed of the task's data; errors with NOT_FOUND for an unknown
   *     task
   */
  public Mono<Flux<TaskData>> openTaskData(Scope scope, UUID taskId) {
    return call(
        "openTaskData",
        () ->
            taskData
                .openTask(present(scope), Arguments.present("task_id", taskId))
                .map(feed -> feed.takeUntilOther(closing.asMono())));
  }

  /**
   * Like {@link #openTaskData(Scope, UUID)} for the live data of every task of a workflow.
   *
   * @param scope the caller's tenant; only its workflows are found
   * @param workflowId the workflow whose tasks to follow; must not be null
   * @return a Mono emitting the live feed of its tasks' data; errors with NOT_FOUND for an unknown
   *     workflow
   */
  public Mono<Flux<TaskData>> openWorkflowTaskData(Scope scope, UUID workflowId) {
    return call(
        "openWorkflowTaskData",
        () ->
            taskData
                .openWorkflow(present(scope), Arguments.present("workflow_id", workflowId))
                .map(feed -> feed.takeUntilOther(closing.asMono())));
  }

  // --- end of the SDK-contract block

  /**
   * Signals that work may be ready anywhere in a tenant: what a viewer of a workflow's progress
   * re-reads on, since every wake-up and every scheduled task of the tenant is announced.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose signals to follow
   * @return a Flux of the tenant's signals (and of {@link WorkSignal#ANY} after the listener
   *     reconnected), latest only under backpressure, completing when this instance closes; errors
   *     with PERMISSION_DENIED for another tenant
   */
  public Flux<WorkSignal> workSignals(Scope scope, String tenantId) {
    return own(scope, tenantId)
        .thenMany(signals)
        .filter(signal -> signal == WorkSignal.ANY || tenantId.equals(signal.tenantId()))
        // agents have no notification stream: PollAgent alone waits for them
        .filter(signal -> signal.kind() != WorkSignal.Kind.AGENT)
        .onBackpressureLatest()
        .takeUntilOther(closing.asMono());
  }

  /**
   * Emits a signal each time work may have appeared on (tenant, queue); completes on {@link
   * #stopSubscriptions()} or {@link #close()}, errors never.
   *
   * <p>Errors only with PERMISSION_DENIED when {@code tenantId} is not the scope's.
   *
   * @deprecated internal: it emits a {@code store} type; use {@link #workAvailable(Scope, String,
   *     String)}
   * @param scope the caller's tenant; {@code tenantId} must be it
   * @param tenantId the tenant whose work to watch; must be the scope's
   * @param queue the queue to watch; an unknown one is no error and sees only the ANY signals
   * @return a Flux of signals, {@link WorkSignal#ANY} when signals may have been lost; on overflow
   *     only the latest is kept
   */
  @Deprecated
  public Flux<WorkSignal> workSignals(Scope scope, String tenantId, String queue) {
    return own(scope, tenantId)
        .thenMany(signals)
        .filter(
            signal ->
                signal == WorkSignal.ANY
                    || (tenantId.equals(signal.tenantId())
                        && queue.equals(signal.queue())
                        && signal.kind() != WorkSignal.Kind.AGENT))
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

  /**
   * Completes when a graceful stop begins ({@link #stopSubscriptions()} or {@link #close()}).
   *
   * @return a Mono completing empty once a graceful stop begins; it never errors
   */
  public Mono<Void> stopping() {
    return closing.asMono();
  }

  /**
   * The clock this instance reads "now" from ({@link Builder#clock}), for the services over it: a
   * test that moves it moves theirs too.
   *
   * @return the builder's clock (by default the system's, in UTC)
   */
  public java.time.Clock clock() {
    return clock;
  }

  /**
   * Runs one batch of every maintenance chore now, by the configured clock (timers, task leases,
   * workflow leases, promise timeouts, announcements, retention); emits the items each handled. The
   * background services do this on their own; tests move the clock and call it.
   *
   * @return a Mono emitting, per chore name, how many items it handled in this batch
   */
  public Mono<java.util.Map<String, Integer>> runMaintenance() {
    return call("runMaintenance", sweeper::runOnce);
  }

  /**
   * Emits a {@link WorkAvailable} each time work may have appeared on (tenant, queue), and {@link
   * WorkAvailable.Kind#ANY ANY} when signals may have been lost; completes on {@link
   * #stopSubscriptions()} or {@link #close()}, errors never.
   *
   * @param scope the caller's tenant; {@code tenantId} must be it (PERMISSION_DENIED, the only
   *     error, otherwise)
   * @param tenantId the tenant whose work to watch; must be the scope's
   * @param queue the queue to watch; an unknown one is no error and sees only the ANY signals
   * @return a Flux of hints, on overflow only the latest kept; a hint says to poll, never that work
   *     is certainly there
   */
  public Flux<WorkAvailable> workAvailable(Scope scope, String tenantId, String queue) {
    return workSignals(scope, tenantId, queue).map(Dispatch::toWorkAvailable);
  }

  private static WorkAvailable toWorkAvailable(WorkSignal signal) {
    if (signal.kind() == null) {
      return new WorkAvailable(WorkAvailable.Kind.ANY, null, null);
    }
    WorkAvailable.Kind kind =
        signal.kind() == WorkSignal.Kind.WORKFLOW
            ? WorkAvailable.Kind.WORKFLOW
            : WorkAvailable.Kind.TASK;
    return new WorkAvailable(kind, signal.tenantId(), signal.queue());
  }

  /**
   * The tasks of the subscription's (tenant, queue), each claimed (RUNNING for its worker) only
   * when the subscriber requests one: the subscriber's outstanding demand is how many tasks it
   * takes on at once, so request one more as each finishes (e.g. {@code flatMap(run,
   * concurrency)}). While nothing is ready it long-polls, {@code pollTimeout} at a time. Cancelling
   * stops claiming; a task claimed after the cancel (the claim was already running) goes back to
   * PENDING, its attempt not counted. Completes when this Dispatch closes; errors with the poll's
   * error (INVALID_ARGUMENT for a bad subscription).
   *
   * @param scope the caller's tenant; {@code subscription.tenantId()} must be it
   * @param subscription the (tenant, queue), pool, worker and poll timeout to claim with
   * @return a Flux of claimed tasks, as many at once as the subscriber requests
   */
  public Flux<ClaimedTask> tasks(Scope scope, TaskSubscription subscription) {
    // Built on pollTask one claim at a time; where multi-claim hand-off lands, a demand of n can
    // claim up to n tasks in one statement here (TaskConsumer.claimNext).
    return Flux.defer(
            () ->
                TaskConsumer.consume(
                    taskClaims, present(scope), Arguments.subscription(subscription)))
        .onErrorMap(error -> failure("tasks", error));
  }

  private static Scope present(Scope scope) {
    return Arguments.present("scope", scope);
  }

  // the caller's scope must see the tenant a request names (PERMISSION_DENIED otherwise)
  private static Mono<Void> own(Scope scope, String tenantId) {
    return Tenancy.own(present(scope), "tenant_id", tenantId);
  }

  // the task stream's view of this instance, kept off the public API
  private final TaskConsumer.Claims taskClaims =
      new TaskConsumer.Claims() {
        @Override
        public Mono<ClaimedTask> claimOnce(Scope scope, TaskSubscription subscription) {
          return Dispatch.this.claimOnce(scope, subscription);
        }

        @Override
        public Mono<Void> handBack(String tenantId, ClaimedTask task, String workerId) {
          return Dispatch.this.handBack(tenantId, task, workerId);
        }

        @Override
        public boolean isClosed() {
          return Dispatch.this.isClosed();
        }
      };

  /** Claims one task for {@code subscription}, long-polling once; empty on timeout. */
  private Mono<ClaimedTask> claimOnce(Scope scope, TaskSubscription subscription) {
    return pollTask(
        scope,
        subscription.tenantId(),
        subscription.queue(),
        subscription.workerPoolId(),
        subscription.workerId(),
        subscription.pollTimeout());
  }

  /**
   * Puts a task nobody received back to PENDING (its claim not counted), if it is still the claim
   * {@code task} describes; wakes its pollers.
   */
  private Mono<Void> handBack(String tenantId, ClaimedTask task, String workerId) {
    String wake = new WorkSignal(WorkSignal.Kind.TASK, tenantId, task.queue()).payload();
    return transactor
        .inTransaction(
            tx ->
                tx.claims()
                    .releaseTask(task, workerId)
                    .filter(released -> released > 0)
                    .flatMap(released -> tx.notifier().notify(List.of(wake)))
                    .then(Mono.just(true)))
        .then();
  }

  /**
   * Completes once the LISTEN connection is up (at once without background services), so that no
   * work announced after start() is missed; on timeout closes this instance and errors with
   * UNAVAILABLE.
   */
  private Mono<Void> listening(Duration timeout) {
    if (listener == null) {
      return Mono.empty();
    }
    return listener
        .firstListening()
        .timeout(timeout)
        .onErrorResume(
            error ->
                closeGracefully(Duration.ZERO)
                    .then(
                        Mono.error(
                            DispatchException.unavailable(
                                "the LISTEN connection did not start within " + timeout, error))));
  }

  /**
   * Whether closing began: new calls are refused.
   *
   * @return true once {@link #closeGracefully(Duration)} or {@link #close()} was called
   */
  public boolean isClosed() {
    return lifecycle.isClosed();
  }

  /**
   * Closes gracefully: refuses new calls (FAILED_PRECONDITION), answers waiting long polls empty
   * and completes every live feed, waits until the calls in progress end (at most {@code timeout},
   * then it stops anyway), then stops the sweeper, the lease renewal and the listener. Completes
   * when done (the listener's own connection closed, so that a database stopped next cuts nothing
   * of this instance), never errors; closing again is harmless. The connection factory is the
   * caller's to close afterwards.
   *
   * @param timeout the longest wait for calls in progress; {@link Duration#ZERO} stops at once
   * @return a Mono completing empty once the background services are stopped
   */
  public Mono<Void> closeGracefully(Duration timeout) {
    return Mono.defer(
        () -> {
          lifecycle.close();
          stopSubscriptions();
          return lifecycle
              .drained()
              .timeout(timeout, Mono.fromRunnable(this::logUnfinished))
              .onErrorResume(error -> Mono.empty())
              .then(Mono.fromRunnable(this::stopBackground))
              .then(listener == null ? Mono.empty() : listener.closeGracefully());
        });
  }

  private void logUnfinished() {
    log.warn(
        "closing with {} call(s) still in progress after the close timeout", lifecycle.inFlight());
  }

  /**
   * {@link #closeGracefully(Duration)} with the builder's close timeout (default {@link
   * #DEFAULT_CLOSE_TIMEOUT}), blocking the calling thread until done; call it from your own
   * shutdown code, not from a Reactor thread.
   */
  @Override
  public void close() {
    closeGracefully(closeTimeout).block(closeTimeout.plusSeconds(10));
  }

  private void stopBackground() {
    sweeper.close();
    leaseRenewal.close();
  }

  /**
   * Runs one library call: refused after close, counted while in progress, arguments thrown by
   * {@code body} turned into the Mono's error, any other failure classified, and an INTERNAL logged
   * once.
   */
  private <T> Mono<T> call(String operation, Supplier<Mono<T>> body) {
    return Mono.defer(
            () ->
                lifecycle.enter()
                    ? Mono.defer(body).doFinally(signal -> lifecycle.leave())
                    : Mono.<T>error(Lifecycle.closedError(operation)))
        .onErrorMap(error -> failure(operation, error));
  }

  /** {@link #call} for a call that emits many values. */
  private <T> Flux<T> callMany(String operation, Supplier<Flux<T>> body) {
    return Flux.defer(
            () ->
                lifecycle.enter()
                    ? Flux.defer(body).doFinally(signal -> lifecycle.leave())
                    : Flux.<T>error(Lifecycle.closedError(operation)))
        .onErrorMap(error -> failure(operation, error));
  }

  private static DispatchException failure(String operation, Throwable error) {
    if (error instanceof DispatchException known && known.kind() != ErrorKind.INTERNAL) {
      return known;
    }
    DispatchException classified = StoreErrors.classify(error);
    if (classified.kind() == ErrorKind.INTERNAL && LOGGED.add(classified)) {
      log.error(
          "internal error in {}: {}",
          operation,
          classified.getMessage(),
          classified.getCause() != null ? classified.getCause() : classified);
    }
    return classified;
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
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration startTimeout = Duration.ofSeconds(30);
    private AgentOptions agentOptions = AgentOptions.defaults();
    private OpenTelemetry openTelemetry;

    private Builder(ConnectionFactory connections) {
      this.connections = connections;
      this.listenConnections = dedicated(connections);
    }

    /**
     * The factory a pool wraps (r2dbc-pool's {@code ConnectionPool} is {@link Wrapped}), so that
     * the long-lived LISTEN connection is one of its own and never one of the pool's: no pool size,
     * not even 1, can be used up by it.
     */
    private static ConnectionFactory dedicated(ConnectionFactory connections) {
      if (connections instanceof Wrapped<?> wrapped
          && wrapped.unwrap() instanceof ConnectionFactory inner) {
        return inner;
      }
      return connections;
    }

    /**
     * How long {@link Dispatch#close()} waits for calls in progress before it stops anyway (default
     * {@link #DEFAULT_CLOSE_TIMEOUT}).
     *
     * @param value the longest wait for calls in progress on close
     * @return this builder
     */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = value;
      return this;
    }

    /**
     * How long {@link #start()} waits for the database to answer its check (default 30 s).
     *
     * @param value the longest wait for the database check and for the LISTEN connection
     * @return this builder
     */
    public Builder startTimeout(Duration value) {
      this.startTimeout = value;
      return this;
    }

    /**
     * Checks that the database answers and carries the dispatch schema, then builds and starts the
     * pipeline (listener and background services); emits it once the LISTEN connection is up, so
     * that no work announced afterwards is missed. Errors with UNAVAILABLE when the database cannot
     * be reached (the message says why: no such database, wrong password, connection refused, no
     * answer in time) and FAILED_PRECONDITION when the migrations were not applied; nothing is left
     * running then.
     *
     * @return a Mono emitting the running instance, or erroring as above
     */
    public Mono<Dispatch> start() {
      return StartupCheck.run(connections, startTimeout)
          .then(Mono.fromCallable(this::build))
          .flatMap(dispatch -> dispatch.listening(startTimeout).thenReturn(dispatch));
    }

    /**
     * Where to record metrics (default: nowhere visible).
     *
     * @param value the registry the pipeline's counters, timers and gauges go to
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry value) {
      this.registry = value;
      return this;
    }

    /**
     * Where to take the one long-lived LISTEN connection from (default: the factory the pool wraps,
     * when {@code connections} is a pool, else {@code connections} itself).
     *
     * @param value the factory the LISTEN connection (and its replacements) come from
     * @return this builder
     */
    public Builder listenConnections(ConnectionFactory value) {
      this.listenConnections = value;
      return this;
    }

    /**
     * How often the LISTEN connection runs a check statement (default 15 s) and how long the check
     * may take (default 5 s) before the connection is replaced by a new one.
     *
     * @param interval the time between two checks of the LISTEN connection
     * @param timeout the longest a check may take before the connection is replaced
     * @return this builder
     */
    public Builder listenerCheck(Duration interval, Duration timeout) {
      this.listenerCheckInterval = interval;
      this.listenerCheckTimeout = timeout;
      return this;
    }

    /**
     * The pipeline's options (default {@link DispatchOptions#defaults()}).
     *
     * @param value the limits, leases and timeouts to run with
     * @return this builder
     */
    public Builder options(DispatchOptions value) {
      this.options = value;
      return this;
    }

    /**
     * Where the pipeline's spans go (default: none, and no span is made): command batches, the
     * hand-out of claimed workflows and tasks (in each one's trace, from its stored {@code
     * traceparent}) and maintenance runs that did something. The span a call runs under is the
     * parent of its batch span when the call puts it into the Reactor context (under {@code
     * io.opentelemetry.context.Context.class}, as the server's gRPC services do).
     *
     * @param value an OpenTelemetry whose tracer makes the spans; null for none
     * @return this builder
     */
    public Builder openTelemetry(OpenTelemetry value) {
      this.openTelemetry = value;
      return this;
    }

    /**
     * The limits and leases of durable agents (default {@link AgentOptions#defaults()}).
     *
     * @param value the options; not null
     * @return this builder
     */
    public Builder agentOptions(AgentOptions value) {
      this.agentOptions = java.util.Objects.requireNonNull(value, "agentOptions");
      return this;
    }

    /**
     * The clock this instance reads "now" from (default: the system's): the maintenance services,
     * the pipeline, and the gRPC and HTTP services over this instance ({@link Dispatch#clock()}).
     *
     * @param value the clock timers, leases, promise timeouts and retention are judged by
     * @return this builder
     */
    public Builder clock(java.time.Clock value) {
      this.clock = value;
      return this;
    }

    /**
     * Builds and starts the pipeline without checking the database first (see {@link #start()}):
     * the listener connects, and keeps retrying, in the background.
     *
     * @return the running pipeline; its LISTEN connection may not be up yet
     */
    public Dispatch build() {
      return new Dispatch(this);
    }
  }
}
