package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.StartTimerCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Payloads are the user's bytes, kept whatever they contain; every number has a range checked at
 * the edge; and no stored row can make a claim fail for the rest of its queue.
 */
class PayloadsAndRangesIT {
  private static final String TENANT = "tenant-ranges";
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  /** Valid JSON that PostgreSQL's jsonb refuses, and bytes that are not UTF-8 at all. */
  private static final List<byte[]> AWKWARD_PAYLOADS =
      List.of(
          utf8("{\"a\":\"\\u0000\"}"),
          utf8("1e999999"),
          utf8("\"\\ud800\""),
          new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1},
          new byte[] {0});

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
  }

  @AfterAll
  static void stop() {
    grpc.close();
    db.close();
  }

  @Test
  void awkwardPayloadsRoundTripThroughEventsAndPolls() {
    String queue = "q-" + UUID.randomUUID();
    for (byte[] payload : AWKWARD_PAYLOADS) {
      String workflowId = startAndClaim(queue, payload);
      List<WorkflowEvent> started = events(workflowId);
      assertEquals("WORKFLOW_STARTED", started.get(0).getEventType());
      assertPayload(started.get(0).getEventData().toStringUtf8(), "input", payload);

      UUID taskId = UUID.randomUUID();
      grpc.workflows()
          .submitWorkflowCommands(
              batch(
                  workflowId,
                  List.of(
                      scheduleTask(
                          ScheduleTaskCommand.newBuilder()
                              .setTaskExecutionId(taskId.toString())
                              .setTaskType("t")
                              .setInput(ByteString.copyFrom(payload))))));
      PollTaskResponse polled = pollTask(queue);
      assertEquals(taskId.toString(), polled.getTask().getTaskExecutionId());
      assertArrayEquals(payload, polled.getTask().getInput().toByteArray());
    }
  }

  @Test
  void outOfRangeNumbersAreInvalidArgumentNamingTheFieldAndWriteNothing() {
    String queue = "q-" + UUID.randomUUID();
    String workflowId = startAndClaim(queue, utf8("{}"));
    long tasksBefore = db.scalar("SELECT count(*) FROM task_executions");
    long eventsBefore = db.scalar("SELECT count(*) FROM workflow_events");
    assertRejected(
        "commands[0].schedule_task.timeout_ms",
        () -> task(workflowId, ScheduleTaskCommand.newBuilder().setTimeoutMs(Long.MAX_VALUE)));
    assertRejected(
        "commands[0].schedule_task.max_retries",
        () -> task(workflowId, ScheduleTaskCommand.newBuilder().setMaxRetries(1001)));
    assertRejected(
        "commands[0].schedule_task.priority_seconds",
        () ->
            task(
                workflowId,
                ScheduleTaskCommand.newBuilder().setPrioritySeconds(Integer.MIN_VALUE)));
    assertRejected(
        "commands[0].start_timer.duration_ms",
        () ->
            submit(
                workflowId,
                WorkflowCommand.newBuilder()
                    .setCommandType(CommandType.START_TIMER)
                    .setStartTimer(
                        StartTimerCommand.newBuilder()
                            .setTimerId("t")
                            .setDurationMs(Long.MAX_VALUE))
                    .build()));
    assertRejected(
        "commands[0].create_promise.timeout_ms",
        () ->
            submit(
                workflowId,
                WorkflowCommand.newBuilder()
                    .setCommandType(CommandType.CREATE_PROMISE)
                    .setCreatePromise(
                        CreatePromiseCommand.newBuilder()
                            .setPromiseId("p")
                            .setTimeoutMs(Long.MAX_VALUE))
                    .build()));
    assertRejected(
        "timeout_ms",
        () ->
            grpc.tasks()
                .submitTask(
                    SubmitTaskRequest.newBuilder()
                        .setTenantId(TENANT)
                        .setTaskType("t")
                        .setQueue(queue)
                        .setTimeoutMs(Long.MAX_VALUE)
                        .build()));
    assertEquals(tasksBefore, db.scalar("SELECT count(*) FROM task_executions"));
    assertEquals(eventsBefore, db.scalar("SELECT count(*) FROM workflow_events"));
  }

  @Test
  void aStoredHugeTimeoutNeitherFailsTheClaimNorBlocksTheQueue() {
    String queue = "q-" + UUID.randomUUID();
    String first =
        grpc.tasks()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setTaskType("t")
                    .setQueue(queue)
                    .setTimeoutMs(1000)
                    .build())
            .getTaskExecutionId();
    // a row written before the edge checked ranges
    db.execute(
        "UPDATE task_executions SET timeout_ms = 9223372036854775807 WHERE id = ?::uuid", first);

    assertEquals(first, pollTask(queue).getTask().getTaskExecutionId());
    assertTrue(
        db.scalar(
                "SELECT count(*) FROM task_executions WHERE id = ?::uuid"
                    + " AND lease_expires_at <= now() + interval '31 days'",
                first)
            == 1);
  }

  @Test
  void pollsWithNoWaitAnswerEmptyNeverAnError() {
    String queue = "q-" + UUID.randomUUID();
    // a timeout that fires at once used to race the poll's own subscription (INTERNAL, rarely)
    long empty =
        reactor.core.publisher.Flux.range(0, 300)
            .flatMap(
                i ->
                    grpc.dispatch()
                        .pollTask(
                            Scope.unrestricted(), TENANT, queue, null, "w", java.time.Duration.ZERO)
                        .hasElement(),
                16)
            .filter(found -> !found)
            .count()
            .block(java.time.Duration.ofSeconds(60));
    assertEquals(300, empty);
  }

  private static void assertRejected(String field, Runnable call) {
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.toString());
    assertTrue(
        error.getStatus().getDescription().startsWith(field), error.getStatus().getDescription());
  }

  private static void task(String workflowId, ScheduleTaskCommand.Builder task) {
    submit(
        workflowId,
        scheduleTask(task.setTaskExecutionId(UUID.randomUUID().toString()).setTaskType("t")));
  }

  private static void submit(String workflowId, WorkflowCommand command) {
    grpc.workflows().submitWorkflowCommands(batch(workflowId, List.of(command)));
  }

  private static String startAndClaim(String queue, byte[] input) {
    String id =
        grpc.workflows()
            .startWorkflow(
                StartWorkflowRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setWorkflowKind("k")
                    .setQueue(queue)
                    .setInput(ByteString.copyFrom(input))
                    .build())
            .getWorkflowExecutionId();
    var claimed =
        grpc.workflows()
            .pollWorkflow(
                PollRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setQueue(queue)
                    .setWorkerId("w")
                    .setTimeoutSeconds(5)
                    .build())
            .getWorkflowExecution();
    assertEquals(id, claimed.getId());
    assertArrayEquals(input, claimed.getInput().toByteArray());
    return id;
  }

  private static PollTaskResponse pollTask(String queue) {
    return grpc.tasks()
        .pollTask(
            PollTaskRequest.newBuilder()
                .setTenantId(TENANT)
                .setQueue(queue)
                .setWorkerId("w")
                .setTimeoutSeconds(5)
                .build());
  }

  private static List<WorkflowEvent> events(String workflowId) {
    return grpc.workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  /** The payload is in the event as its own JSON text, or as base64 when it is not JSON. */
  private static void assertPayload(String json, String key, byte[] payload) {
    String raw = new String(payload, StandardCharsets.UTF_8);
    String embedded = "\"" + key + "\":" + raw;
    String base64 = "\"" + key + "Base64\":\"" + Base64.getEncoder().encodeToString(payload) + "\"";
    assertTrue(json.contains(embedded) || json.contains(base64), json);
    Supplier<Boolean> isUtf8Json = () -> json.contains(embedded);
    if (payload[0] == (byte) 0xff || payload[0] == 0) {
      assertTrue(json.contains(base64), json);
    } else {
      assertTrue(isUtf8Json.get(), json);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
