package ai.flovyn.dispatch.examples.embedded;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchDatabase;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import io.r2dbc.pool.ConnectionPool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The README's example: start a workflow, schedule a task, run it, read the workflow's events. */
public final class ReadmeExample {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ReadmeExample() {}

  /** Runs the example on the database the R2DBC URL names; returns the workflow's event types. */
  public static List<String> run(String r2dbcUrl) {
    DispatchDatabase database = DispatchDatabase.fromUrl(r2dbcUrl);
    database.migrate().block(); // the schema, from the same settings as the pool
    ConnectionPool pool = database.pool(4); // the LISTEN connection is not one of the 4
    try (Dispatch dispatch = Dispatch.builder(pool).start().block(WAIT)) {
      byte[] order = "{\"order\":42}".getBytes(StandardCharsets.UTF_8);
      UUID taskId = UUID.randomUUID(); // the client generates task ids
      Scope acme = Scope.tenant("acme"); // whose objects these calls may see
      // polls claim the oldest ready work of a queue: one of this run's own keeps the workflow and
      // the task this run makes apart from any other run's on the same database
      String queue = "checkout-" + UUID.randomUUID();

      // a workflow worker: start, claim the activation, answer with a command batch
      UUID workflowId =
          dispatch
              .startWorkflow(
                  acme, StartWorkflow.builder("acme", "checkout").input(order).queue(queue).build())
              .then(dispatch.pollWorkflow(acme, "acme", queue, List.of(), null, "wf-1", WAIT))
              .flatMap(
                  claimed ->
                      dispatch
                          .submitCommands(
                              acme,
                              CommandBatch.builder(claimed.id())
                                  .commands(
                                      List.of(Command.scheduleTask(taskId, "send-email", order)))
                                  .status(RequestedStatus.SUSPENDED) // all or nothing
                                  .build())
                          .thenReturn(claimed))
              .map(ClaimedWorkflow::id)
              .block(WAIT);

      // a task worker (tasks go to their workflow's queue): the demand (here 1) is how many tasks
      // it runs at once
      dispatch
          .tasks(acme, TaskSubscription.of("acme", queue, "task-1"))
          .take(1)
          .concatMap(
              task ->
                  dispatch.completeTask(
                      acme, task.id(), "{\"sent\":true}".getBytes(StandardCharsets.UTF_8)))
          .blockLast(WAIT);

      return dispatch
          .events(acme, workflowId)
          .map(WorkflowEvent::eventType)
          .collectList()
          .block(WAIT);
    } finally {
      pool.dispose(); // after the Dispatch closed
    }
  }
}
