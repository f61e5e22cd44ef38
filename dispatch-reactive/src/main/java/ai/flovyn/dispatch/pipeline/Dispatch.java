package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.SubmittedTask;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.store.Transactor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The dispatch pipeline as an embeddable Reactor library: start workflows, apply command batches
 * (creating tasks under client-generated ids), read event logs. Everything is non-blocking and
 * lazy: nothing happens until the returned publisher is subscribed. Errors are {@link
 * DispatchException}s whose {@link DispatchException#kind() kind} says what to do.
 *
 * <p>The database must carry the schema of the {@code migrations} module.
 */
public final class Dispatch {
  private final Transactor transactor;
  private final CommandBatchPipeline batches;
  private final StartWorkflowPipeline starts;
  private final SubmitTaskPipeline submits;

  private Dispatch(ConnectionFactory connections, MeterRegistry registry) {
    this.transactor = new Transactor(connections);
    DispatchMetrics metrics = new DispatchMetrics(registry);
    this.batches = new CommandBatchPipeline(transactor, metrics);
    this.starts = new StartWorkflowPipeline(transactor);
    this.submits = new SubmitTaskPipeline(transactor, metrics);
  }

  /** A pipeline over {@code connections} (ideally an r2dbc-pool), recording metrics nowhere. */
  public static Dispatch create(ConnectionFactory connections) {
    return new Dispatch(connections, new SimpleMeterRegistry());
  }

  /** A pipeline over {@code connections} recording its metrics in {@code registry}. */
  public static Dispatch create(ConnectionFactory connections, MeterRegistry registry) {
    return new Dispatch(connections, registry);
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
}
