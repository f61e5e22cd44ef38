package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Work is handed to waiting polls, not broadcast to them: one claim statement serves every poll
 * waiting on a queue (one item each), polls with nothing for them keep waiting, and an item claimed
 * for a poll whose caller has gone goes to another poll or back to PENDING with its attempt unused.
 */
class WaiterHandoffIT {
  private static final String TENANT = "acme";
  // the polls wait longer than the test may take: only work (or the test's end) ends them
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BLOCK = Duration.ofSeconds(30);

  private static TestDatabase db;
  private SimpleMeterRegistry registry;
  private final Map<Meter.Id, Double> baseline = new HashMap<>();
  private Dispatch dispatch;
  // run (once) on the next claim statement, just before it goes to the database
  private final AtomicReference<Runnable> beforeNextClaim = new AtomicReference<>();

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void start() throws Exception {
    registry = new SimpleMeterRegistry();
    dispatch =
        Dispatch.builder(observed(db.connectionFactory()))
            .listenConnections(db.connectionFactoryUnpooled())
            .meterRegistry(registry)
            .build();
    listening();
  }

  @AfterEach
  void stop() {
    dispatch.close();
  }

  @Test
  void oneTaskForEightWaitingPollsCostsOneClaimStatementAndWakesOnlyTheOldestPoll()
      throws Exception {
    String queue = "one-of-eight";
    List<CompletableFuture<ClaimedTask>> polls = waitingTaskPolls(queue, 8, null);
    double empty = claims("task", "empty");

    UUID task = submit(queue, null);

    assertEquals(task, polls.get(0).get(30, TimeUnit.SECONDS).id());
    assertEquals(1.0, claims("task", "claimed"), "one claim statement for the batch");
    assertEquals(empty, claims("task", "empty"), "no poll ran a claim that found nothing");
    assertEquals(1, done(polls), "the other seven polls keep waiting");

    // the next task goes to the next poll, again with one statement: nothing else ran in between
    UUID second = submit(queue, null);
    assertEquals(second, polls.get(1).get(30, TimeUnit.SECONDS).id());
    assertEquals(2.0, claims("task", "claimed"));
    assertEquals(empty, claims("task", "empty"));
    assertEquals(2, done(polls));
  }

  @Test
  void threeTasksOfOneBatchForFiveWaitingPollsAreHandedOutByOneClaimStatement() throws Exception {
    String queue = "three-of-five";
    UUID workflow = claimedWorkflow(queue);
    List<CompletableFuture<ClaimedTask>> polls = waitingTaskPolls(queue, 5, null);
    double empty = claims("task", "empty");

    BatchResult result =
        dispatch
            .submitCommands(
                Scope.unrestricted(),
                new CommandBatch(
                    workflow,
                    IntStream.range(0, 3)
                        .<Command>mapToObj(
                            i ->
                                new Command.ScheduleTask(
                                    UUID.randomUUID(),
                                    "t",
                                    new byte[] {1},
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null))
                        .toList(),
                    RequestedStatus.SUSPENDED))
            .block(BLOCK);
    assertEquals(3, result.tasksCreated());

    Set<UUID> handedOut = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      handedOut.add(polls.get(i).get(30, TimeUnit.SECONDS).id());
    }
    assertEquals(3, handedOut.size(), "three polls got one task each");
    assertEquals(1.0, claims("task", "claimed"), "one claim statement served three polls");
    assertEquals(
        3.0,
        count(registry.get("dispatch_claims_handed_out").tags("kind", "task").counter()),
        "three items handed out");
    assertEquals(empty, claims("task", "empty"));
    assertEquals(3, done(polls), "two polls keep waiting");
    assertEquals(
        List.of(
            Map.of("worker_id", "worker-0"),
            Map.of("worker_id", "worker-1"),
            Map.of("worker_id", "worker-2")),
        db.rows(
            "SELECT worker_id FROM task_executions WHERE workflow_execution_id = ?"
                + " AND status = 'RUNNING' AND execution_count = 1 ORDER BY worker_id",
            workflow),
        "each task is RUNNING for the poll it was handed to, on its first attempt");
  }

  @Test
  void pollsWithAnotherWorkerPoolAreNotGivenTasksOutsideTheirPool() throws Exception {
    String queue = "pools";
    CompletableFuture<ClaimedTask> unpooled = waitingTaskPolls(queue, 1, null).get(0);
    CompletableFuture<ClaimedTask> gpu = waitingTaskPolls(queue, 1, "gpu").get(0);

    UUID task = submit(queue, "gpu");

    assertEquals(task, gpu.get(30, TimeUnit.SECONDS).id());
    assertFalse(unpooled.isDone(), "a poll outside the pool keeps waiting");
    UUID open = submit(queue, null);
    assertEquals(open, unpooled.get(30, TimeUnit.SECONDS).id());
  }

  @Test
  void aTaskClaimedForAPollCancelledDuringTheClaimGoesBackToPendingWithItsAttemptUnused()
      throws Exception {
    String queue = "cancel-alone";
    UUID task = submit(queue, null);
    Sinks.Empty<Void> cancel = Sinks.empty();
    beforeNextClaim.set(cancel::tryEmitEmpty);

    CompletableFuture<ClaimedTask> poll =
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "gone", POLL_TIMEOUT)
            .takeUntilOther(cancel.asMono())
            .toFuture();

    assertNull(poll.get(30, TimeUnit.SECONDS), "the cancelled poll received nothing");
    // the claim statement has run (and counted) by now; PENDING again means it was undone
    Await.until(
        () -> claims("task", "claimed") == 1.0 && "PENDING".equals(taskRow(task).get("status")),
        "the claim to be undone");
    Map<String, Object> row = taskRow(task);
    assertEquals(0, row.get("execution_count"), "the undone claim used no attempt");
    assertNull(row.get("worker_id"));
    assertNull(row.get("lease_expires_at"));
    assertEquals(1.0, claims("task", "claimed"), "the task was claimed once, for the gone poll");

    ClaimedTask next =
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "next", POLL_TIMEOUT)
            .block(BLOCK);
    assertEquals(task, next.id());
    assertEquals(1, next.executionCount(), "the next poll gets the task's first attempt");
  }

  @Test
  void aTaskClaimedForAPollCancelledDuringTheClaimGoesToTheNextWaitingPoll() throws Exception {
    String queue = "cancel-handoff";
    Sinks.Empty<Void> cancel = Sinks.empty();
    CompletableFuture<ClaimedTask> first =
        waitingTaskPoll(
            queue,
            null,
            "first",
            dispatch
                .pollTask(Scope.unrestricted(), TENANT, queue, null, "first", POLL_TIMEOUT)
                .takeUntilOther(cancel.asMono()));
    CompletableFuture<ClaimedTask> second =
        waitingTaskPoll(
            queue,
            null,
            "second",
            dispatch.pollTask(Scope.unrestricted(), TENANT, queue, null, "second", POLL_TIMEOUT));
    // the claim statement for the new task is in flight when the first poll's caller goes away
    beforeNextClaim.set(cancel::tryEmitEmpty);

    UUID task = submit(queue, null);

    ClaimedTask handedOn = second.get(30, TimeUnit.SECONDS);
    assertEquals(task, handedOn.id());
    assertEquals(1, handedOn.executionCount(), "the undone claim used no attempt");
    assertNull(first.get(30, TimeUnit.SECONDS));
    Map<String, Object> row = taskRow(task);
    assertEquals("RUNNING", row.get("status"));
    assertEquals("second", row.get("worker_id"));
    assertEquals(1, row.get("execution_count"));
  }

  @Test
  void oneWorkflowForFourWaitingWorkflowPollsCostsOneClaimStatement() throws Exception {
    String queue = "workflows";
    List<CompletableFuture<ClaimedWorkflow>> polls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      double before = claims("workflow", "empty");
      polls.add(
          dispatch
              .pollWorkflow(
                  Scope.unrestricted(), TENANT, queue, List.of("k"), null, "w-" + i, POLL_TIMEOUT)
              .toFuture());
      Await.until(() -> claims("workflow", "empty") > before, "the poll's first claim");
    }
    double empty = claims("workflow", "empty");

    UUID workflow = startWorkflow(queue);

    assertEquals(workflow, polls.get(0).get(30, TimeUnit.SECONDS).id());
    assertEquals(1.0, claims("workflow", "claimed"));
    assertEquals(empty, claims("workflow", "empty"));
    assertEquals(1, done(polls));
    assertEquals(
        "w-0",
        db.rows("SELECT worker_id FROM workflow_executions WHERE id = ?", workflow)
            .get(0)
            .get("worker_id"));
  }

  @Test
  void aWorkflowClaimedForAPollCancelledDuringTheClaimIsPendingAgainAsBefore() throws Exception {
    String queue = "workflow-cancel";
    UUID workflow = startWorkflow(queue);
    Map<String, Object> before = workflowRow(workflow);
    Sinks.Empty<Void> cancel = Sinks.empty();
    beforeNextClaim.set(cancel::tryEmitEmpty);

    CompletableFuture<ClaimedWorkflow> poll =
        dispatch
            .pollWorkflow(
                Scope.unrestricted(), TENANT, queue, List.of(), null, "gone", POLL_TIMEOUT)
            .takeUntilOther(cancel.asMono())
            .toFuture();

    assertNull(poll.get(30, TimeUnit.SECONDS));
    // the claim statement has run (and counted) by now; PENDING again means it was undone
    Await.until(
        () ->
            claims("workflow", "claimed") == 1.0
                && "PENDING".equals(workflowRow(workflow).get("status")),
        "the claim to be undone");
    assertEquals(before, workflowRow(workflow), "the row is as it was before the claim");
    assertEquals(1.0, claims("workflow", "claimed"));

    ClaimedWorkflow next =
        dispatch
            .pollWorkflow(
                Scope.unrestricted(), TENANT, queue, List.of(), null, "next", POLL_TIMEOUT)
            .block(BLOCK);
    assertEquals(workflow, next.id());
  }

  @Test
  void aPollWithATimeoutOfZeroStillClaimsOnceAndEndsEmptyWhenThereIsNothing() {
    String queue = "zero";
    assertNull(
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "w", Duration.ZERO)
            .block(BLOCK));
    assertEquals(1.0, claims("task", "empty"));
    UUID task = submit(queue, null);
    assertEquals(
        task,
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "w", Duration.ZERO)
            .block(BLOCK)
            .id());
  }

  @Test
  void stoppingEndsEveryWaitingPollEmptyAndAPollInItsClaimAfterTheClaim() throws Exception {
    String queue = "stopping";
    List<CompletableFuture<ClaimedTask>> waiting = waitingTaskPolls(queue, 3, null);
    // this poll's first claim is in flight when the stop begins
    beforeNextClaim.set(dispatch::stopSubscriptions);
    CompletableFuture<ClaimedTask> claiming =
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, "stopping-other", null, "late", POLL_TIMEOUT)
            .toFuture();

    assertNull(claiming.get(30, TimeUnit.SECONDS), "the poll ended after its claim");
    for (CompletableFuture<ClaimedTask> poll : waiting) {
      assertNull(poll.get(30, TimeUnit.SECONDS), "a waiting poll ended empty");
    }
    UUID task = submit(queue, null);
    assertEquals(
        task,
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "after", POLL_TIMEOUT)
            .block(BLOCK)
            .id(),
        "a poll after the stop still claims once");
  }

  /** Opens {@code count} task polls one after another, each once its first claim found nothing. */
  private List<CompletableFuture<ClaimedTask>> waitingTaskPolls(
      String queue, int count, String workerPoolId) throws InterruptedException {
    List<CompletableFuture<ClaimedTask>> polls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String worker = "worker-" + i;
      polls.add(
          waitingTaskPoll(
              queue,
              workerPoolId,
              worker,
              dispatch.pollTask(
                  Scope.unrestricted(), TENANT, queue, workerPoolId, worker, POLL_TIMEOUT)));
    }
    return polls;
  }

  private CompletableFuture<ClaimedTask> waitingTaskPoll(
      String queue, String workerPoolId, String worker, Mono<ClaimedTask> poll)
      throws InterruptedException {
    double before = claims("task", "empty");
    CompletableFuture<ClaimedTask> future = poll.toFuture();
    Await.until(() -> claims("task", "empty") > before, "the first claim of " + worker);
    return future;
  }

  /** Waits until the listener is in LISTEN: a waiting poll is woken by a notification. */
  private void listening() throws Exception {
    String queue = "warm-up";
    CompletableFuture<ClaimedTask> poll = waitingTaskPolls(queue, 1, null).get(0);
    UUID task = submit(queue, null);
    assertEquals(task, poll.get(30, TimeUnit.SECONDS).id());
    // the warm-up's claims are not the test's: counts are read relative to here
    baseline.clear();
    registry.getMeters().stream()
        .filter(meter -> meter instanceof Counter)
        .forEach(meter -> baseline.put(meter.getId(), ((Counter) meter).count()));
  }

  private double count(Counter counter) {
    return counter.count() - baseline.getOrDefault(counter.getId(), 0.0);
  }

  private UUID submit(String queue, String workerPoolId) {
    return dispatch
        .submitTask(
            Scope.unrestricted(),
            new SubmitTask(
                null,
                TENANT,
                "t",
                new byte[0],
                Map.of(),
                null,
                null,
                null,
                null,
                queue,
                workerPoolId,
                null))
        .block(BLOCK)
        .taskExecutionId();
  }

  private UUID startWorkflow(String queue) {
    return dispatch
        .startWorkflow(
            Scope.unrestricted(),
            new StartWorkflow(
                TENANT, "k", new byte[0], Map.of(), queue, 0, null, null, null, null, null, null))
        .block(BLOCK)
        .workflowExecutionId();
  }

  /** A workflow on its own queue, claimed, so that it may submit a batch for {@code taskQueue}. */
  private UUID claimedWorkflow(String taskQueue) {
    UUID id = startWorkflow(taskQueue);
    ClaimedWorkflow claimed =
        dispatch
            .pollWorkflow(
                Scope.unrestricted(), TENANT, taskQueue, List.of(), null, "wf", Duration.ZERO)
            .block(BLOCK);
    assertEquals(id, claimed.id());
    return id;
  }

  private Map<String, Object> taskRow(UUID id) {
    return db.rows(
            "SELECT status, execution_count, worker_id, lease_expires_at, started_at"
                + " FROM task_executions WHERE id = ?",
            id)
        .get(0);
  }

  private Map<String, Object> workflowRow(UUID id) {
    return db.rows(
            "SELECT status, worker_id, lease_expires_at, claimed_at, visible_at, resume_pending,"
                + " last_batch_digest IS NULL AS no_digest, current_sequence"
                + " FROM workflow_executions WHERE id = ?",
            id)
        .get(0);
  }

  private static <T> int done(List<CompletableFuture<T>> polls) {
    return (int) polls.stream().filter(CompletableFuture::isDone).count();
  }

  private double claims(String kind, String outcome) {
    var counter =
        registry.find("dispatch_claim_statements").tags("kind", kind, "outcome", outcome).counter();
    return counter == null ? 0 : count(counter);
  }

  private ConnectionFactory observed(ConnectionFactory connections) {
    return ProxyConnectionFactory.builder(connections)
        .listener(
            new ProxyExecutionListener() {
              @Override
              public void beforeQuery(QueryExecutionInfo execution) {
                // claims are calls of dispatch_claim_tasks / dispatch_claim_workflows
                boolean claim =
                    execution.getQueries().stream()
                        .anyMatch(query -> query.getQuery().contains("dispatch_claim_"));
                Runnable action = claim ? beforeNextClaim.getAndSet(null) : null;
                if (action != null) {
                  action.run();
                }
              }
            })
        .build();
  }
}
