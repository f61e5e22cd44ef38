package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.maintenance.Sweeper;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.testing.BatchPath;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A group of command batches applied as group commit applies it (the group's call, then each
 * batch's step in the group's order, in one transaction), against the real database: the outcome of
 * each batch is the one it would have had applied alone, in that order.
 */
@BatchPath.Both
class GroupApplyIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;
  private static Dispatch dispatch;
  private static Transactor transactor;
  private static CommandBatchPipeline pipeline;

  // this run's path (BatchPath.Both), which the set-up takes as its argument
  @Parameter BatchPath path;

  @BeforeParameterizedClassInvocation
  static void database(BatchPath path) {
    db = TestDatabase.create();
    DispatchOptions options =
        path.options(DispatchOptions.defaults().toBuilder().background(false).build());
    dispatch = Dispatch.builder(db.connectionFactory()).options(options).build();
    transactor = new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory()));
    DispatchMetrics metrics = new DispatchMetrics(new SimpleMeterRegistry());
    pipeline =
        new CommandBatchPipeline(
            transactor,
            metrics,
            options,
            new Sweeper(transactor, options, metrics, Clock.systemUTC()));
  }

  @AfterParameterizedClassInvocation
  static void drop() {
    db.close();
  }

  // started and claimed by a worker (a batch is accepted only from the worker holding the claim)
  private static UUID claimed(String queue) {
    UUID id =
        dispatch
            .startWorkflow(
                Scope.unrestricted(), StartWorkflow.builder("t", "k").queue(queue).build())
            .block(WAIT)
            .workflowExecutionId();
    claim(queue, id);
    return id;
  }

  private static void claim(String queue, UUID id) {
    assertEquals(
        id,
        dispatch
            .pollWorkflow(Scope.unrestricted(), "t", queue, List.of(), null, "w", Duration.ZERO)
            .block(WAIT)
            .id());
  }

  private static BatchPlan plan(UUID workflow, RequestedStatus status, Command... commands) {
    return BatchPlan.of(
        new CommandBatch(workflow, List.of(commands), status), Scope.unrestricted());
  }

  // each batch's outcome: "ok", or the kind of its own error
  private static List<String> applyGroup(List<BatchPlan> plans) {
    return transactor
        .inTransaction(
            tx ->
                pipeline
                    .applyGroup(tx, plans)
                    .flatMapMany(
                        steps ->
                            Flux.fromIterable(steps)
                                .concatMap(
                                    step ->
                                        step.map(applied -> "ok")
                                            .onErrorResume(
                                                DispatchException.class,
                                                error -> Mono.just(error.kind().name()))))
                    .collectList())
        .block(WAIT);
  }

  private static List<String> events(UUID workflow) {
    return db
        .rows(
            "SELECT event_type FROM workflow_events WHERE workflow_execution_id = ?"
                + " ORDER BY sequence_number",
            workflow)
        .stream()
        .map(row -> (String) row.get("event_type"))
        .toList();
  }

  @Test
  void twoBatchesOfOneWorkflowKeepTheirOrder() {
    UUID workflow = claimed("order");
    // the first one is not for the group's call (a timer), the second would be
    List<String> outcomes =
        applyGroup(
            List.of(
                plan(workflow, RequestedStatus.RUNNING, new Command.StartTimer("t1", 60_000)),
                plan(
                    workflow,
                    RequestedStatus.COMPLETED,
                    new Command.CompleteWorkflow(new byte[] {1}))));

    assertEquals(List.of("ok", "ok"), outcomes);
    assertEquals(
        List.of("WORKFLOW_STARTED", "TIMER_STARTED", "WORKFLOW_COMPLETED"), events(workflow));
  }

  @Test
  void aBatchTheCallHandedBackSeesWhatTheStepsBeforeItWrote() {
    UUID parent = claimed("family");
    // the child's id sorts after the parent's: the parent's step runs first
    UUID child = new UUID(parent.getMostSignificantBits() + 1, 0);
    dispatch
        .submitCommands(
            Scope.unrestricted(),
            new CommandBatch(
                parent,
                List.of(
                    new Command.ScheduleChildWorkflow(
                        "c", "k", null, child, new byte[0], "family", 0)),
                RequestedStatus.RUNNING))
        .block(WAIT);
    claim("family", child);

    // the parent cancels its child while the child completes (handed back by the call: a child
    // that finishes reports to its parent)
    List<String> outcomes =
        applyGroup(
            List.of(
                plan(
                    parent,
                    RequestedStatus.SUSPENDED,
                    new Command.RequestCancelChildWorkflow("c", child, "stop")),
                plan(child, RequestedStatus.COMPLETED, new Command.CompleteWorkflow(new byte[0]))));

    // as applied one after the other: the child was cancelled first, its completion is refused
    assertEquals(List.of("ok", "FAILED_PRECONDITION"), outcomes);
    assertEquals(List.of("WORKFLOW_STARTED", "WORKFLOW_CANCELLED"), events(child));
  }
}
