package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestClock;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the maintenance services do on time, driven by a test clock instead of the wall clock:
 * released claims of silent workers and rejected batches (docs/sdk-compatibility.md, W8, W9),
 * promise timeouts (E7); and child failures reaching the parent.
 */
class TimeoutsIT {
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final TestClock clock = new TestClock();
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc =
        GrpcTestServer.start(
            db,
            DispatchOptions.defaults().toBuilder()
                .workflowLease(LEASE)
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .maxWorkflowReleases(1)
                // the background loops never wake on their own: the tests run maintenance
                .sweepInterval(Duration.ofMinutes(10))
                .maxPollTimeout(Duration.ofSeconds(20))
                .build(),
            clock);
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static PollResponse poll(String queue, String worker, long timeoutSeconds) {
    return grpc.workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setWorkerId(worker)
                .setTenantId("tenant-t")
                .setQueue(queue)
                .setTimeoutSeconds(timeoutSeconds)
                .build());
  }

  private static String startAndClaim(String queue) {
    String workflowId =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();
    assertEquals(workflowId, poll(queue, "w", 5).getWorkflowExecution().getId());
    return workflowId;
  }

  private static Map<String, Integer> afterLease() {
    clock.advance(LEASE.plusSeconds(1));
    return grpc.dispatch().runMaintenance().block(Duration.ofSeconds(30));
  }

  private static List<WorkflowEvent> events(String workflowId) {
    return grpc.workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  private static List<String> eventTypes(String workflowId) {
    return events(workflowId).stream().map(WorkflowEvent::getEventType).toList();
  }

  private static Map<String, Object> row(String workflowId) {
    return db.rows(
            "SELECT status, releases, visible_at, worker_id FROM workflow_executions"
                + " WHERE id = ?::uuid",
            workflowId)
        .get(0);
  }

  // A valid batch that collides with what exists: it schedules a task id another task holds.
  private static Status.Code rejectCollidingBatch(String workflowId) {
    String taken =
        grpc.tasks()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setTenantId("tenant-t")
                    .setTaskType("elsewhere")
                    .setQueue("standalone-" + UUID.randomUUID())
                    .build())
            .getTaskExecutionId();
    return assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            workflowId,
                            List.of(scheduleTask(UUID.fromString(taken), "elsewhere")))))
        .getStatus()
        .getCode();
  }

  @Test
  void anInvalidBatchChangesNothingNotEvenTheClaim() {
    String workflowId = startAndClaim("invalid-" + UUID.randomUUID());
    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(workflowId, List.of(scheduleTask(UUID.randomUUID(), "")))));

    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertEquals("RUNNING", row(workflowId).get("status"));
    assertEquals(0, row(workflowId).get("releases"));
  }

  @Test
  void aWorkflowWhoseWorkerVanishesIsReleasedWithABackoffAndHandedToAnother() {
    String queue = "lease-" + UUID.randomUUID();
    String workflowId = startAndClaim(queue);
    // the worker sends nothing more; its lease runs out

    afterLease();

    Map<String, Object> released = row(workflowId);
    assertEquals("PENDING", released.get("status"));
    assertEquals(1, released.get("releases"));
    assertNotNull(released.get("visible_at"), "invisible for the backoff");
    assertNull(released.get("worker_id"));
    PollResponse again = poll(queue, "rescuer", 15);
    assertEquals(workflowId, again.getWorkflowExecution().getId());
    assertEquals("rescuer", row(workflowId).get("worker_id"));
    assertNull(row(workflowId).get("visible_at"));
  }

  @Test
  void aReleasedWorkflowIsNotClaimedBeforeItsBackoffEnds() {
    String queue = "backoff-" + UUID.randomUUID();
    String workflowId =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();
    db.execute(
        "UPDATE workflow_executions SET visible_at = now() + interval '1 hour', releases = 1"
            + " WHERE id = ?::uuid",
        workflowId);

    assertEquals("", poll(queue, "w", 1).getWorkflowExecution().getId());

    db.execute(
        "UPDATE workflow_executions SET visible_at = now() - interval '1 second'"
            + " WHERE id = ?::uuid",
        workflowId);
    assertEquals(workflowId, poll(queue, "w", 5).getWorkflowExecution().getId());
  }

  @Test
  void aWorkflowReleasedMoreThanAllowedFailsAsAbandonedAndItsParentHears() {
    String queue = "abandoned-" + UUID.randomUUID();
    String parent = startAndClaim(queue);
    UUID child = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                parent, List.of(scheduleChild(child, queue + "-kids")), WorkflowStatus.SUSPENDED));
    assertEquals(child.toString(), poll(queue + "-kids", "w", 5).getWorkflowExecution().getId());
    afterLease();
    assertEquals("PENDING", row(child.toString()).get("status"));
    assertEquals(child.toString(), poll(queue + "-kids", "w", 15).getWorkflowExecution().getId());

    afterLease();

    assertEquals("FAILED", row(child.toString()).get("status"));
    List<WorkflowEvent> childEvents = events(child.toString());
    WorkflowEvent failed = childEvents.get(childEvents.size() - 1);
    assertEquals("WORKFLOW_EXECUTION_FAILED", failed.getEventType());
    assertEquals(childEvents.size(), failed.getSequenceNumber(), "appended at the next sequence");
    String failure = failed.getEventData().toStringUtf8();
    assertTrue(failure.contains("\"failureType\":\"ABANDONED\""), failure);
    assertTrue(failure.contains("\"stackTrace\":\"\""), failure);
    assertTrue(failure.contains("abandoned"), failure);
    List<WorkflowEvent> parentEvents = events(parent);
    WorkflowEvent report = parentEvents.get(parentEvents.size() - 1);
    assertEquals("CHILD_WORKFLOW_FAILED", report.getEventType());
    assertTrue(report.getEventData().toStringUtf8().contains("\"childExecutionName\":\"kid\""));
    assertEquals("PENDING", row(parent).get("status"));
  }

  @Test
  void aRejectedBatchReleasesTheClaimAndAnAcceptedOneResetsTheCount() {
    String queue = "rejected-" + UUID.randomUUID();
    String workflowId = startAndClaim(queue);

    assertEquals(Status.Code.FAILED_PRECONDITION, rejectCollidingBatch(workflowId));

    assertEquals("PENDING", row(workflowId).get("status"));
    assertEquals(1, row(workflowId).get("releases"));
    assertEquals(workflowId, poll(queue, "w", 15).getWorkflowExecution().getId());
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(scheduleTask(UUID.randomUUID(), "fine")),
                WorkflowStatus.SUSPENDED));
    assertEquals(0, row(workflowId).get("releases"));
  }

  @Test
  void aRejectedBatchOnAWorkflowThatIsNotClaimedLeavesItAlone() {
    String queue = "unclaimed-" + UUID.randomUUID();
    String workflowId =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();

    rejectCollidingBatch(workflowId);

    assertEquals("PENDING", row(workflowId).get("status"));
    assertEquals(0, row(workflowId).get("releases"));
    assertNull(row(workflowId).get("visible_at"));
  }

  @Test
  void aSecondRejectionPastTheLimitFailsTheWorkflow() {
    String queue = "rejected-twice-" + UUID.randomUUID();
    String workflowId = startAndClaim(queue);
    rejectCollidingBatch(workflowId);
    assertEquals(workflowId, poll(queue, "w", 15).getWorkflowExecution().getId());

    rejectCollidingBatch(workflowId);

    assertEquals("FAILED", row(workflowId).get("status"));
    assertEquals("WORKFLOW_EXECUTION_FAILED", eventTypes(workflowId).get(1));
  }

  @Test
  void timersAndPromiseTimeoutsOfAFinishedWorkflowAddNothingToItsLog() {
    String workflowId = startAndClaim("finished-" + UUID.randomUUID());
    WorkflowCommand promise =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CREATE_PROMISE)
            .setCreatePromise(
                CreatePromiseCommand.newBuilder().setPromiseId("late").setTimeoutMs(100))
            .build();
    // work started but not awaited, then the workflow completes (W7)
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(Commands.startTimer("later", 100), promise),
                WorkflowStatus.COMPLETED));
    List<String> before = eventTypes(workflowId);

    afterLease();

    assertEquals(before, eventTypes(workflowId));
    assertEquals("COMPLETED", row(workflowId).get("status"));
  }

  @Test
  void aPromiseThatTimesOutGetsPromiseTimeoutOnceAndResumesTheWorkflow() {
    String queue = "promise-" + UUID.randomUUID();
    String workflowId = startAndClaim(queue);
    WorkflowCommand promise =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CREATE_PROMISE)
            .setCreatePromise(
                CreatePromiseCommand.newBuilder().setPromiseId("approval").setTimeoutMs(30_000))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(promise), WorkflowStatus.SUSPENDED));

    afterLease();
    // a second run finds nothing more to time out
    grpc.dispatch().runMaintenance().block(Duration.ofSeconds(30));

    List<WorkflowEvent> events = events(workflowId);
    assertEquals(
        List.of("WORKFLOW_STARTED", "PROMISE_CREATED", "PROMISE_TIMEOUT"),
        events.stream().map(WorkflowEvent::getEventType).toList());
    String timeout = events.get(2).getEventData().toStringUtf8();
    assertTrue(timeout.contains("\"promiseId\":\"" + workflowId + ":approval\""), timeout);
    assertTrue(timeout.contains("\"promiseName\":\"approval\""), timeout);
    assertEquals(
        "TIMED_OUT",
        db.rows("SELECT status FROM promises WHERE id = ?", workflowId + ":approval")
            .get(0)
            .get("status"));
    assertEquals(workflowId, poll(queue, "w", 5).getWorkflowExecution().getId());
  }

  @Test
  void aFailedChildReportsItsFailureToTheParent() {
    String queue = "child-" + UUID.randomUUID();
    String parent = startAndClaim(queue);
    UUID child = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                parent, List.of(scheduleChild(child, queue + "-kids")), WorkflowStatus.SUSPENDED));
    assertEquals(child.toString(), poll(queue + "-kids", "w", 5).getWorkflowExecution().getId());
    WorkflowCommand fail =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.FAIL_WORKFLOW)
            .setFailWorkflow(
                FailWorkflowCommand.newBuilder().setError("boom").setFailureType("Error"))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(child.toString(), List.of(fail), WorkflowStatus.FAILED));

    List<WorkflowEvent> events = events(parent);
    WorkflowEvent last = events.get(events.size() - 1);
    assertEquals("CHILD_WORKFLOW_FAILED", last.getEventType());
    assertTrue(
        last.getEventData().toStringUtf8().contains("boom"), last.getEventData().toStringUtf8());
    assertEquals("PENDING", row(parent).get("status"));
    assertEquals("FAILED", row(child.toString()).get("status"));
  }

  private static WorkflowCommand scheduleChild(UUID child, String queue) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
        .setScheduleChildWorkflow(
            ScheduleChildWorkflowCommand.newBuilder()
                .setChildExecutionName("kid")
                .setWorkflowKind("kid-kind")
                .setChildWorkflowExecutionId(child.toString())
                .setQueue(queue))
        .build();
  }
}
