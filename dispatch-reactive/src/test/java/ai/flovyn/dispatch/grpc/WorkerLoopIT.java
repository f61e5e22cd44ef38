package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static ai.flovyn.dispatch.testing.Commands.startTimer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CancelTaskRequest;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.HeartbeatRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.RejectPromiseRequest;
import ai.flovyn.dispatch.proto.ReportProgressRequest;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestClock;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker loop over gRPC against real PostgreSQL: polls, task outcomes, timers, promises. */
class WorkerLoopIT {
  private static final DispatchOptions FAST =
      DispatchOptions.defaults().toBuilder()
          .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
          .maxPollTimeout(Duration.ofSeconds(30))
          .build();
  private static final TestClock clock = new TestClock();
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static GrpcTestServer second;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db, FAST, clock);
    // a second server instance on the same database, with its own listener and sweeper
    second = GrpcTestServer.start(db, FAST);
  }

  @AfterAll
  static void stopServers() {
    second.close();
    grpc.close();
    db.close();
  }

  private static String queue() {
    return "q-" + UUID.randomUUID();
  }

  private static String newWorkflow(String queue) {
    return Commands.startClaimed(grpc.workflows(), start("tenant-w", queue));
  }

  private static PollResponse pollWorkflow(
      GrpcTestServer server, String queue, long timeoutSeconds) {
    return server
        .workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setWorkerId("wf-worker")
                .setTenantId("tenant-w")
                .setQueue(queue)
                .setTimeoutSeconds(timeoutSeconds)
                .build());
  }

  private static PollTaskRequest pollTask(String queue, long timeoutSeconds) {
    return PollTaskRequest.newBuilder()
        .setWorkerId("task-worker")
        .setTenantId("tenant-w")
        .setQueue(queue)
        .setTimeoutSeconds(timeoutSeconds)
        .build();
  }

  private static List<String> eventTypes(String workflowId) {
    return grpc
        .workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList()
        .stream()
        .map(WorkflowEvent::getEventType)
        .toList();
  }

  private static String status(String workflowId) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status");
  }

  private static double pollsWaiting(GrpcTestServer server) {
    return server.registry().get("dispatch_polls_waiting").gauge().value();
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void aWaitingPollReceivesWorkScheduledLaterLongBeforeItsTimeout() throws Exception {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    long started = System.nanoTime();
    ListenableFuture<PollTaskResponse> waiting = grpc.tasksAsync().pollTask(pollTask(queue, 30));
    Await.until(() -> pollsWaiting(grpc) == 1, "the poll to wait");
    UUID taskId = UUID.randomUUID();
    // scheduled through the other instance: the wake-up crosses instances via LISTEN/NOTIFY
    second
        .workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(taskId, "late"))));

    PollTaskResponse response = waiting.get(10, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(taskId.toString(), response.getTask().getTaskExecutionId());
    assertTrue(
        elapsedMs < 5_000, "woken by the signal, not the 30 s timeout: " + elapsedMs + " ms");
  }

  @Test
  void anIdlePollReturnsEmptyAtItsTimeout() {
    long started = System.nanoTime();
    PollTaskResponse response = grpc.tasks().pollTask(pollTask(queue(), 1));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertFalse(response.hasTask());
    assertTrue(elapsedMs >= 900, "waited for its timeout: " + elapsedMs + " ms");
    assertFalse(pollWorkflow(grpc, queue(), 0).hasWorkflowExecution());
  }

  @Test
  void twoPollersRacingForOneTaskExactlyOneGetsIt() throws Exception {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    ListenableFuture<PollTaskResponse> a = grpc.tasksAsync().pollTask(pollTask(queue, 2));
    ListenableFuture<PollTaskResponse> b = second.tasksAsync().pollTask(pollTask(queue, 2));
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(UUID.randomUUID(), "one"))));
    int got =
        (a.get(10, TimeUnit.SECONDS).hasTask() ? 1 : 0)
            + (b.get(10, TimeUnit.SECONDS).hasTask() ? 1 : 0);
    assertEquals(1, got);
  }

  @Test
  void tasksArePolledByCreationTimeMinusPriority() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    UUID plain = UUID.randomUUID();
    UUID urgent = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(plain, "plain"),
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(urgent.toString())
                            .setTaskType("urgent")
                            .setPrioritySeconds(60)))));
    assertEquals(
        urgent.toString(),
        grpc.tasks().pollTask(pollTask(queue, 1)).getTask().getTaskExecutionId());
    assertEquals(
        plain.toString(), grpc.tasks().pollTask(pollTask(queue, 1)).getTask().getTaskExecutionId());
  }

  @Test
  void pollResponseCarriesCurrentSequenceAndTraceparent() {
    String queue = queue();
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String workflowId =
        grpc.workflowsTraced(traceparent)
            .startWorkflow(start("tenant-w", queue))
            .getWorkflowExecutionId();
    PollResponse polled = pollWorkflow(grpc, queue, 1);
    assertEquals(workflowId, polled.getWorkflowExecution().getId());
    assertEquals(eventTypes(workflowId).size(), polled.getWorkflowExecution().getCurrentSequence());
    assertEquals(traceparent, polled.getTraceparent());
    assertEquals("RUNNING", status(workflowId));
    assertTrue(polled.getWorkflowExecution().getWorkflowTaskTimeMillis() > 0);
  }

  @Test
  void completionWhileRunningIsNotLostWhenTheWorkflowSuspends() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    pollWorkflow(grpc, queue, 1);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(taskId, "fast"))));
    PollTaskResponse task = grpc.tasks().pollTask(pollTask(queue, 5));
    grpc.tasks()
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(task.getTask().getTaskExecutionId())
                .build());
    assertEquals("RUNNING", status(workflowId), "still running: it will see the result on suspend");

    grpc.workflows().submitWorkflowCommands(batch(workflowId, List.of(), WorkflowStatus.SUSPENDED));

    assertEquals("PENDING", status(workflowId), "straight back to PENDING, no lost wake-up");
    assertEquals(workflowId, pollWorkflow(grpc, queue, 5).getWorkflowExecution().getId());
  }

  @Test
  void completeIsIdempotentAndWrongStatesAreRejected() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(scheduleTask(taskId, "t")), WorkflowStatus.SUSPENDED));
    CompleteTaskRequest complete =
        CompleteTaskRequest.newBuilder()
            .setTaskExecutionId(taskId.toString())
            .setOutput(ByteString.copyFromUtf8("{\"r\":1}"))
            .build();
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(() -> grpc.tasks().completeTask(complete)),
        "not claimed yet");
    grpc.tasks().pollTask(pollTask(queue, 5));

    grpc.tasks().completeTask(complete);
    grpc.tasks().completeTask(complete);

    assertEquals(
        List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_COMPLETED"), eventTypes(workflowId));
    assertEquals("PENDING", status(workflowId), "resumed");
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.tasks()
                    .completeTask(
                        complete.toBuilder().setOutput(ByteString.copyFromUtf8("other")).build())));
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.tasks()
                    .failTask(
                        FailTaskRequest.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setError("x")
                            .build())));
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.tasks()
                    .completeTask(
                        CompleteTaskRequest.newBuilder()
                            .setTaskExecutionId(UUID.randomUUID().toString())
                            .build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.tasks()
                    .completeTask(
                        CompleteTaskRequest.newBuilder().setTaskExecutionId("nope").build())));
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM task_attempts WHERE task_execution_id = ? AND outcome = 'COMPLETED'",
            taskId));
  }

  @Test
  void failedAttemptsRetryWithBackoffUntilMaxRetriesThenFailTheTask() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setTaskType("flaky")
                            .setMaxRetries(1))),
                WorkflowStatus.SUSPENDED));
    FailTaskRequest fail =
        FailTaskRequest.newBuilder().setTaskExecutionId(taskId.toString()).setError("boom").build();

    assertEquals(1, grpc.tasks().pollTask(pollTask(queue, 5)).getTask().getExecutionCount());
    grpc.tasks().failTask(fail);
    grpc.tasks().failTask(fail); // a retried FailTask of the same attempt is success
    assertEquals("WAITING", status(workflowId), "no event for an intermediate attempt");
    PollTaskResponse retried = grpc.tasks().pollTask(pollTask(queue, 10));
    assertEquals(2, retried.getTask().getExecutionCount(), "polled again after its backoff");
    grpc.tasks().failTask(fail);

    assertEquals(
        List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_FAILED"), eventTypes(workflowId));
    assertEquals("PENDING", status(workflowId));
    assertEquals(
        2,
        db.scalar(
            "SELECT count(*) FROM task_attempts WHERE task_execution_id = ? AND outcome = 'FAILED'",
            taskId));
    assertEquals(
        "FAILED",
        db.rows("SELECT status FROM task_executions WHERE id = ?", taskId).get(0).get("status"));
  }

  @Test
  void aTaskWhoseWorkerGoesSilentIsRetriedAfterItsTimeout() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setTaskType("slow")
                            .setTimeoutMs(600_000)))));
    assertEquals(1, grpc.tasks().pollTask(pollTask(queue, 5)).getTask().getExecutionCount());
    // the worker vanishes: no heartbeat, no completion; ten minutes pass
    clock.advance(Duration.ofMinutes(11));
    try {
      // other tests' claims may expire too
      assertTrue(
          grpc.dispatch().runMaintenance().block(Duration.ofSeconds(30)).get("task_leases") >= 1);
    } finally {
      clock.reset();
    }

    PollTaskResponse again = grpc.tasks().pollTask(pollTask(queue, 15));

    assertEquals(taskId.toString(), again.getTask().getTaskExecutionId());
    assertEquals(2, again.getTask().getExecutionCount());
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM task_attempts WHERE task_execution_id = ? AND outcome = 'TIMED_OUT'",
            taskId));
  }

  @Test
  void heartbeatRenewsTheLeaseAndTellsTheWorkerOfACancellation() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(scheduleTask(taskId, "long")), WorkflowStatus.SUSPENDED));
    grpc.tasks().pollTask(pollTask(queue, 5));
    grpc.tasks()
        .heartbeat(HeartbeatRequest.newBuilder().setTaskExecutionId(taskId.toString()).build());
    grpc.tasks()
        .reportProgress(
            ReportProgressRequest.newBuilder()
                .setTaskExecutionId(taskId.toString())
                .setProgress(0.5)
                .setDetails("half")
                .build());
    assertEquals(
        0.5,
        db.rows("SELECT progress FROM task_executions WHERE id = ?", taskId)
            .get(0)
            .get("progress"));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.tasks()
                    .reportProgress(
                        ReportProgressRequest.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setProgress(2)
                            .build())));

    grpc.tasks()
        .cancelTask(CancelTaskRequest.newBuilder().setTaskExecutionId(taskId.toString()).build());
    grpc.tasks()
        .cancelTask(CancelTaskRequest.newBuilder().setTaskExecutionId(taskId.toString()).build());

    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.tasks()
                    .heartbeat(
                        HeartbeatRequest.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().contains("cancelled"));
    // the SDK reads only TASK_FAILED as the end of a cancelled task (docs/sdk-compatibility.md, E5)
    assertTrue(eventTypes(workflowId).contains("TASK_FAILED"));
    assertFalse(eventTypes(workflowId).contains("TASK_CANCELLED"));
    assertEquals("PENDING", status(workflowId));
  }

  @Test
  void aTimerFiresOnceAcrossTwoInstancesAndResumesTheWorkflow() throws Exception {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    ListenableFuture<PollResponse> resumed;
    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(startTimer("nap", 300)), WorkflowStatus.SUSPENDED));
    pollWorkflow(grpc, queue, 0); // nothing to claim: it waits
    resumed =
        WorkflowDispatchGrpc.newFutureStub(second.channel())
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .pollWorkflow(
                PollRequest.newBuilder()
                    .setWorkerId("w")
                    .setTenantId("tenant-w")
                    .setQueue(queue)
                    .setTimeoutSeconds(20)
                    .build());

    assertEquals(workflowId, resumed.get(30, TimeUnit.SECONDS).getWorkflowExecution().getId());
    assertEquals(1, eventTypes(workflowId).stream().filter("TIMER_FIRED"::equals).count());
    assertEquals(
        "FIRED",
        db.rows("SELECT status FROM timers WHERE workflow_execution_id = ?::uuid", workflowId)
            .get(0)
            .get("status"));
  }

  @Test
  void aPromiseResolvesOnceByRpc() {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(createPromise("approval")), WorkflowStatus.SUSPENDED));
    String promiseId = workflowId + ":approval";
    ResolvePromiseRequest resolve =
        ResolvePromiseRequest.newBuilder()
            .setPromiseId(promiseId)
            .setValue(ByteString.copyFromUtf8("true"))
            .build();

    grpc.workflows().resolvePromise(resolve);
    second.workflows().resolvePromise(resolve);

    assertEquals(
        List.of("WORKFLOW_STARTED", "PROMISE_CREATED", "PROMISE_RESOLVED"), eventTypes(workflowId));
    assertEquals("PENDING", status(workflowId));
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.workflows()
                    .rejectPromise(
                        RejectPromiseRequest.newBuilder()
                            .setPromiseId(promiseId)
                            .setError("no")
                            .build())));
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.workflows()
                    .resolvePromise(
                        resolve.toBuilder().setPromiseId(workflowId + ":nope").build())));
  }

  @Test
  void aChildReportsItsCompletionToTheParent() {
    String queue = queue();
    String parent = newWorkflow(queue);
    UUID child = UUID.randomUUID();
    WorkflowCommand schedule =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
            .setScheduleChildWorkflow(
                ScheduleChildWorkflowCommand.newBuilder()
                    .setChildExecutionName("kid")
                    .setWorkflowKind("child-kind")
                    .setChildWorkflowExecutionId(child.toString())
                    .setQueue(queue + "-children"))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(parent, List.of(schedule), WorkflowStatus.SUSPENDED));
    assertEquals(
        child.toString(),
        pollWorkflow(grpc, queue + "-children", 5).getWorkflowExecution().getId());

    WorkflowCommand complete =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.COMPLETE_WORKFLOW)
            .setCompleteWorkflow(
                CompleteWorkflowCommand.newBuilder().setOutput(ByteString.copyFromUtf8("42")))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(child.toString(), List.of(complete), WorkflowStatus.COMPLETED));

    List<String> parentEvents = eventTypes(parent);
    assertEquals("CHILD_WORKFLOW_COMPLETED", parentEvents.get(parentEvents.size() - 1));
    assertEquals("PENDING", status(parent));
  }

  @Test
  void subscribersHearOfWorkOnTheirQueue() throws Exception {
    String queue = queue();
    String workflowId = newWorkflow(queue);
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      Iterator<WorkAvailableEvent> events =
          context.call(
              () ->
                  WorkflowDispatchGrpc.newBlockingStub(grpc.channel())
                      .withDeadlineAfter(20, TimeUnit.SECONDS)
                      .subscribeToNotifications(
                          SubscriptionRequest.newBuilder()
                              .setWorkerId("w")
                              .setTenantId("tenant-w")
                              .setQueue(queue)
                              .build()));
      Thread.sleep(300); // let the subscription reach the server
      second
          .workflows()
          .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(UUID.randomUUID(), "t"))));
      WorkAvailableEvent event = events.next();
      assertEquals(queue, event.getQueue());
      assertEquals("tenant-w", event.getTenantId());
    } finally {
      context.cancel(null);
    }
  }
}
