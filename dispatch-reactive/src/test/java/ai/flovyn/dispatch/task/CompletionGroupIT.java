package ai.flovyn.dispatch.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.store.Notifier;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.BatchPath;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.MethodExecutionInfo;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;

/**
 * Concurrent CompleteTask / FailTask calls share one transaction and one statement (group commit),
 * and each call still gets the answer it would have had alone. Groups are formed deterministically:
 * with one committer, a first call is held on a workflow row lock the test owns while the calls
 * under test queue behind it; releasing the lock lets them run as one group.
 */
@BatchPath.Both
class CompletionGroupIT {
  private static final String TENANT = "t";
  private static final long HISTORY_LIMIT = 20_000;
  private static TestDatabase db;
  private static Dispatch dispatch;
  // one per run: a gauge stays bound to the pipeline that registered it first
  private static SimpleMeterRegistry registry;
  private static final AtomicInteger statements = new AtomicInteger();
  private static final AtomicInteger transactions = new AtomicInteger();

  // this run's path (BatchPath.Both), which the set-up takes as its argument
  @Parameter BatchPath path;

  @BeforeParameterizedClassInvocation
  static void groupedPipeline(BatchPath path) {
    db = TestDatabase.create();
    registry = new SimpleMeterRegistry();
    ConnectionFactory counted =
        ProxyConnectionFactory.builder(db.connectionFactory())
            .listener(
                new ProxyExecutionListener() {
                  @Override
                  public void beforeQuery(QueryExecutionInfo execution) {
                    // post-commit announcements run asynchronously and are batched on their own
                    execution.getQueries().stream()
                        .filter(query -> !query.getQuery().contains("pg_notify"))
                        .forEach(query -> statements.incrementAndGet());
                  }

                  @Override
                  public void beforeMethod(MethodExecutionInfo method) {
                    if (method.getMethod().getName().equals("beginTransaction")) {
                      transactions.incrementAndGet();
                    }
                  }
                })
            .build();
    dispatch =
        Dispatch.builder(counted)
            .meterRegistry(registry)
            .options(
                path.options(
                    DispatchOptions.defaults().toBuilder()
                        .background(false)
                        .groupCommit(1, 64)
                        .maxHistoryBytes(HISTORY_LIMIT)
                        .build()))
            .build();
    // faults injected per call, by the error text of a failed attempt
    db.execute(
        "CREATE FUNCTION test_attempt_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.error = 'poison' THEN"
            + " RAISE EXCEPTION 'poisoned attempt' USING ERRCODE = '22023'; END IF;"
            + " IF NEW.error = 'database away' THEN"
            + " RAISE EXCEPTION 'statement cancelled' USING ERRCODE = '57014'; END IF;"
            + " RETURN NEW; END $$");
    db.execute(
        "CREATE TRIGGER test_attempt_fault BEFORE INSERT ON task_attempts"
            + " FOR EACH ROW EXECUTE FUNCTION test_attempt_fault()");
  }

  @AfterParameterizedClassInvocation
  static void drop() {
    dispatch.close();
    db.close();
  }

  @Test
  void tenConcurrentCompletionsOfOneWorkflowAreOneStatementAndNumberTheirEventsGaplessly()
      throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, 10);
    long sequenceBefore = sequence(workflow);
    double groupsBefore = groupSizes().count();
    double callsBefore = groupSizes().totalAmount();

    List<Signal<Void>> answers =
        inOneGroup(
            IntStream.range(0, 10)
                .mapToObj(
                    i ->
                        dispatch.completeTask(
                            Scope.unrestricted(), tasks.get(i), json("{\"i\":" + i + "}")))
                .toList());

    answers.forEach(answer -> assertTrue(answer.isOnComplete(), answer.toString()));
    assertEquals(1, statements.get(), "ten completions, one statement");
    assertEquals(2, groupSizes().count() - groupsBefore, "the held call's group, then this one");
    assertEquals(11, groupSizes().totalAmount() - callsBefore);
    List<Map<String, Object>> completed =
        db.rows(
            "SELECT sequence_number, event_data FROM workflow_events"
                + " WHERE workflow_execution_id = ? AND event_type = 'TASK_COMPLETED'"
                + " ORDER BY sequence_number",
            workflow);
    assertEquals(10, completed.size());
    for (int i = 0; i < 10; i++) {
      assertEquals((int) sequenceBefore + 1 + i, completed.get(i).get("sequence_number"));
    }
    for (int i = 0; i < 10; i++) {
      String data = (String) completed.get(i).get("event_data");
      assertTrue(data.contains("\"taskExecutionId\":\"" + tasks.get(i) + "\""), data);
      assertTrue(data.contains("\"output\":{\"i\":" + i + "}"), data);
    }
    assertEquals(sequenceBefore + 10, sequence(workflow));
    assertEquals(
        sequence(workflow),
        db.scalar("SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", workflow),
        "gapless from 1");
    assertEquals(
        10,
        db.scalar(
            "SELECT count(*) FROM workflow_events e"
                + " JOIN workflow_executions w ON w.id = e.workflow_execution_id"
                + " WHERE w.id = ? AND e.event_type = 'TASK_COMPLETED' AND e.xmin = w.xmin",
            workflow),
        "the events and the one wake-up of the workflow come from one transaction");
    assertEquals("PENDING", workflowStatus(workflow));
    assertEquals(historyOf(workflow), historyBytes(workflow));
    assertEquals(
        10,
        db.scalar(
            "SELECT count(*) FROM task_attempts WHERE outcome = 'COMPLETED'"
                + " AND task_execution_id = ANY(?::uuid[])",
            (Object) tasks.stream().map(UUID::toString).toArray(String[]::new)));
  }

  @Test
  void aLoneCompletionIsOneStatement() {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    UUID task = scheduleAndClaim(workflow, queue, 1).get(0);
    statements.set(0);
    transactions.set(0);

    dispatch.completeTask(Scope.unrestricted(), task, json("1")).block(Duration.ofSeconds(30));

    assertEquals(1, statements.get());
    assertEquals(0, transactions.get(), "one statement needs no BEGIN and COMMIT round trips");
    assertEquals("PENDING", workflowStatus(workflow));
  }

  @Test
  void aCompletionThatWakesItsWorkflowAnnouncesItWithoutATransaction() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    UUID task = scheduleAndClaim(workflow, queue, 1).get(0);
    String workflowQueue =
        (String)
            db.rows("SELECT queue FROM workflow_executions WHERE id = ?", workflow)
                .get(0)
                .get("queue");
    String expected = new WorkSignal(WorkSignal.Kind.WORKFLOW, TENANT, workflowQueue).payload();
    try (java.sql.Connection listener = db.jdbc()) {
      listener.createStatement().execute("LISTEN " + Notifier.CHANNEL);
      PGConnection pg = listener.unwrap(PGConnection.class);

      dispatch.completeTask(Scope.unrestricted(), task, json("1")).block(Duration.ofSeconds(30));

      // the group ran in autocommit mode: the wake-up still goes out once it has written
      List<String> received = new ArrayList<>();
      Await.until(
          () -> {
            try {
              PGNotification[] batch = pg.getNotifications(100);
              if (batch != null) {
                Arrays.stream(batch).map(PGNotification::getParameter).forEach(received::add);
              }
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
            return received.contains(expected);
          },
          "the workflow's wake-up announcement");
    }
  }

  @Test
  void eachCallOfAGroupGetsItsOwnAnswerAndARefusedOneWritesNothing() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, 3);
    UUID fresh = tasks.get(0);
    UUID done = tasks.get(1);
    UUID other = tasks.get(2);
    dispatch.completeTask(Scope.unrestricted(), done, json("1")).block(Duration.ofSeconds(30));
    dispatch.completeTask(Scope.unrestricted(), other, json("1")).block(Duration.ofSeconds(30));
    String nearQueue = queue();
    UUID nearLimit = claimedWorkflow();
    List<UUID> nearTasks = scheduleAndClaim(nearLimit, nearQueue, 2);
    UUID big = nearTasks.get(0);
    UUID small = nearTasks.get(1);
    long nearBytes = historyBytes(nearLimit);
    long nearSequence = sequence(nearLimit);
    UUID unknown = UUID.randomUUID();

    List<Signal<Void>> answers =
        inOneGroup(
            List.of(
                dispatch.completeTask(Scope.unrestricted(), fresh, json("{\"ok\":true}")),
                dispatch.completeTask(Scope.unrestricted(), unknown, json("1")),
                dispatch.completeTask(Scope.unrestricted(), done, json("1")),
                dispatch.completeTask(Scope.unrestricted(), other, json("2")),
                dispatch.completeTask(
                    Scope.unrestricted(), big, json("\"" + "x".repeat(25_000) + "\"")),
                dispatch.completeTask(Scope.unrestricted(), small, json("\"fits\""))));

    assertTrue(answers.get(0).isOnComplete(), "the fresh completion: " + answers.get(0));
    assertEquals(ErrorKind.NOT_FOUND, kind(answers.get(1)));
    assertTrue(answers.get(2).isOnComplete(), "the same completion again: " + answers.get(2));
    assertEquals(ErrorKind.FAILED_PRECONDITION, kind(answers.get(3)));
    assertEquals(ErrorKind.RESOURCE_EXHAUSTED, kind(answers.get(4)));
    assertTrue(answers.get(4).getThrowable().getMessage().contains("history"));
    assertTrue(answers.get(5).isOnComplete(), "a completion after the refused one fits");

    // the refused completion left no trace: task still RUNNING, no attempt, no event
    Map<String, Object> bigRow =
        db.rows("SELECT status, output, completed_at FROM task_executions WHERE id = ?", big)
            .get(0);
    assertEquals("RUNNING", bigRow.get("status"));
    assertNull(bigRow.get("output"));
    assertNull(bigRow.get("completed_at"));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_attempts WHERE task_execution_id = ?", big));
    assertEquals(
        0,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE identity = 'TASK_FINISHED:' || ?::text",
            big.toString()));
    // only the small completion reached the workflow near its limit
    assertEquals(nearSequence + 1, sequence(nearLimit));
    assertEquals(
        List.of("TASK_COMPLETED"),
        db
            .rows(
                "SELECT event_type FROM workflow_events WHERE workflow_execution_id = ?"
                    + " AND sequence_number > ?",
                nearLimit,
                (int) nearSequence)
            .stream()
            .map(row -> row.get("event_type"))
            .toList());
    assertTrue(historyBytes(nearLimit) > nearBytes && historyBytes(nearLimit) < HISTORY_LIMIT);
    assertEquals(historyOf(nearLimit), historyBytes(nearLimit));
    // the repeat and the rejected call changed nothing
    assertEquals(
        1, db.scalar("SELECT count(*) FROM task_attempts WHERE task_execution_id = ?", done));
    assertEquals(
        "1",
        new String(
            (byte[])
                db.rows("SELECT output FROM task_executions WHERE id = ?", other)
                    .get(0)
                    .get("output"),
            StandardCharsets.UTF_8));
    assertEquals(
        3,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?"
                + " AND event_type = 'TASK_COMPLETED'",
            workflow));
    assertEquals(
        sequence(workflow),
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", workflow));
  }

  @Test
  void aFailureWithRetriesLeftInAGroupIsRescheduledAndAppendsNothing() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, List.of(2, 0, 3));
    UUID retried = tasks.get(0);
    UUID failed = tasks.get(1);
    UUID completed = tasks.get(2);
    long sequenceBefore = sequence(workflow);

    List<Signal<Void>> answers =
        inOneGroup(
            List.of(
                dispatch.failTask(Scope.unrestricted(), retried, "boom"),
                dispatch.completeTask(Scope.unrestricted(), completed, json("{}")),
                dispatch.failTask(Scope.unrestricted(), failed, "bad\0input")));

    answers.forEach(answer -> assertTrue(answer.isOnComplete(), answer.toString()));
    Map<String, Object> retry =
        db.rows(
                "SELECT status, error, worker_id, completed_at, visible_at > now() AS later"
                    + " FROM task_executions WHERE id = ?",
                retried)
            .get(0);
    assertEquals("PENDING", retry.get("status"));
    assertEquals("boom", retry.get("error"));
    assertNull(retry.get("worker_id"));
    assertNull(retry.get("completed_at"));
    assertEquals(true, retry.get("later"), "visible again after its backoff");
    assertEquals(
        "FAILED",
        db.rows(
                "SELECT outcome FROM task_attempts WHERE task_execution_id = ? AND error = 'boom'",
                retried)
            .get(0)
            .get("outcome"));
    assertEquals(
        0,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE identity = 'TASK_FINISHED:' || ?::text",
            retried.toString()),
        "no event for an intermediate attempt");
    Map<String, Object> gaveUp =
        db.rows("SELECT status, error, completed_at FROM task_executions WHERE id = ?", failed)
            .get(0);
    assertEquals("FAILED", gaveUp.get("status"));
    assertEquals("bad\uFFFDinput", gaveUp.get("error"));
    assertNotNull(gaveUp.get("completed_at"));
    List<Map<String, Object>> appended =
        db.rows(
            "SELECT sequence_number, event_type, event_data FROM workflow_events"
                + " WHERE workflow_execution_id = ? AND sequence_number > ?"
                + " ORDER BY sequence_number",
            workflow,
            (int) sequenceBefore);
    assertEquals(2, appended.size());
    assertEquals("TASK_COMPLETED", appended.get(0).get("event_type"));
    assertEquals((int) sequenceBefore + 1, appended.get(0).get("sequence_number"));
    assertEquals("TASK_FAILED", appended.get(1).get("event_type"));
    assertEquals((int) sequenceBefore + 2, appended.get(1).get("sequence_number"));
    String failure = (String) appended.get(1).get("event_data");
    assertTrue(failure.contains("\"taskExecutionId\":\"" + failed + "\""), failure);
    assertTrue(failure.contains("bad\\ufffdinput") || failure.contains("bad\uFFFDinput"), failure);
    assertEquals("PENDING", workflowStatus(workflow));

    // the same failure again is success and adds no attempt
    dispatch.failTask(Scope.unrestricted(), retried, "boom").block(Duration.ofSeconds(30));
    assertEquals(
        1, db.scalar("SELECT count(*) FROM task_attempts WHERE task_execution_id = ?", retried));
  }

  @Test
  void aTaskNamedTwiceInOneGroupIsAnsweredAsIfTheCallsRanOneAfterTheOther() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    UUID task = scheduleAndClaim(workflow, queue, 1).get(0);

    List<Signal<Void>> answers =
        inOneGroup(
            List.of(
                dispatch.completeTask(Scope.unrestricted(), task, json("1")),
                dispatch.completeTask(Scope.unrestricted(), task, json("1")),
                dispatch.completeTask(Scope.unrestricted(), task, json("2"))));

    assertTrue(answers.get(0).isOnComplete(), answers.get(0).toString());
    assertTrue(answers.get(1).isOnComplete(), "a repeat is success: " + answers.get(1));
    assertEquals(ErrorKind.FAILED_PRECONDITION, kind(answers.get(2)));
    assertEquals(
        1, db.scalar("SELECT count(*) FROM task_attempts WHERE task_execution_id = ?", task));
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE identity = 'TASK_FINISHED:' || ?::text",
            task.toString()));
  }

  @Test
  void aGroupFailingOnOneCallsDataRunsEachCallAloneAndOnlyThatOneFails() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, List.of(0, 0, 0));

    List<Signal<Void>> answers =
        inOneGroup(
            List.of(
                dispatch.completeTask(Scope.unrestricted(), tasks.get(0), json("1")),
                dispatch.failTask(Scope.unrestricted(), tasks.get(1), "poison"),
                dispatch.completeTask(Scope.unrestricted(), tasks.get(2), json("2"))));

    assertTrue(answers.get(0).isOnComplete(), answers.get(0).toString());
    assertEquals(ErrorKind.INTERNAL, kind(answers.get(1)));
    assertTrue(answers.get(2).isOnComplete(), answers.get(2).toString());
    assertEquals("COMPLETED", taskStatus(tasks.get(0)));
    assertEquals("RUNNING", taskStatus(tasks.get(1)));
    assertEquals("COMPLETED", taskStatus(tasks.get(2)));
    assertEquals(
        sequence(workflow),
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", workflow));
  }

  @Test
  void aGroupWhoseDatabaseIsUnavailableFailsEveryCallAndWritesNothing() throws Exception {
    String queue = queue();
    UUID workflow = claimedWorkflow();
    List<UUID> tasks = scheduleAndClaim(workflow, queue, List.of(0, 0, 0));
    long sequenceBefore = sequence(workflow);

    List<Signal<Void>> answers =
        inOneGroup(
            List.of(
                dispatch.completeTask(Scope.unrestricted(), tasks.get(0), json("1")),
                dispatch.failTask(Scope.unrestricted(), tasks.get(1), "database away"),
                dispatch.completeTask(Scope.unrestricted(), tasks.get(2), json("2"))));

    answers.forEach(answer -> assertEquals(ErrorKind.UNAVAILABLE, kind(answer)));
    tasks.forEach(task -> assertEquals("RUNNING", taskStatus(task)));
    assertEquals(sequenceBefore, sequence(workflow));
    assertEquals(
        0,
        db.scalar(
            "SELECT count(*) FROM task_attempts WHERE task_execution_id = ANY(?::uuid[])",
            (Object) tasks.stream().map(UUID::toString).toArray(String[]::new)));
  }

  // Holds a first call on a workflow row lock (one committer: nothing else runs), queues the calls
  // behind it, then releases the lock: the calls run as one group. Counts that group's statements.
  private static List<Signal<Void>> inOneGroup(List<Mono<Void>> calls) throws Exception {
    String queue = queue();
    UUID blocker = claimedWorkflow();
    UUID held = scheduleAndClaim(blocker, queue, 1).get(0);
    List<Signal<Void>> answers = new ArrayList<>();
    try (Connection lock = db.jdbc()) {
      lock.setAutoCommit(false);
      try (PreparedStatement select =
          lock.prepareStatement("SELECT 1 FROM workflow_executions WHERE id = ? FOR UPDATE")) {
        select.setObject(1, blocker);
        select.executeQuery().close();
      }
      CompletableFuture<Signal<Void>> first =
          dispatch.completeTask(Scope.unrestricted(), held, json("0")).materialize().toFuture();
      Await.until(
          () ->
              db.scalar(
                      "SELECT count(*) FROM pg_stat_activity"
                          + " WHERE datname = current_database() AND wait_event_type = 'Lock'")
                  == 1,
          "the first group waiting on the lock");
      List<CompletableFuture<Signal<Void>>> queued =
          calls.stream().map(call -> call.materialize().toFuture()).toList();
      Await.until(
          () -> registry.get("dispatch_task_outcomes_queued").gauge().value() == calls.size(),
          "every call queued");
      statements.set(0);
      lock.rollback();
      assertTrue(first.get(30, TimeUnit.SECONDS).isOnComplete());
      for (CompletableFuture<Signal<Void>> answer : queued) {
        answers.add(answer.get(30, TimeUnit.SECONDS));
      }
    }
    return answers;
  }

  private static DistributionSummary groupSizes() {
    return registry.get("dispatch_task_outcome_group_size").summary();
  }

  private static ErrorKind kind(Signal<Void> answer) {
    assertTrue(answer.isOnError(), "expected an error, got " + answer);
    return ((DispatchException) answer.getThrowable()).kind();
  }

  private static String queue() {
    return "q-" + UUID.randomUUID();
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // started and claimed (a batch is accepted only from the worker holding the claim)
  private static UUID claimedWorkflow() {
    String queue = queue();
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
            .block(Duration.ofSeconds(30))
            .workflowExecutionId();
    UUID claimed =
        dispatch
            .pollWorkflow(Scope.unrestricted(), TENANT, queue, List.of(), null, "w", Duration.ZERO)
            .block(Duration.ofSeconds(30))
            .id();
    assertEquals(id, claimed);
    return id;
  }

  // schedules tasks on the task queue (the workflow suspends: WAITING) and claims them, in order
  private static List<UUID> scheduleAndClaim(UUID workflow, String queue, int count) {
    return scheduleAndClaim(workflow, queue, Collections.nCopies(count, 3));
  }

  // one task per entry, with that many retries
  private static List<UUID> scheduleAndClaim(
      UUID workflow, String queue, List<Integer> maxRetries) {
    int count = maxRetries.size();
    List<UUID> tasks = IntStream.range(0, count).mapToObj(i -> UUID.randomUUID()).toList();
    List<Command> commands =
        IntStream.range(0, count)
            .<Command>mapToObj(
                i ->
                    new Command.ScheduleTask(
                        tasks.get(i),
                        "work",
                        json("{}"),
                        maxRetries.get(i),
                        null,
                        queue,
                        null,
                        null,
                        null))
            .toList();
    dispatch
        .submitCommands(
            Scope.unrestricted(), new CommandBatch(workflow, commands, RequestedStatus.SUSPENDED))
        .block(Duration.ofSeconds(30));
    // claims hand out the oldest first; ids are matched to the schedule order, not assumed
    List<UUID> claimed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ClaimedTask task =
          dispatch
              .pollTask(Scope.unrestricted(), TENANT, queue, null, "task-worker", Duration.ZERO)
              .block(Duration.ofSeconds(30));
      claimed.add(task.id());
    }
    assertEquals(new HashSet<>(tasks), new HashSet<>(claimed));
    return tasks;
  }

  private static long sequence(UUID workflow) {
    return db.scalar("SELECT current_sequence FROM workflow_executions WHERE id = ?", workflow);
  }

  private static long historyBytes(UUID workflow) {
    return db.scalar("SELECT history_bytes FROM workflow_executions WHERE id = ?", workflow);
  }

  private static long historyOf(UUID workflow) {
    return db.scalar(
        "SELECT sum(octet_length(event_data) + octet_length(event_type) + 16)"
            + " FROM workflow_events WHERE workflow_execution_id = ?",
        workflow);
  }

  private static String workflowStatus(UUID workflow) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?", workflow)
            .get(0)
            .get("status");
  }

  private static String taskStatus(UUID task) {
    return (String)
        db.rows("SELECT status FROM task_executions WHERE id = ?", task).get(0).get("status");
  }
}
