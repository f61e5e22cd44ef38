package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.SubmittedTask;
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
  private final Sweeper sweeper;
  private final NotificationListener listener;
  private final Flux<WorkSignal> signals;
  private final Sinks.Empty<Void> closing = Sinks.empty();

  private Dispatch(Builder builder) {
    DispatchOptions options = builder.options;
    this.transactor = new Transactor(builder.connections, new Announcer(builder.connections));
    DispatchMetrics metrics = new DispatchMetrics(builder.registry);
    this.sweeper = new Sweeper(transactor, options, metrics, builder.clock);
    if (options.background()) {
      this.listener = NotificationListener.start(builder.listenConnections);
      this.signals = listener.signals();
      sweeper.start();
    } else {
      this.listener = null;
      this.signals = Flux.never();
    }
    LongPoll longPoll = new LongPoll(signals, closing.asMono());
    this.batches = new CommandBatchPipeline(transactor, metrics, options, sweeper);
    this.starts = new StartWorkflowPipeline(transactor);
    this.submits = new SubmitTaskPipeline(transactor, metrics);
    this.tasks = new TaskLifecycle(transactor, options, metrics, sweeper);
    this.polls = new Polls(transactor, longPoll, options, metrics, sweeper);
    this.options = options;
    this.promises = new Promises(transactor);
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
  public Mono<StartedWorkflow> startWorkflow(StartWorkflow request) {
    return starts.start(request);
  }

  /** Applies a command batch in one transaction, all or nothing; emits what it did. */
  public Mono<BatchResult> submitCommands(CommandBatch batch) {
    return batches.submit(batch);
  }

  /** Creates a task under a server-generated id (the deprecated two-step path). */
  public Mono<SubmittedTask> submitTask(SubmitTask request) {
    return submits.submit(request);
  }

  /** Emits the workflow's events in sequence order; errors with NOT_FOUND for an unknown one. */
  public Flux<WorkflowEvent> events(UUID workflowExecutionId) {
    return transactor.read(
        tx ->
            tx.workflows()
                .tenantQueueTrace(workflowExecutionId)
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
      String tenantId,
      String queue,
      List<String> kinds,
      String workerPoolId,
      String workerId,
      Duration timeout) {
    String[] kindArray = kinds.toArray(String[]::new);
    long leaseMs = options.workflowLease().toMillis();
    return polls.poll(
        WorkSignal.Kind.WORKFLOW,
        tenantId,
        queue,
        workerId,
        timeout,
        tx ->
            tx.claims().claimWorkflow(tenantId, queue, kindArray, workerPoolId, workerId, leaseMs),
        ClaimedWorkflow::leaseExpiresAt);
  }

  /** Long-polls the next ready task of (tenant, queue); empty after {@code timeout}. */
  public Mono<ClaimedTask> pollTask(
      String tenantId, String queue, String workerPoolId, String workerId, Duration timeout) {
    long leaseMs = options.taskLease().toMillis();
    return polls.poll(
        WorkSignal.Kind.TASK,
        tenantId,
        queue,
        workerId,
        timeout,
        tx -> tx.claims().claimTask(tenantId, queue, workerPoolId, workerId, leaseMs),
        ClaimedTask::leaseExpiresAt);
  }

  /** Completes a RUNNING task (TASK_COMPLETED resumes its workflow). */
  public Mono<Void> completeTask(UUID taskId, byte[] output) {
    return tasks.complete(taskId, output);
  }

  /** Fails the task's current attempt (retried while attempts remain). */
  public Mono<Void> failTask(UUID taskId, String error) {
    return tasks.fail(taskId, error);
  }

  /** Cancels a PENDING or RUNNING task. */
  public Mono<Void> cancelTask(UUID taskId) {
    return tasks.cancel(taskId);
  }

  /** Records a heartbeat of a RUNNING task; FAILED_PRECONDITION tells the worker to stop. */
  public Mono<Void> heartbeat(UUID taskId) {
    return tasks.heartbeat(taskId, null, null);
  }

  /** Records progress (0..1) of a RUNNING task; counts as a heartbeat. */
  public Mono<Void> reportProgress(UUID taskId, double progress, String details) {
    return tasks.heartbeat(taskId, progress, details);
  }

  /** Resolves a promise by its global id ({@code <workflow id>:<promise id>}). */
  public Mono<Void> resolvePromise(String promiseId, byte[] value) {
    return promises.resolve(promiseId, value);
  }

  /** Rejects a promise by its global id. */
  public Mono<Void> rejectPromise(String promiseId, String error) {
    return promises.reject(promiseId, error);
  }

  /**
   * Emits a signal each time work may have appeared on (tenant, queue); completes on {@link
   * #stopSubscriptions()} or {@link #close()}, errors never.
   */
  public Flux<WorkSignal> workSignals(String tenantId, String queue) {
    return signals
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
