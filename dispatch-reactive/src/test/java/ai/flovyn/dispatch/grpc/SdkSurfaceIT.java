package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.ExecutionSpan;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.GetVisualWorkflowDefinitionByIdRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.RecordOperationCommand;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansResponse;
import ai.flovyn.dispatch.proto.RequestCancelChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowResponse;
import ai.flovyn.dispatch.proto.SignalWorkflowRequest;
import ai.flovyn.dispatch.proto.StartChildWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parts of the flovyn.v1 surface only clients of the SDK call (the client RPCs of
 * docs/sdk-compatibility.md): StartChildWorkflow, signals' error cases, spans, visual definitions,
 * the cancellation of a child and the history limit of G-E2.
 */
class SdkSurfaceIT {
  private static final String TENANT = "tenant-sdk";
  private static final long HISTORY_LIMIT = 4_000;
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc =
        GrpcTestServer.start(
            db, DispatchOptions.defaults().toBuilder().maxHistoryBytes(HISTORY_LIMIT).build());
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static String claimed(String queue) {
    return Commands.startClaimed(grpc.workflows(), start(TENANT, queue));
  }

  private static List<WorkflowEvent> events(String workflowId) {
    return grpc.workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  private static String status(String workflowId) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status");
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void startChildWorkflowCreatesAPendingChildAndWritesNothingToTheParent() {
    String parent = claimed("surface-" + UUID.randomUUID());
    int parentEvents = events(parent).size();

    String child =
        grpc.workflows()
            .startChildWorkflow(
                StartChildWorkflowRequest.newBuilder()
                    .setParentWorkflowExecutionId(parent)
                    .setChildExecutionName("report")
                    .setTenantId(TENANT)
                    .setWorkflowKind("report-workflow")
                    .setInput(ByteString.copyFromUtf8("{\"month\":11}"))
                    .build())
            .getChildWorkflowExecutionId();

    var row = db.rows("SELECT * FROM workflow_executions WHERE id = ?::uuid", child).get(0);
    assertEquals("PENDING", row.get("status"));
    assertEquals(UUID.fromString(parent), row.get("parent_workflow_execution_id"));
    assertEquals(null, row.get("child_execution_name"), "not a child the parent's code named");
    assertEquals(
        db.rows("SELECT queue FROM workflow_executions WHERE id = ?::uuid", parent)
            .get(0)
            .get("queue"),
        row.get("queue"),
        "the parent's queue by default");
    assertEquals(List.of("WORKFLOW_STARTED"), types(child));
    assertEquals(parentEvents, events(parent).size(), "nothing in the parent's log (E11)");
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.workflows()
                    .startChildWorkflow(
                        StartChildWorkflowRequest.newBuilder()
                            .setParentWorkflowExecutionId(parent)
                            .setChildExecutionName("report")
                            .setTenantId("another-tenant")
                            .setWorkflowKind("report-workflow")
                            .build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.workflows()
                    .startChildWorkflow(
                        StartChildWorkflowRequest.newBuilder()
                            .setParentWorkflowExecutionId(parent)
                            .setChildExecutionName("report")
                            .setTenantId(TENANT)
                            .build())),
        "neither a kind nor a definition (CW3)");
  }

  @Test
  void aWorkflowWhoseInputAlonePassesTheHistoryLimitIsRefusedAtStart() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .startWorkflow(
                        start(TENANT, "huge-" + UUID.randomUUID()).toBuilder()
                            .setInput(ByteString.copyFromUtf8("\"" + "x".repeat(5_000) + "\""))
                            .build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().startsWith("input"));
  }

  @Test
  void signalsAreRefusedForUnknownOtherTenantsAndFinishedWorkflows() {
    String workflow = claimed("signals-" + UUID.randomUUID());
    SignalWorkflowRequest.Builder signal =
        SignalWorkflowRequest.newBuilder()
            .setTenantId(TENANT)
            .setWorkflowExecutionId(workflow)
            .setSignalName("go")
            .setSignalValue(ByteString.copyFromUtf8("1"));

    long first = grpc.workflows().signalWorkflow(signal.build()).getSignalEventSequence();
    long second = grpc.workflows().signalWorkflow(signal.build()).getSignalEventSequence();
    assertEquals(first + 1, second, "every call appends (SG1), in commit order (SG2)");
    assertEquals("SIGNAL_RECEIVED", events(workflow).get((int) second - 1).getEventType());
    assertEquals(
        "{\"signalName\":\"go\",\"signalValue\":1}",
        events(workflow).get((int) second - 1).getEventData().toStringUtf8());

    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(() -> grpc.workflows().signalWorkflow(signal.setTenantId("other").build())));
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.workflows()
                    .signalWorkflow(
                        signal
                            .setTenantId(TENANT)
                            .setWorkflowExecutionId(UUID.randomUUID().toString())
                            .build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.workflows()
                    .signalWorkflow(
                        signal.setWorkflowExecutionId(workflow).setSignalName("").build())));

    grpc.workflows().submitWorkflowCommands(batch(workflow, List.of(), WorkflowStatus.COMPLETED));
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        codeOf(() -> grpc.workflows().signalWorkflow(signal.setSignalName("late").build())));
  }

  @Test
  void signalWithStartReplacesAFinishedWorkflowUnderTheSameKey() {
    SignalWithStartWorkflowRequest request =
        SignalWithStartWorkflowRequest.newBuilder()
            .setTenantId(TENANT)
            .setWorkflowId("order-" + UUID.randomUUID())
            .setWorkflowKind("order")
            .setQueue("sws-" + UUID.randomUUID())
            .setSignalName("paid")
            .setSignalValue(ByteString.copyFromUtf8("{\"amount\":3}"))
            .build();
    SignalWithStartWorkflowResponse created = grpc.workflows().signalWithStartWorkflow(request);
    assertTrue(created.getWorkflowCreated());
    assertEquals(2, created.getSignalEventSequence(), "after WORKFLOW_STARTED");
    assertEquals(
        List.of("WORKFLOW_STARTED", "SIGNAL_RECEIVED"), types(created.getWorkflowExecutionId()));

    Commands.claim(grpc.workflows(), TENANT, request.getQueue(), created.getWorkflowExecutionId());
    grpc.workflows()
        .submitWorkflowCommands(
            batch(created.getWorkflowExecutionId(), List.of(), WorkflowStatus.COMPLETED));

    SignalWithStartWorkflowResponse again = grpc.workflows().signalWithStartWorkflow(request);
    assertTrue(again.getWorkflowCreated(), "the key named a finished workflow (SW1)");
    assertFalse(again.getWorkflowExecutionId().equals(created.getWorkflowExecutionId()));
  }

  @Test
  void spansAreCountedAndABadSpanIsRejectedAlone() {
    ReportExecutionSpansResponse response =
        grpc.workflows()
            .reportExecutionSpans(
                ReportExecutionSpansRequest.newBuilder()
                    .addSpans(
                        ExecutionSpan.newBuilder()
                            .setSpanId(UUID.randomUUID().toString())
                            .setSpanType("task.execute")
                            .setWorkflowId("standalone")
                            .setStartTimeUnixNs(1_000_000)
                            .setEndTimeUnixNs(5_000_000))
                    .addSpans(
                        ExecutionSpan.newBuilder()
                            .setSpanId("")
                            .setSpanType("workflow.replay")
                            .setStartTimeUnixNs(5)
                            .setEndTimeUnixNs(1))
                    .build());
    assertEquals(1, response.getAcceptedCount());
    assertEquals(1, response.getRejectedCount());
    String metrics = grpc.registry().scrape();
    assertTrue(
        metrics.contains(
            "dispatch_execution_spans_total{outcome=\"ok\",span_type=\"task.execute\"} 1.0"),
        metrics);
    assertTrue(metrics.contains("dispatch_execution_span_seconds_count{error=\"false\""), metrics);
  }

  @Test
  void visualDefinitionsAreNotFound() {
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.workflows()
                    .getVisualWorkflowDefinitionById(
                        GetVisualWorkflowDefinitionByIdRequest.newBuilder()
                            .setWorkflowDefinitionId("x".repeat(5000))
                            .build())));
  }

  @Test
  void cancellingAChildEndsItAndTellsTheParentWithChildWorkflowFailed() {
    String queue = "cancel-" + UUID.randomUUID();
    String parent = claimed(queue);
    UUID child = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                parent,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
                        .setScheduleChildWorkflow(
                            ScheduleChildWorkflowCommand.newBuilder()
                                .setChildExecutionName("shipping")
                                .setWorkflowKind("ship")
                                .setChildWorkflowExecutionId(child.toString())
                                .setQueue(queue + "-children"))
                        .build()),
                WorkflowStatus.SUSPENDED));
    Commands.claim(grpc.workflows(), TENANT, queue + "-children", child.toString());
    // (the child's worker is busy; the parent is woken by something else and cancels it)
    grpc.workflows()
        .signalWorkflow(
            SignalWorkflowRequest.newBuilder()
                .setTenantId(TENANT)
                .setWorkflowExecutionId(parent)
                .setSignalName("abort")
                .build());
    Commands.claim(grpc.workflows(), TENANT, queue, parent);
    WorkflowCommand cancel =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.REQUEST_CANCEL_CHILD_WORKFLOW)
            .setRequestCancelChildWorkflow(
                // the SDK sends no name and no reason (P6)
                RequestCancelChildWorkflowCommand.newBuilder()
                    .setChildWorkflowExecutionId(child.toString()))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(parent, List.of(cancel), WorkflowStatus.SUSPENDED));

    assertEquals("CANCELLED", status(child.toString()));
    assertEquals("WORKFLOW_CANCELLED", last(types(child.toString())));
    WorkflowEvent outcome = events(parent).get(events(parent).size() - 1);
    assertEquals("CHILD_WORKFLOW_FAILED", outcome.getEventType());
    String data = outcome.getEventData().toStringUtf8();
    assertTrue(data.contains("\"childExecutionName\":\"shipping\""), data);
    assertTrue(data.contains("\"childExecutionId\":\"" + child + "\""), data);
    assertEquals("PENDING", status(parent), "the outcome woke the parent");
    assertFalse(
        types(parent).stream().anyMatch(type -> type.contains("CANCELLATION")),
        "only the SDK's event types");
  }

  @Test
  void aBatchThatWouldPassTheHistoryLimitIsRefusedAndFailsTheWorkflow() {
    String workflow = claimed("history-" + UUID.randomUUID());
    WorkflowCommand big =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.RECORD_OPERATION)
            .setRecordOperation(
                RecordOperationCommand.newBuilder()
                    .setOperationName("fetch")
                    .setResult(ByteString.copyFromUtf8("\"" + "x".repeat(5_000) + "\"")))
            .build();

    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () -> grpc.workflows().submitWorkflowCommands(batch(workflow, List.of(big))));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("history"));
    assertEquals("FAILED", status(workflow));
    assertEquals(List.of("WORKFLOW_STARTED", "WORKFLOW_EXECUTION_FAILED"), types(workflow));
    long stored =
        db.scalar("SELECT history_bytes FROM workflow_executions WHERE id = ?::uuid", workflow);
    assertTrue(stored > 0 && stored < HISTORY_LIMIT, "history_bytes " + stored);
  }

  @Test
  void aSignalThatWouldPassTheHistoryLimitIsRefusedAndAppendsNothing() {
    String workflow = claimed("big-signal-" + UUID.randomUUID());
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .signalWorkflow(
                        SignalWorkflowRequest.newBuilder()
                            .setTenantId(TENANT)
                            .setWorkflowExecutionId(workflow)
                            .setSignalName("upload")
                            .setSignalValue(
                                ByteString.copyFromUtf8("\"" + "x".repeat(5_000) + "\""))
                            .build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertEquals(List.of("WORKFLOW_STARTED"), types(workflow));
    assertEquals("RUNNING", status(workflow));
  }

  @Test
  void failureTextsFromUserCodeAreKeptCutAndCleanedNotRefused() {
    String queue = "failures-" + UUID.randomUUID();
    String workflow = claimed(queue);
    UUID task = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflow,
                List.of(
                    Commands.scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(task.toString())
                            .setTaskType("flaky")
                            .setMaxRetries(0)
                            .setQueue(queue + "-tasks")))));
    PollTaskResponse polled =
        grpc.tasks()
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setQueue(queue + "-tasks")
                    .setWorkerId("w")
                    .setTimeoutSeconds(5)
                    .build());
    assertEquals(task.toString(), polled.getTask().getTaskExecutionId());
    String longError = "boom\0" + "x".repeat(40_000);

    grpc.tasks()
        .failTask(
            FailTaskRequest.newBuilder()
                .setTaskExecutionId(task.toString())
                .setError(longError)
                .build());

    String stored =
        (String)
            db.rows("SELECT error FROM task_executions WHERE id = ?", task).get(0).get("error");
    assertEquals(32 * 1024, stored.length());
    assertTrue(stored.startsWith("boom\uFFFD"));
    List<WorkflowEvent> log = events(workflow);
    assertEquals("TASK_FAILED", log.get(log.size() - 1).getEventType());
    String event = log.get(log.size() - 1).getEventData().toStringUtf8();
    assertTrue(event.contains("boom\\ufffd") || event.contains("boom\uFFFD"), event);
    assertTrue(event.length() < 5_000, "the event carries a bounded error");

    // (a fresh workflow: the TASK_FAILED above took this one's small test history limit)
    String failing = claimed(queue + "-fail");
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                failing,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.FAIL_WORKFLOW)
                        .setFailWorkflow(
                            FailWorkflowCommand.newBuilder()
                                .setError("bad\0input")
                                .setStackTrace("at x\n".repeat(20))
                                .setFailureType("ERROR"))
                        .build()),
                WorkflowStatus.FAILED));
    assertEquals("FAILED", status(failing));
    assertEquals(
        "bad\uFFFDinput",
        db.rows("SELECT error FROM workflow_executions WHERE id = ?::uuid", failing)
            .get(0)
            .get("error"));
  }

  @Test
  void aNewActivationSendingTheSameBatchAsTheLastIsAppliedNotTakenForARetry() {
    String queue = "same-batch-" + UUID.randomUUID();
    String workflow = claimed(queue);
    // something arrives while the first activation runs: its suspend goes straight to PENDING
    grpc.workflows()
        .signalWorkflow(
            SignalWorkflowRequest.newBuilder()
                .setTenantId(TENANT)
                .setWorkflowExecutionId(workflow)
                .setSignalName("ping")
                .build());
    grpc.workflows().submitWorkflowCommands(batch(workflow, List.of(), WorkflowStatus.SUSPENDED));
    assertEquals("PENDING", status(workflow));
    Commands.claim(grpc.workflows(), TENANT, queue, workflow);

    // the next activation (FFI) suspends with the very same empty batch
    grpc.workflows().submitWorkflowCommands(batch(workflow, List.of(), WorkflowStatus.SUSPENDED));

    assertEquals("WAITING", status(workflow), "applied: the workflow waits");
  }

  @Test
  void aPlaceholdersSequenceNumberStillTakesPartInTheOrderCheck() {
    String workflow = claimed("placeholder-order-" + UUID.randomUUID());
    WorkflowCommand task =
        Commands.scheduleTask(UUID.randomUUID(), "t").toBuilder().setSequenceNumber(5).build();
    WorkflowCommand placeholder = WorkflowCommand.newBuilder().setSequenceNumber(3).build();

    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(batch(workflow, List.of(task, placeholder))));

    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().startsWith("commands[1].sequence_number"));
    assertEquals(List.of("WORKFLOW_STARTED"), types(workflow), "P2: nothing written");
  }

  @Test
  void payloadBytesThatAreNotUtf8JsonAreKeptAsBase64WithANullUnderThePlainKey() {
    String workflow = claimed("payload-bytes-" + UUID.randomUUID());
    byte[][] payloads = {
      {0x00, 0x31}, // Jackson alone would read it as UTF-16 "1"
      {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}, // a byte-order mark before JSON
    };
    for (byte[] payload : payloads) {
      grpc.workflows()
          .submitWorkflowCommands(
              batch(
                  workflow,
                  List.of(
                      WorkflowCommand.newBuilder()
                          .setCommandType(CommandType.RECORD_OPERATION)
                          .setRecordOperation(
                              RecordOperationCommand.newBuilder()
                                  .setOperationName("op")
                                  .setResult(ByteString.copyFrom(payload)))
                          .build())));
      List<WorkflowEvent> log = events(workflow);
      String data = log.get(log.size() - 1).getEventData().toStringUtf8();
      assertTrue(data.contains("\"result\":null"), data);
      assertTrue(
          data.contains(
              "\"resultBase64\":\"" + java.util.Base64.getEncoder().encodeToString(payload) + "\""),
          data);
    }
  }

  private static List<String> types(String workflowId) {
    return events(workflowId).stream().map(WorkflowEvent::getEventType).toList();
  }

  private static String last(List<String> values) {
    return values.get(values.size() - 1);
  }
}
