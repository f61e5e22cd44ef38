package ai.flovyn.dispatch.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a finished task writes, and what an activation reads: a completion is one statement that
 * writes one version of each row it must (the task, its attempt, its event, its workflow); the
 * wake-up of a workflow that is already PENDING or RUNNING is a HOT update (no index entry, a dead
 * version page pruning can reclaim without vacuum); GetEvents is one statement.
 */
class CompletionChurnIT {
  private static final String TENANT = "t";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;
  private static Dispatch dispatch;
  private static final AtomicInteger statements = new AtomicInteger();

  @BeforeAll
  static void countingPipeline() {
    db = TestDatabase.create();
    // one connection per unit of work, closed after it: a backend flushes its statistics when it
    // exits, so the tests that read them know when every write before has been counted
    ConnectionFactory counted =
        ProxyConnectionFactory.builder(db.connectionFactoryUnpooled())
            .listener(
                new ProxyExecutionListener() {
                  @Override
                  public void beforeQuery(QueryExecutionInfo execution) {
                    // post-commit announcements run asynchronously and are batched on their own
                    execution.getQueries().stream()
                        .filter(query -> !query.getQuery().contains("pg_notify"))
                        .forEach(query -> statements.incrementAndGet());
                  }
                })
            .build();
    dispatch =
        Dispatch.builder(counted)
            .options(DispatchOptions.defaults().toBuilder().background(false).build())
            .build();
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  @Test
  void aCompletionWritesOneVersionOfTheTaskItsAttemptItsEventAndItsWorkflow() {
    String queue = "q-" + UUID.randomUUID();
    UUID workflow = claimedWorkflow();
    UUID task = scheduleAndClaim(workflow, queue, 1).get(0);
    statements.set(0);

    dispatch.completeTask(Scope.unrestricted(), task, json("{\"ok\":1}")).block(WAIT);

    assertEquals(1, statements.get(), "a lone completion is one statement");
    // every row the completion wrote carries its transaction id
    String xid =
        db.rows(
                "SELECT xmin::text AS xid FROM workflow_events"
                    + " WHERE workflow_execution_id = ? AND event_type = 'TASK_COMPLETED'",
                workflow)
            .get(0)
            .get("xid")
            .toString();
    assertEquals(1, written("task_executions", xid));
    assertEquals(1, written("task_attempts", xid));
    assertEquals(1, written("workflow_events", xid));
    assertEquals(1, written("workflow_executions", xid));
    assertEquals(
        0, written("timers", xid) + written("promises", xid) + written("workflow_state", xid));
  }

  @Test
  void theWakeUpOfAWorkflowAlreadyPendingIsAHotUpdate() throws Exception {
    String queue = "q-" + UUID.randomUUID();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, 2, RequestedStatus.SUSPENDED);
    // the first outcome makes the WAITING workflow PENDING: a status change, which its indexes see
    dispatch.completeTask(Scope.unrestricted(), tasks.get(0), json("1")).block(WAIT);
    assertEquals("PENDING", status(workflow));
    long updates = counted("n_tup_upd");
    long hot = counted("n_tup_hot_upd");

    dispatch.completeTask(Scope.unrestricted(), tasks.get(1), json("2")).block(WAIT);

    assertEquals(updates + 1, counted("n_tup_upd"), "the second wake-up");
    assertEquals(
        hot + 1,
        counted("n_tup_hot_upd"),
        "only the sequence and the history's size changed: no index entry");
    assertEquals("PENDING", status(workflow));
  }

  @Test
  void theWakeUpOfARunningWorkflowIsAHotUpdate() throws Exception {
    String queue = "q-" + UUID.randomUUID();
    UUID workflow = claimedWorkflow();
    UUID task = scheduleAndClaim(workflow, queue, 1, RequestedStatus.RUNNING).get(0);
    long updates = counted("n_tup_upd");
    long hot = counted("n_tup_hot_upd");

    dispatch.completeTask(Scope.unrestricted(), task, json("1")).block(WAIT);

    assertEquals(updates + 1, counted("n_tup_upd"), "the wake-up");
    assertEquals(hot + 1, counted("n_tup_hot_upd"), "it only remembers to resume");
    assertEquals(
        true,
        db.rows("SELECT resume_pending FROM workflow_executions WHERE id = ?", workflow)
            .get(0)
            .get("resume_pending"));
  }

  @Test
  void getEventsIsOneStatementAndStillTellsAnUnknownWorkflowApart() {
    String queue = "q-" + UUID.randomUUID();
    UUID workflow = claimedWorkflow();
    scheduleAndClaim(workflow, queue, 3);
    statements.set(0);

    List<WorkflowEvent> events =
        dispatch.events(Scope.unrestricted(), workflow).collectList().block(WAIT);

    assertEquals(1, statements.get(), "the workflow's check and its log in one statement");
    assertEquals(
        IntStream.rangeClosed(1, events.size()).boxed().toList(),
        events.stream().map(WorkflowEvent::sequenceNumber).toList());
    assertEquals(
        db.scalar("SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", workflow),
        events.size());
    assertEquals("WORKFLOW_STARTED", events.get(0).eventType());
    assertEquals(3, events.stream().filter(e -> e.eventType().equals("TASK_SCHEDULED")).count());

    for (Scope scope : List.of(Scope.unrestricted(), Scope.tenant("another-tenant"))) {
      UUID unknown = scope == Scope.unrestricted() ? UUID.randomUUID() : workflow;
      DispatchException error =
          org.junit.jupiter.api.Assertions.assertThrows(
              DispatchException.class,
              () -> dispatch.events(scope, unknown).collectList().block(WAIT));
      assertEquals(ErrorKind.NOT_FOUND, error.kind());
    }
  }

  @Test
  void getEventsOfAWorkflowWithAnEmptyLogIsEmpty() {
    UUID workflow = claimedWorkflow();
    db.execute("DELETE FROM workflow_events WHERE workflow_execution_id = ?", workflow);

    assertEquals(
        List.of(), dispatch.events(Scope.unrestricted(), workflow).collectList().block(WAIT));
  }

  private static long written(String table, String xid) {
    return db.scalar("SELECT count(*) FROM " + table + " WHERE xmin::text = ?", xid);
  }

  /**
   * A counter of workflow_executions once every write before is in it: the backends that wrote have
   * exited (each flushes its statistics on exit) and the counter has settled.
   */
  private static long counted(String column) throws InterruptedException {
    Await.until(
        () ->
            db.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
                == 0,
        "the writing backends to exit");
    return Await.stable(
        () ->
            (int)
                db.scalar(
                    "SELECT "
                        + column
                        + " FROM pg_stat_user_tables WHERE relname = 'workflow_executions'"));
  }

  private static String status(UUID workflow) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?", workflow)
            .get(0)
            .get("status");
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // started and claimed (a batch is accepted only from the worker holding the claim)
  private static UUID claimedWorkflow() {
    String queue = "wq-" + UUID.randomUUID();
    UUID id =
        dispatch
            .startWorkflow(
                Scope.unrestricted(),
                new StartWorkflow(
                    TENANT,
                    "k",
                    new byte[0],
                    Map.of(),
                    queue,
                    0,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null))
            .block(WAIT)
            .workflowExecutionId();
    UUID claimed =
        dispatch
            .pollWorkflow(Scope.unrestricted(), TENANT, queue, List.of(), null, "w", Duration.ZERO)
            .block(WAIT)
            .id();
    assertEquals(id, claimed);
    return id;
  }

  private static List<UUID> scheduleAndClaim(UUID workflow, String queue, int count) {
    return scheduleAndClaim(workflow, queue, count, RequestedStatus.SUSPENDED);
  }

  private static List<UUID> scheduleAndClaim(
      UUID workflow, String queue, int count, RequestedStatus status) {
    List<UUID> tasks = IntStream.range(0, count).mapToObj(i -> UUID.randomUUID()).toList();
    List<Command> commands =
        tasks.stream()
            .<Command>map(
                id ->
                    new Command.ScheduleTask(
                        id, "work", json("{}"), 3, null, queue, null, null, null))
            .toList();
    dispatch
        .submitCommands(Scope.unrestricted(), new CommandBatch(workflow, commands, status))
        .block(WAIT);
    List<UUID> claimed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      claimed.add(
          dispatch
              .pollTask(Scope.unrestricted(), TENANT, queue, null, "worker", Duration.ZERO)
              .block(WAIT)
              .id());
    }
    assertTrue(claimed.containsAll(tasks), "every scheduled task claimed");
    return tasks;
  }
}
