package ai.flovyn.dispatch.sdk;

import static ai.flovyn.dispatch.sdk.HistoryChecks.count;
import static ai.flovyn.dispatch.sdk.HistoryChecks.ofType;
import static ai.flovyn.dispatch.sdk.HistoryChecks.only;
import static ai.flovyn.dispatch.sdk.HistoryChecks.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CancelTaskRequest;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.QueryWorkflowResponse;
import ai.flovyn.dispatch.proto.RequestCancelChildWorkflowCommand;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowResponse;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationResponse;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowExecution;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.BatchPath;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rules of docs/sdk-compatibility.md one at a time, in-process over the real pipeline and
 * PostgreSQL: batches the front-ends send (placeholder, empty SUSPENDED, free-text failure types,
 * retries under every numbering, submissions only while claimed), the event keys the replay reads,
 * cancellation seen as failure, promise timeouts, signals, signal-with-start, queries and
 * registration.
 */
@BatchPath.Both
class SdkContractIT {
  private static final DispatchOptions FAST =
      DispatchOptions.defaults().toBuilder()
          .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
          .build();
  private static final String TENANT = UUID.randomUUID().toString();

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static SdkClient client;

  // this run's path (BatchPath.Both), which the set-up takes as its argument
  @Parameter BatchPath path;

  @BeforeParameterizedClassInvocation
  static void startServer(BatchPath path) {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db, path.options(FAST));
    client = new SdkClient(grpc.channel(), TENANT);
  }

  @AfterParameterizedClassInvocation
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static String queue() {
    return "q-" + UUID.randomUUID();
  }

  private static WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows() {
    return grpc.workflows();
  }

  /** Starts a workflow on a queue of its own and claims it; returns the claimed execution. */
  private static WorkflowExecution startAndClaim(String kind) {
    String queue = queue();
    String id = client.startWorkflow(kind, "{\"n\":1}", queue);
    WorkflowExecution claimed = poll(queue, 5).getWorkflowExecution();
    assertEquals(id, claimed.getId());
    return claimed;
  }

  private static PollResponse poll(String queue, long timeoutSeconds) {
    return workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setWorkerId(UUID.randomUUID().toString())
                .setTenantId(TENANT)
                .setQueue(queue)
                .setTimeoutSeconds(timeoutSeconds)
                .build());
  }

  /**
   * Polls the workflow's queue until it hands this workflow out again (bounded); children share the
   * queue, so a poll may hand one of them out first (it stays claimed, which is harmless).
   */
  private static WorkflowExecution reclaim(WorkflowExecution workflow) {
    for (int i = 0; i < 4; i++) {
      PollResponse poll = poll(workflow.getQueue(), 10);
      if (poll.getWorkflowExecution().getId().equals(workflow.getId())) {
        return poll.getWorkflowExecution();
      }
    }
    throw new AssertionError(
        "the workflow is not PENDING again; its log: " + types(events(workflow.getId())));
  }

  private static void assertJson(String expected, QueryWorkflowResponse response, String rule) {
    assertFalse(response.hasError(), rule + ": " + response.getError());
    assertTrue(
        SdkJson.same(expected, response.getResult().toStringUtf8()),
        rule + ": expected " + expected + ", got " + response.getResult().toStringUtf8());
  }

  private static List<WorkflowEvent> events(String workflowId) {
    return client.events(workflowId);
  }

  private static String status(String workflowId) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status");
  }

  private static void submit(SubmitWorkflowCommandsRequest request) {
    workflows().submitWorkflowCommands(request);
  }

  private static SdkBatch batch(FrontEnd frontEnd, WorkflowExecution workflow) {
    return SdkBatch.of(frontEnd, workflow.getId(), events(workflow.getId()).size());
  }

  /**
   * Sends a batch again after it suspended the workflow, as a network-level retry would. B7
   * promises the same success; W5 refuses anything but an exact replay of a terminal workflow once
   * the claim is gone. Either answer is allowed here; what matters to the SDK is that nothing is
   * recorded twice, which the callers assert.
   */
  private static void resubmitAfterSuspension(SubmitWorkflowCommandsRequest request) {
    try {
      submit(request);
    } catch (StatusRuntimeException e) {
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), "W5 or B7");
    }
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  // --- batches (P, W3-W10) ---

  @ParameterizedTest
  @EnumSource(
      value = FrontEnd.class,
      names = {"RUST", "FFI"})
  void aPlaceholderCommandInTheMiddleOfABatchIsIgnoredAndItsReplayIsIdempotent(FrontEnd frontEnd) {
    WorkflowExecution workflow = startAndClaim("placeholder");
    UUID taskId = SdkIds.deterministic(UUID.fromString(workflow.getId()), 0);
    SubmitWorkflowCommandsRequest request =
        batch(frontEnd, workflow)
            .add(
                SdkCommands.scheduleTask(taskId, "work", "{}"),
                SdkCommands.placeholder(),
                SdkCommands.startTimer(frontEnd.timerId(0), 3_600_000))
            .suspended("Waiting for task " + taskId + " to complete");
    assertEquals(CommandType.COMMAND_TYPE_UNSPECIFIED, request.getCommands(1).getCommandType());
    assertFalse(request.getCommands(1).hasScheduleTask(), "no command data");

    submit(request);
    List<WorkflowEvent> after = events(workflow.getId());
    resubmitAfterSuspension(request);

    assertEquals(after, events(workflow.getId()), "the replay adds nothing (P4)");
    List<String> added =
        types(after).stream().filter(t -> !t.equals("WORKFLOW_SUSPENDED")).toList();
    assertEquals(
        List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TIMER_STARTED"),
        added,
        "the placeholder records nothing (P1)");
    assertEquals("WAITING", status(workflow.getId()));
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?::uuid"
                + " AND status = 'PENDING'",
            workflow.getId()),
        "the task is not cancelled by the placeholder (P3)");
    HistoryChecks.assertWellFormed(after);
  }

  @ParameterizedTest
  @EnumSource(
      value = FrontEnd.class,
      names = {"FFI", "NAPI"})
  void aSuspendedBatchWithZeroCommandsIsAcceptedAndTheWorkflowWaits(FrontEnd frontEnd) {
    WorkflowExecution workflow = startAndClaim("empty-suspend");
    SubmitWorkflowCommandsRequest request = batch(frontEnd, workflow).suspended("ignored");
    assertEquals(0, request.getCommandsCount(), "FFI/NAPI send no SuspendWorkflow (W3)");

    submit(request);

    assertEquals("WAITING", status(workflow.getId()), "the status field decides (W3)");
    assertFalse(poll(workflow.getQueue(), 1).hasWorkflowExecution(), "nothing hands it out");
    HistoryChecks.assertWellFormed(events(workflow.getId()));
  }

  @Test
  void aFailedBatchWhoseFailureTypeIsCancelledFailsTheWorkflow() {
    WorkflowExecution workflow = startAndClaim("cancels-itself");
    submit(batch(FrontEnd.FFI, workflow).failed("user cancelled", "CANCELLED"));

    assertEquals("FAILED", status(workflow.getId()), "FAILED, not CANCELLED (W4)");
    List<WorkflowEvent> log = events(workflow.getId());
    Map<String, Object> failed = only(log, "WORKFLOW_EXECUTION_FAILED");
    assertEquals("user cancelled", failed.get("error"));
    assertEquals("CANCELLED", failed.get("failureType"));
    HistoryChecks.assertWellFormed(log);

    WorkflowExecution other = startAndClaim("fails-oddly");
    submit(batch(FrontEnd.RUST, other).failed("boom", "SomethingNoEnumKnows"));
    assertEquals("FAILED", status(other.getId()), "failure_type is free text (W4)");
  }

  @ParameterizedTest
  @EnumSource(FrontEnd.class)
  void aRetriedBatchAddsNoEventsUnderEveryNumbering(FrontEnd frontEnd) {
    WorkflowExecution workflow = startAndClaim("retried");
    UUID id = UUID.fromString(workflow.getId());
    SubmitWorkflowCommandsRequest first =
        batch(frontEnd, workflow)
            .add(
                SdkCommands.scheduleTask(SdkIds.deterministic(id, 0), "work", "{\"a\":1}"),
                SdkCommands.scheduleTask(SdkIds.deterministic(id, 1), "work", "{\"a\":2}"),
                SdkCommands.recordOperation("op", "{\"r\":1}"),
                SdkCommands.setState("s", "1"),
                SdkCommands.startTimer(frontEnd.timerId(0), 3_600_000),
                SdkCommands.scheduleChild(
                    "kid", "retried-child", SdkIds.deterministic(id, 2), "{}"),
                SdkCommands.createPromise("approval", null))
            .suspended("Waiting for promise approval");
    submit(first);
    List<WorkflowEvent> afterFirst = events(workflow.getId());
    resubmitAfterSuspension(first);
    assertEquals(afterFirst, events(workflow.getId()), "a retried batch adds nothing");
    assertEquals(2, count(afterFirst, "TASK_SCHEDULED"));
    HistoryChecks.assertOneEventPerCommand(afterFirst, List.of(first));

    client.resolvePromiseByLookup(workflow.getId(), "approval", "true");
    WorkflowExecution resumed = reclaim(workflow);
    // FFI and NAPI start again at 1: the numbers overlap the first batch's and mean nothing (N3)
    SubmitWorkflowCommandsRequest last =
        batch(frontEnd, resumed)
            .add(SdkCommands.setState("s", "2"), SdkCommands.recordOperation("op", "{\"r\":2}"))
            .completed("{\"done\":true}");
    submit(last);
    List<WorkflowEvent> afterLast = events(workflow.getId());
    submit(last);

    assertEquals(afterLast, events(workflow.getId()), "a retried final batch adds nothing");
    assertEquals("COMPLETED", status(workflow.getId()));
    HistoryChecks.assertWellFormed(afterLast);
    HistoryChecks.assertOneEventPerCommand(afterLast, List.of(first, last));
  }

  @Test
  void aBatchForAWorkflowNoWorkerClaimedIsRefusedAndWritesNothing() {
    String queue = queue();
    String id = client.startWorkflow("unclaimed", "{}", queue);
    SubmitWorkflowCommandsRequest request =
        SdkBatch.of(FrontEnd.RUST, id, 1).add(SdkCommands.setState("k", "1")).suspended("Waiting");

    assertEquals(Status.Code.FAILED_PRECONDITION, codeOf(() -> submit(request)), "W5");
    assertEquals(List.of("WORKFLOW_STARTED"), types(events(id)));
    assertEquals("PENDING", status(id));
  }

  // --- events the replay reads (E2-E9) ---

  @Test
  void taskScheduledCarriesKindAndTheSdksIdAndEveryEventIsAJsonObject() {
    WorkflowExecution workflow = startAndClaim("keys");
    UUID taskId = SdkIds.deterministic(UUID.fromString(workflow.getId()), 0);
    submit(
        batch(FrontEnd.RUST, workflow)
            .add(SdkCommands.scheduleTask(taskId, "send-email", "{\"to\":\"a\"}"))
            .suspended("Waiting for task"));

    List<WorkflowEvent> log = events(workflow.getId());
    Map<String, Object> scheduled = only(log, "TASK_SCHEDULED");
    assertEquals("send-email", scheduled.get("kind"), "E2");
    assertEquals(taskId.toString(), scheduled.get("taskExecutionId"), "a v5 id is accepted");
    HistoryChecks.assertWellFormed(log);
  }

  @Test
  void childOutcomesCarryTheNameTheParentGaveTheChild() throws InterruptedException {
    WorkflowExecution parent = startAndClaim("parent");
    UUID parentId = UUID.fromString(parent.getId());
    UUID ok = SdkIds.deterministic(parentId, 0);
    UUID bad = SdkIds.deterministic(parentId, 1);
    submit(
        batch(FrontEnd.RUST, parent)
            .add(
                SdkCommands.scheduleChild("ok-child", "kid", ok, "{}"),
                SdkCommands.scheduleChild("bad-child", "kid", bad, "{}"))
            .suspended("Waiting for children"));
    // the children share the parent's queue, so the woken parent may come out of a poll too
    Set<String> reported = new HashSet<>();
    for (int i = 0; i < 4 && reported.size() < 2; i++) {
      WorkflowExecution next = poll(parent.getQueue(), 5).getWorkflowExecution();
      if (next.getId().equals(ok.toString())) {
        submit(batch(FrontEnd.FFI, next).completed("{\"fine\":true}"));
        reported.add(next.getId());
      } else if (next.getId().equals(bad.toString())) {
        submit(batch(FrontEnd.FFI, next).failed("child broke", "ERROR"));
        reported.add(next.getId());
      }
    }
    assertEquals(2, reported.size(), "both children were handed out");
    Await.until(
        () -> count(events(parent.getId()), "CHILD_WORKFLOW_FAILED") == 1,
        "the failed child reported");

    List<WorkflowEvent> log = events(parent.getId());
    Map<String, Object> completed = only(log, "CHILD_WORKFLOW_COMPLETED");
    assertEquals("ok-child", completed.get("childExecutionName"), "E8");
    assertEquals(ok.toString(), completed.get("childExecutionId"), "E8");
    assertEquals(Map.of("fine", true), completed.get("output"));
    Map<String, Object> failed = only(log, "CHILD_WORKFLOW_FAILED");
    assertEquals("bad-child", failed.get("childExecutionName"), "E8");
    assertEquals("child broke", failed.get("error"), "E8");
    HistoryChecks.assertWellFormed(log);
  }

  @Test
  void aChildCancelledByItsParentEndsAndReachesTheParentAsAFailure() throws InterruptedException {
    WorkflowExecution parent = startAndClaim("parent");
    UUID doomed = SdkIds.deterministic(UUID.fromString(parent.getId()), 0);
    submit(
        batch(FrontEnd.FFI, parent)
            .add(SdkCommands.scheduleChild("doomed-child", "kid", doomed, "{}"))
            .add(SdkCommands.createPromise("later", null))
            .suspended(""));
    client.resolvePromiseKotlin(parent.getId(), "later", "null");
    WorkflowExecution resumed = reclaim(parent);
    // FFI sends the cancellation with an empty name and reason (P6)
    WorkflowCommand cancel =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.REQUEST_CANCEL_CHILD_WORKFLOW)
            .setRequestCancelChildWorkflow(
                RequestCancelChildWorkflowCommand.newBuilder()
                    .setChildWorkflowExecutionId(doomed.toString()))
            .build();
    submit(batch(FrontEnd.FFI, resumed).add(cancel).suspended(""));

    // no SDK acts on CANCELLATION_REQUESTED, so the server itself ends the child (P6)
    Await.until(
        () -> count(events(parent.getId()), "CHILD_WORKFLOW_FAILED") == 1,
        "the cancelled child reported as CHILD_WORKFLOW_FAILED (E5)");
    assertEquals("CANCELLED", status(doomed.toString()));
    List<WorkflowEvent> log = events(parent.getId());
    assertEquals(
        "doomed-child", only(log, "CHILD_WORKFLOW_FAILED").get("childExecutionName"), "E5, E8");
    HistoryChecks.assertWellFormed(log);
    HistoryChecks.assertWellFormed(events(doomed.toString()));
  }

  @Test
  void aCancelledTaskReachesItsWorkflowAsTaskFailedAndWakesIt() {
    WorkflowExecution workflow = startAndClaim("cancelled-task");
    UUID taskId = SdkIds.deterministic(UUID.fromString(workflow.getId()), 0);
    submit(
        batch(FrontEnd.FFI, workflow)
            .add(SdkCommands.scheduleTask(taskId, "slow", "{}"))
            .suspended(""));
    assertEquals("WAITING", status(workflow.getId()));

    grpc.tasks()
        .cancelTask(CancelTaskRequest.newBuilder().setTaskExecutionId(taskId.toString()).build());

    reclaim(workflow);
    List<WorkflowEvent> log = events(workflow.getId());
    Map<String, Object> failed = only(log, "TASK_FAILED");
    assertEquals(taskId.toString(), failed.get("taskExecutionId"), "E5");
    assertTrue(failed.get("error") instanceof String, "TASK_FAILED says why: " + failed);
    HistoryChecks.assertWellFormed(log);
  }

  @Test
  void aPromiseWithATimeoutTimesOutOnceAndWakesTheWorkflow() throws InterruptedException {
    WorkflowExecution workflow = startAndClaim("promise-timeout");
    submit(
        batch(FrontEnd.RUST, workflow)
            .add(SdkCommands.createPromise("approval", 300L))
            .suspended("Waiting for promise approval"));

    reclaim(workflow);
    Await.stable(() -> (int) count(events(workflow.getId()), "PROMISE_TIMEOUT"));
    List<WorkflowEvent> log = events(workflow.getId());
    Map<String, Object> timeout = only(log, "PROMISE_TIMEOUT");
    Map<String, Object> created = only(log, "PROMISE_CREATED");
    assertEquals(created.get("promiseId"), timeout.get("promiseId"), "E7");
    assertEquals("approval", timeout.get("promiseName"), "E7");
    HistoryChecks.assertWellFormed(log);
  }

  @Test
  void workflowTaskTimeIsAnEpochMillisecondTime() {
    long before = System.currentTimeMillis();
    WorkflowExecution workflow = startAndClaim("clock");
    long after = System.currentTimeMillis();
    long time = workflow.getWorkflowTaskTimeMillis();
    assertTrue(
        time >= before - 60_000 && time <= after + 1_000,
        "workflow_task_time_millis is ms since the epoch, near the claim: " + time);
  }

  // --- signals (SG, SW) ---

  @Test
  void aSignalToARunningWorkflowIsNotLost() {
    WorkflowExecution workflow = startAndClaim("signalled-while-running");
    long sequence = client.signal(workflow.getId(), "go", "{\"now\":true}");
    assertTrue(sequence > 0, "N4");

    submit(batch(FrontEnd.FFI, workflow).suspended(""));

    assertEquals(workflow.getId(), reclaim(workflow).getId(), "straight back to PENDING (W6)");
    List<WorkflowEvent> log = events(workflow.getId());
    assertEquals("SIGNAL_RECEIVED", log.get((int) sequence - 1).getEventType());
    Map<String, Object> signal = only(log, "SIGNAL_RECEIVED");
    assertEquals("go", signal.get("signalName"), "E9");
    assertEquals(Map.of("now", true), signal.get("signalValue"), "E9, embedded JSON");
    HistoryChecks.assertWellFormed(log);
  }

  @Test
  void signalsAreRefusedForUnknownAndFinishedWorkflows() {
    String unknown = UUID.randomUUID().toString();
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> client.signal(unknown, "go", "null")), "SG4");
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> client.signal("not-a-uuid", "go", "null")),
        "SG4");
    WorkflowExecution workflow = startAndClaim("finished");
    submit(batch(FrontEnd.RUST, workflow).completed("1"));
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(() -> client.signal(workflow.getId(), "go", "null")),
        "SG4");
    assertEquals(0, count(events(workflow.getId()), "SIGNAL_RECEIVED"));
  }

  @Test
  void signalWithStartCreatesOnceThenSignalsTheSameWorkflow() {
    String queue = queue();
    String key = "signal-test-workflow-" + UUID.randomUUID();
    SignalWithStartWorkflowResponse first =
        client.signalWithStart(key, "greeter", "{\"n\":1}", queue, "hello", "\"one\"");
    SignalWithStartWorkflowResponse second =
        client.signalWithStart(key, "greeter", "{\"n\":2}", queue, "hello", "\"two\"");

    assertTrue(first.getWorkflowCreated(), "SW1");
    assertFalse(second.getWorkflowCreated(), "SW1");
    String id = first.getWorkflowExecutionId();
    assertEquals(UUID.fromString(id).toString(), id, "a UUID the SDK can parse");
    assertEquals(id, second.getWorkflowExecutionId());
    List<WorkflowEvent> log = events(id);
    assertEquals(
        List.of("WORKFLOW_STARTED", "SIGNAL_RECEIVED", "SIGNAL_RECEIVED"), types(log), "SW1");
    assertEquals(2, first.getSignalEventSequence());
    assertEquals(3, second.getSignalEventSequence());
    List<Object> values =
        ofType(log, "SIGNAL_RECEIVED").stream()
            .map(e -> SdkJson.object(e.getEventData()).get("signalValue"))
            .toList();
    assertEquals(List.of("one", "two"), values, "in call order (SG2)");
    WorkflowExecution claimed = poll(queue, 5).getWorkflowExecution();
    assertEquals(id, claimed.getId());
    assertEquals("greeter", claimed.getKind());
    assertTrue(SdkJson.same("{\"n\":1}", claimed.getInput().toStringUtf8()), "SW4");
    HistoryChecks.assertWellFormed(log);
  }

  // --- queries (Q) ---

  @Test
  void queriesAnswerFromTheStoredStateStatusAndResult() {
    WorkflowExecution workflow = startAndClaim("queried");
    String id = workflow.getId();
    submit(
        batch(FrontEnd.RUST, workflow)
            .add(
                SdkCommands.setState("a", "1"),
                SdkCommands.setState("b", "{\"x\":[1,2]}"),
                SdkCommands.setState("c", "\"gone\""),
                SdkCommands.clearState("c"),
                SdkCommands.createPromise("wake", null))
            .suspended("Waiting for promise wake"));

    assertJson("1", client.query(id, "a"), "Q2");
    assertJson("{\"a\":1,\"b\":{\"x\":[1,2]}}", client.query(id, "__state"), "Q1, Q3");
    assertJson("\"WAITING\"", client.query(id, "__status"), "Q3");
    assertEquals("null", nullIfEmpty(client.query(id, "__result")), "Q3: null before the end");
    QueryWorkflowResponse unknown = client.query(id, "nope");
    assertTrue(unknown.hasError(), "Q4");
    assertEquals("unknown query: nope", unknown.getError(), "Q4");
    assertTrue(unknown.getResult().isEmpty(), "Q4");

    client.resolvePromiseKotlin(id, "wake", "null");
    WorkflowExecution resumed = reclaim(workflow);
    submit(batch(FrontEnd.RUST, resumed).completed("{\"out\":7}"));
    assertJson("\"COMPLETED\"", client.query(id, "__status"), "Q3");
    assertJson("{\"out\":7}", client.query(id, "__result"), "Q3");
    List<WorkflowEvent> before = events(id);
    client.query(id, "a");
    assertEquals(before, events(id), "no side effects (Q5)");
    assertEquals(
        Status.Code.NOT_FOUND, codeOf(() -> client.query(UUID.randomUUID().toString(), "a")), "Q5");
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> client.query("nope", "a")), "Q5");
  }

  private static String nullIfEmpty(QueryWorkflowResponse response) {
    return response.getResult().isEmpty() ? "null" : response.getResult().toStringUtf8();
  }

  // --- registration (L) ---

  @Test
  void registrationAnswersAFreshWorkerIdEveryTimeAndHeartbeatsAreAccepted() {
    WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle =
        WorkerLifecycleGrpc.newBlockingStub(grpc.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    WorkerRegistrationRequest request =
        WorkerRegistrationRequest.newBuilder()
            .setWorkerName("ffi-worker-default")
            .setWorkerVersion("0.1.0")
            .setWorkerType("UNIFIED")
            .setTenantId(TENANT)
            .setHostName("host")
            .setProcessId("42")
            .addWorkflows(
                WorkflowCapability.newBuilder()
                    .setKind("order")
                    .setName("order")
                    .setCancellable(true))
            .addTasks(TaskCapability.newBuilder().setKind("charge").setName("charge"))
            .build();

    WorkerRegistrationResponse first = lifecycle.registerWorker(request);
    WorkerRegistrationResponse second = lifecycle.registerWorker(request);

    for (WorkerRegistrationResponse response : List.of(first, second)) {
      assertTrue(response.getSuccess(), "L2");
      assertEquals(UUID.fromString(response.getWorkerId()).toString(), response.getWorkerId());
      assertEquals(0, response.getWorkflowConflictsCount(), "L3");
      assertEquals(0, response.getTaskConflictsCount(), "L3");
    }
    assertNotEquals(first.getWorkerId(), second.getWorkerId(), "a fresh id per call (L2)");
    lifecycle.sendHeartbeat(
        WorkerHeartbeatRequest.newBuilder().setWorkerId(first.getWorkerId()).build());
  }
}
