package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static ai.flovyn.dispatch.testing.Commands.start;
import static ai.flovyn.dispatch.testing.Commands.startTimer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.BatchPath;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** SubmitWorkflowCommands over gRPC against real PostgreSQL: docs/sdk-compatibility.md, B1-B9. */
@BatchPath.Both
class SubmitWorkflowCommandsIT {
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  // this run's path (BatchPath.Both), which the set-up takes as its argument
  @Parameter BatchPath path;

  @BeforeParameterizedClassInvocation
  static void startServer(BatchPath path) {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db, path.options(DispatchOptions.defaults()));
  }

  @AfterParameterizedClassInvocation
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static String newWorkflow() {
    return Commands.startClaimed(grpc.workflowsTraced(TRACEPARENT), start("tenant-a", "orders"));
  }

  private static List<WorkflowEvent> events(String workflowId) {
    return grpc.workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static StatusRuntimeException errorOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run);
  }

  private static long tasksOf(String workflowId) {
    return db.scalar(
        "SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?::uuid", workflowId);
  }

  @Test
  void scheduleTaskCreatesTheTaskWithTheClientIdAndDefaultsAndItsEvent() {
    String workflowId = newWorkflow();
    UUID plain = UUID.randomUUID();
    UUID custom = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(plain, "send-email"),
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(custom.toString())
                            .setTaskType("charge-card")
                            .setMaxRetries(7)
                            .setTimeoutMs(5000)
                            .setQueue("payments")
                            .setPrioritySeconds(30)))));

    Map<String, Object> task = db.rows("SELECT * FROM task_executions WHERE id = ?", plain).get(0);
    assertEquals(UUID.fromString(workflowId), task.get("workflow_execution_id"));
    assertEquals("tenant-a", task.get("tenant_id"));
    assertEquals("send-email", task.get("task_type"));
    assertEquals("orders", task.get("queue"), "queue defaults to the workflow's");
    assertEquals(3, task.get("max_retries"));
    assertNull(task.get("timeout_ms"));
    assertEquals(0, task.get("priority_seconds"));
    assertEquals("PENDING", task.get("status"));
    assertEquals(TRACEPARENT, task.get("traceparent"), "inherits the workflow's traceparent");
    assertEquals("{\"n\":1}", new String((byte[]) task.get("input")));

    Map<String, Object> overridden =
        db.rows("SELECT * FROM task_executions WHERE id = ?", custom).get(0);
    assertEquals("payments", overridden.get("queue"));
    assertEquals(7, overridden.get("max_retries"));
    assertEquals(5000L, overridden.get("timeout_ms"));
    assertEquals(30, overridden.get("priority_seconds"));

    List<WorkflowEvent> events = events(workflowId);
    assertEquals(List.of(1, 2, 3), events.stream().map(WorkflowEvent::getSequenceNumber).toList());
    assertEquals("WORKFLOW_STARTED", events.get(0).getEventType());
    assertEquals("TASK_SCHEDULED", events.get(1).getEventType());
    String data = events.get(1).getEventData().toStringUtf8();
    assertTrue(data.contains("\"taskExecutionId\":\"" + plain + "\""), data);
    // the event JSON is exactly what the server wrote: the SDK's key `kind`, the payload as sent
    assertTrue(data.contains("\"kind\":\"send-email\""), data);
    assertTrue(data.contains("\"input\":{\"n\":1}"), data);

    String metrics = grpc.registry().scrape();
    assertTrue(
        metrics.contains(
            "dispatch_tasks_submitted_total{queue=\"orders\",task_type=\"send-email\",tenant_id=\"tenant-a\"}"),
        "tasks submitted by tenant, type and queue");
    assertTrue(metrics.contains("dispatch_command_batch_size_count"));
    assertTrue(metrics.contains("dispatch_command_batches_seconds_count{outcome=\"ok\"}"));
  }

  @Test
  void sameIdAndTypeAgainIsIdempotentAndLeavesTheTaskUntouched() {
    String workflowId = newWorkflow();
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(taskId, "send-email"))));

    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setTaskType("send-email")
                            .setInput(ByteString.copyFromUtf8("\"changed\""))
                            .setMaxRetries(9)),
                    setState("k", "\"v\""))));

    assertEquals(1, tasksOf(workflowId));
    Map<String, Object> task = db.rows("SELECT * FROM task_executions WHERE id = ?", taskId).get(0);
    assertEquals("{\"n\":1}", new String((byte[]) task.get("input")), "existing task untouched");
    assertEquals(3, task.get("max_retries"));
    assertEquals(
        1,
        events(workflowId).stream().filter(e -> e.getEventType().equals("TASK_SCHEDULED")).count());
    assertTrue(
        grpc.registry()
            .scrape()
            .contains("dispatch_tasks_idempotent_total{task_type=\"send-email\"}"));
  }

  @Test
  void sameIdWithAnotherTypeIsFailedPreconditionAndRollsBackTheWholeBatch() {
    String workflowId = newWorkflow();
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(scheduleTask(taskId, "send-email"))));
    UUID fresh = UUID.randomUUID();

    StatusRuntimeException error =
        errorOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            workflowId,
                            List.of(
                                scheduleTask(fresh, "resize-image"),
                                startTimer("t1", 1000),
                                scheduleTask(taskId, "charge-card")))));

    assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().contains("commands[2]"), error.getMessage());
    assertEquals(1, tasksOf(workflowId), "the fresh task of the failed batch is gone");
    assertEquals(
        0,
        db.scalar("SELECT count(*) FROM timers WHERE workflow_execution_id = ?::uuid", workflowId));
    assertEquals(2, events(workflowId).size(), "no event of the failed batch remains");
    assertTrue(
        grpc.registry()
            .scrape()
            .contains("dispatch_task_collisions_total{reason=\"task_type_mismatch\"}"));
  }

  @Test
  void idOfAnotherWorkflowOrStandaloneTaskIsFailedPreconditionWithoutRevealingTheOwner() {
    String owner = newWorkflow();
    String other = newWorkflow();
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(batch(owner, List.of(scheduleTask(taskId, "send-email"))));

    StatusRuntimeException error =
        errorOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(other, List.of(scheduleTask(taskId, "send-email")))));
    assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
    assertFalse(error.getStatus().getDescription().contains(owner), "owner not revealed");
    assertFalse(error.getStatus().getDescription().contains("tenant-a"), "tenant not revealed");
    assertEquals(0, tasksOf(other));

    @SuppressWarnings("deprecation")
    String standalone =
        grpc.tasks()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setTenantId("tenant-b")
                    .setTaskType("send-email")
                    .build())
            .getTaskExecutionId();
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            other,
                            List.of(scheduleTask(UUID.fromString(standalone), "send-email"))))));
  }

  @Test
  void malformedUuidIsInvalidArgumentNamingTheCommandAndWritesNothing() {
    String workflowId = newWorkflow();
    StatusRuntimeException error =
        errorOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            workflowId,
                            List.of(
                                scheduleTask(UUID.randomUUID(), "a"),
                                scheduleTask(
                                    ScheduleTaskCommand.newBuilder()
                                        .setTaskExecutionId("not-a-uuid")
                                        .setTaskType("a"))))));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertEquals(
        "commands[1].schedule_task.task_execution_id must be a UUID, got 'not-a-uuid'",
        error.getStatus().getDescription());
    assertEquals(0, tasksOf(workflowId));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> grpc.workflows().submitWorkflowCommands(batch("42", List.of()))));
  }

  @Test
  void invalidFieldsAreRejectedBeforeTheDatabaseWithTheirIndex() {
    String workflowId = newWorkflow();
    List<WorkflowCommand> bad =
        List.of(
            scheduleTask(
                ScheduleTaskCommand.newBuilder()
                    .setTaskExecutionId(UUID.randomUUID().toString())
                    .setTaskType("")),
            scheduleTask(
                ScheduleTaskCommand.newBuilder()
                    .setTaskExecutionId(UUID.randomUUID().toString())
                    .setTaskType("x".repeat(256))),
            scheduleTask(
                ScheduleTaskCommand.newBuilder()
                    .setTaskExecutionId(UUID.randomUUID().toString())
                    .setTaskType("a")
                    .setMaxRetries(-1)),
            scheduleTask(
                ScheduleTaskCommand.newBuilder()
                    .setTaskExecutionId(UUID.randomUUID().toString())
                    .setTaskType("a")
                    .setTimeoutMs(0)),
            scheduleTask(
                ScheduleTaskCommand.newBuilder()
                    .setTaskExecutionId(UUID.randomUUID().toString())
                    .setTaskType("a")
                    .setQueue("")),
            WorkflowCommand.newBuilder()
                .setCommandType(CommandType.START_TIMER)
                .setScheduleTask(ScheduleTaskCommand.newBuilder().setTaskType("a"))
                .build());
    List<String> fields =
        List.of("task_type", "task_type", "max_retries", "timeout_ms", "queue", "command_type");
    for (int i = 0; i < bad.size(); i++) {
      WorkflowCommand command = bad.get(i);
      StatusRuntimeException error =
          errorOf(
              () ->
                  grpc.workflows()
                      .submitWorkflowCommands(
                          batch(
                              workflowId,
                              List.of(scheduleTask(UUID.randomUUID(), "ok"), command))));
      assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
      String description = error.getStatus().getDescription();
      assertTrue(description.startsWith("commands[1]"), description);
      assertTrue(description.contains(fields.get(i)), description);
    }
    UUID twice = UUID.randomUUID();
    StatusRuntimeException error =
        errorOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            workflowId,
                            List.of(scheduleTask(twice, "a"), scheduleTask(twice, "b")))));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertEquals(0, tasksOf(workflowId));
  }

  @Test
  void unknownWorkflowIsNotFound() {
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(
                            UUID.randomUUID().toString(),
                            List.of(scheduleTask(UUID.randomUUID(), "a"))))));
  }

  @Test
  void aBadLastCommandOfTenLeavesNothingOfTheTen() {
    String workflowId = newWorkflow();
    UUID taken = UUID.randomUUID();
    String elsewhere = newWorkflow();
    grpc.workflows().submitWorkflowCommands(batch(elsewhere, List.of(scheduleTask(taken, "a"))));
    List<WorkflowCommand> commands = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      commands.add(
          i % 3 == 0 ? startTimer("timer-" + i, 60_000) : scheduleTask(UUID.randomUUID(), "a"));
    }
    commands.add(scheduleTask(taken, "a"));

    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(workflowId, commands, WorkflowStatus.SUSPENDED))));

    assertEquals(0, tasksOf(workflowId));
    assertEquals(
        0,
        db.scalar("SELECT count(*) FROM timers WHERE workflow_execution_id = ?::uuid", workflowId));
    assertEquals(1, events(workflowId).size());
    // nothing of the batch, and the claim is released for another try
    // (docs/sdk-compatibility.md, W9)
    Map<String, Object> row =
        db.rows("SELECT status, releases FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0);
    assertEquals("PENDING", row.get("status"));
    assertEquals(1, row.get("releases"));
  }

  @Test
  void aBatchOfAThousandTasksCreatesAThousandRowsAndGaplessEvents() {
    String workflowId = newWorkflow();
    List<WorkflowCommand> commands =
        IntStream.range(0, 1000)
            .mapToObj(i -> scheduleTask(UUID.randomUUID(), "fan-out-" + (i % 5)))
            .toList();

    grpc.workflows().submitWorkflowCommands(batch(workflowId, commands, WorkflowStatus.SUSPENDED));

    assertEquals(1000, tasksOf(workflowId));
    List<WorkflowEvent> events = events(workflowId);
    // a suspend without a SuspendWorkflow command records nothing (W3)
    assertEquals(1000 + 1, events.size(), "started + 1000 scheduled");
    assertEquals(
        IntStream.rangeClosed(1, 1001).boxed().toList(),
        events.stream().map(WorkflowEvent::getSequenceNumber).toList());
    assertEquals(
        "WAITING",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status"));
  }

  @Test
  void theSameBatchSentTwiceHasTheSameOutcomeAndAddsNothing() {
    String workflowId = newWorkflow();
    SubmitWorkflowCommandsRequest request =
        batch(
            workflowId,
            List.of(
                scheduleTask(UUID.randomUUID(), "a"),
                setState("cart", "[1,2]"),
                startTimer("reminder", 60_000),
                scheduleTask(UUID.randomUUID(), "b")),
            WorkflowStatus.SUSPENDED);
    grpc.workflows().submitWorkflowCommands(request);
    List<WorkflowEvent> before = events(workflowId);

    Empty again = grpc.workflows().submitWorkflowCommands(request);

    assertEquals(Empty.getDefaultInstance(), again);
    assertEquals(before, events(workflowId));
    assertEquals(2, tasksOf(workflowId));
    assertTrue(
        grpc.registry()
            .scrape()
            .contains("dispatch_command_batches_seconds_count{outcome=\"replayed\"}"));
  }

  @Test
  void mixedCommandsRecordTheirRowsAndEvents() {
    String workflowId = newWorkflow();
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(taskId, "send-email"),
                    startTimer("wait-1h", 3_600_000),
                    createPromise("approval"),
                    setState("stage", "\"billing\""))));

    assertEquals(1, tasksOf(workflowId));
    Map<String, Object> timer =
        db.rows(
                "SELECT status, fire_at > now() + interval '59 minutes' AS later FROM timers"
                    + " WHERE workflow_execution_id = ?::uuid AND timer_id = 'wait-1h'",
                workflowId)
            .get(0);
    assertEquals("PENDING", timer.get("status"));
    assertEquals(true, timer.get("later"));
    assertEquals(
        workflowId + ":approval",
        db.rows("SELECT id FROM promises WHERE workflow_execution_id = ?::uuid", workflowId)
            .get(0)
            .get("id"));
    assertEquals(
        "\"billing\"",
        new String(
            (byte[])
                db.rows(
                        "SELECT value FROM workflow_state WHERE workflow_execution_id = ?::uuid AND key = 'stage'",
                        workflowId)
                    .get(0)
                    .get("value")));
    assertEquals(
        List.of(
            "WORKFLOW_STARTED", "TASK_SCHEDULED", "TIMER_STARTED", "PROMISE_CREATED", "STATE_SET"),
        events(workflowId).stream().map(WorkflowEvent::getEventType).toList());
    assertTrue(
        events(workflowId).get(3).getEventData().toStringUtf8().contains(workflowId + ":approval"));
  }

  @Test
  void sixteenConcurrentIdenticalSubmissionsAllSucceedWithOneRowPerId() throws Exception {
    String workflowId = newWorkflow();
    List<WorkflowCommand> commands =
        IntStream.range(0, 20).mapToObj(i -> scheduleTask(UUID.randomUUID(), "parallel")).toList();
    SubmitWorkflowCommandsRequest request = batch(workflowId, commands);

    List<ListenableFuture<Empty>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      calls.add(grpc.workflowsAsync().submitWorkflowCommands(request));
    }
    for (ListenableFuture<Empty> call : calls) {
      assertEquals(Empty.getDefaultInstance(), call.get(60, TimeUnit.SECONDS));
    }

    assertEquals(20, tasksOf(workflowId));
    assertEquals(21, events(workflowId).size(), "each TASK_SCHEDULED exactly once");
  }

  @Test
  void overlappingConcurrentBatchesOfDifferentWorkflowsNeverLeakAUniqueViolation()
      throws Exception {
    // Two workflows race for the same ids: per id exactly one wins, the other gets
    // FAILED_PRECONDITION; nobody sees INTERNAL or a unique violation.
    List<UUID> shared = IntStream.range(0, 10).mapToObj(i -> UUID.randomUUID()).toList();
    List<String> workflows = IntStream.range(0, 8).mapToObj(i -> newWorkflow()).toList();
    List<ListenableFuture<Empty>> calls = new ArrayList<>();
    for (String workflowId : workflows) {
      calls.add(
          grpc.workflowsAsync()
              .submitWorkflowCommands(
                  batch(workflowId, shared.stream().map(id -> scheduleTask(id, "race")).toList())));
    }
    int succeeded = 0;
    for (ListenableFuture<Empty> call : calls) {
      try {
        call.get(60, TimeUnit.SECONDS);
        succeeded++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertEquals(
            Status.Code.FAILED_PRECONDITION,
            Status.fromThrowable(e.getCause()).getCode(),
            e.toString());
      }
    }
    assertEquals(1, succeeded, "one workflow gets all the ids, atomically");
    assertEquals(
        10,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE id = ANY(string_to_array(?, ',')::uuid[])",
            String.join(",", shared.stream().map(UUID::toString).toList())));
  }

  @Test
  void overlappingConcurrentBatchesOfOneWorkflowAllSucceed() throws Exception {
    String workflowId = newWorkflow();
    List<UUID> ids = IntStream.range(0, 12).mapToObj(i -> UUID.randomUUID()).toList();
    List<ListenableFuture<Empty>> calls = new ArrayList<>();
    for (int start = 0; start < 8; start++) {
      List<WorkflowCommand> window =
          ids.subList(start, start + 5).stream().map(id -> scheduleTask(id, "window")).toList();
      calls.add(grpc.workflowsAsync().submitWorkflowCommands(batch(workflowId, window)));
    }
    for (ListenableFuture<Empty> call : calls) {
      call.get(60, TimeUnit.SECONDS);
    }
    assertEquals(12, tasksOf(workflowId));
    assertEquals(13, events(workflowId).size());
  }

  @Test
  @SuppressWarnings("deprecation")
  void aTaskFirstSubmittedThenScheduledGetsItsEventWithoutASecondRow() {
    String workflowId = newWorkflow();
    String taskId =
        grpc.tasks()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setWorkflowExecutionId(workflowId)
                    .setTenantId("tenant-a")
                    .setTaskType("legacy")
                    .build())
            .getTaskExecutionId();
    assertEquals(1, events(workflowId).size(), "SubmitTask writes no event");

    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(scheduleTask(UUID.fromString(taskId), "legacy"))));

    assertEquals(1, tasksOf(workflowId));
    List<WorkflowEvent> events = events(workflowId);
    assertEquals("TASK_SCHEDULED", events.get(1).getEventType());
    assertTrue(events.get(1).getEventData().toStringUtf8().contains(taskId));
  }

  @Test
  void aFinishedWorkflowAcceptsOnlyAReplay() {
    String workflowId = newWorkflow();
    UUID taskId = UUID.randomUUID();
    WorkflowCommand complete =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.COMPLETE_WORKFLOW)
            .setCompleteWorkflow(
                CompleteWorkflowCommand.newBuilder()
                    .setOutput(ByteString.copyFromUtf8("{\"ok\":true}")))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(scheduleTask(taskId, "a"), complete),
                WorkflowStatus.COMPLETED));
    Map<String, Object> row =
        db.rows("SELECT status, output FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0);
    assertEquals("COMPLETED", row.get("status"));
    assertEquals("{\"ok\":true}", new String((byte[]) row.get("output")));
    List<WorkflowEvent> before = events(workflowId);

    grpc.workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(scheduleTask(taskId, "a")), WorkflowStatus.COMPLETED));
    assertEquals(before, events(workflowId));

    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(
                        batch(workflowId, List.of(scheduleTask(UUID.randomUUID(), "a"))))));
    assertEquals(1, tasksOf(workflowId));
  }

  @Test
  void childWorkflowIsCreatedWithTheClientIdAndInheritsTheQueue() {
    String parent = newWorkflow();
    UUID child = UUID.randomUUID();
    WorkflowCommand schedule =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
            .setScheduleChildWorkflow(
                ScheduleChildWorkflowCommand.newBuilder()
                    .setChildExecutionName("shipping")
                    .setWorkflowKind("ship-order")
                    .setChildWorkflowExecutionId(child.toString()))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(parent, List.of(schedule), WorkflowStatus.SUSPENDED));
    grpc.workflows()
        .submitWorkflowCommands(batch(parent, List.of(schedule), WorkflowStatus.SUSPENDED));

    Map<String, Object> row =
        db.rows("SELECT * FROM workflow_executions WHERE id = ?", child).get(0);
    assertEquals("PENDING", row.get("status"));
    assertEquals("orders", row.get("queue"));
    assertEquals("ship-order", row.get("kind"));
    assertEquals(UUID.fromString(parent), row.get("parent_workflow_execution_id"));
    assertEquals(TRACEPARENT, row.get("traceparent"));
    assertEquals(
        List.of("WORKFLOW_STARTED"),
        events(child.toString()).stream().map(WorkflowEvent::getEventType).toList());
    assertEquals(
        1,
        events(parent).stream()
            .filter(e -> e.getEventType().equals("CHILD_WORKFLOW_INITIATED"))
            .count());
  }
}
