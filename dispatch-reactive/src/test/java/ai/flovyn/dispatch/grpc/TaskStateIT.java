package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.ClearAllStateRequest;
import ai.flovyn.dispatch.proto.ClearStateRequest;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetStateKeysRequest;
import ai.flovyn.dispatch.proto.GetStateRequest;
import ai.flovyn.dispatch.proto.GetStateResponse;
import ai.flovyn.dispatch.proto.SetStateRequest;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TaskExecution state RPCs over gRPC against real PostgreSQL (docs/sdk-compatibility.md,
 * TS1-TS4).
 */
class TaskStateIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc =
        GrpcTestServer.start(
            db,
            DispatchOptions.defaults().toBuilder()
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
                .build());
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static void set(UUID taskId, String key, String json) {
    grpc.tasks()
        .setState(
            SetStateRequest.newBuilder()
                .setTaskExecutionId(taskId.toString())
                .setKey(key)
                .setValue(ByteString.copyFromUtf8(json))
                .build());
  }

  private static GetStateResponse get(UUID taskId, String key) {
    return grpc.tasks()
        .getState(
            GetStateRequest.newBuilder().setTaskExecutionId(taskId.toString()).setKey(key).build());
  }

  private static Set<String> keys(UUID taskId) {
    return Set.copyOf(
        grpc.tasks()
            .getStateKeys(
                GetStateKeysRequest.newBuilder().setTaskExecutionId(taskId.toString()).build())
            .getKeysList());
  }

  private static void clear(UUID taskId, String key) {
    grpc.tasks()
        .clearState(
            ClearStateRequest.newBuilder()
                .setTaskExecutionId(taskId.toString())
                .setKey(key)
                .build());
  }

  private static void clearAll(UUID taskId) {
    grpc.tasks()
        .clearAllState(
            ClearAllStateRequest.newBuilder().setTaskExecutionId(taskId.toString()).build());
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void setOverwritesGetReadsKeysListsAndClearsAreIdempotent() {
    UUID taskId = TaskFixtures.schedule(grpc, "stateful").taskId();

    set(taskId, "count", "1");
    set(taskId, "doc", "{\"x\": [1, 2]}");
    set(taskId, "count", "2");

    GetStateResponse count = get(taskId, "count");
    assertTrue(count.getFound());
    assertEquals("2", count.getValue().toStringUtf8());
    assertEquals("{\"x\": [1, 2]}", get(taskId, "doc").getValue().toStringUtf8());
    assertFalse(get(taskId, "missing").getFound());
    assertEquals(Set.of("count", "doc"), keys(taskId));

    clear(taskId, "count");
    clear(taskId, "count");
    assertFalse(get(taskId, "count").getFound());
    assertEquals(Set.of("doc"), keys(taskId));

    clearAll(taskId);
    clearAll(taskId);
    assertEquals(Set.of(), keys(taskId));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_state WHERE task_execution_id = ?", taskId));
  }

  @Test
  void stateIsUsableInEveryStatusSurvivesRetriesAndWritesNoEvents() {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "stateful");
    long events =
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid",
            task.workflowId());
    set(task.taskId(), "phase", "\"pending\"");

    TaskFixtures.poll(grpc, task.queue(), "w1");
    set(task.taskId(), "phase", "\"running\"");
    grpc.tasks()
        .failTask(
            FailTaskRequest.newBuilder()
                .setTaskExecutionId(task.taskId().toString())
                .setError("boom")
                .build());
    assertEquals("\"running\"", get(task.taskId(), "phase").getValue().toStringUtf8());
    assertEquals(2, TaskFixtures.poll(grpc, task.queue(), "w1").getTask().getExecutionCount());
    grpc.tasks()
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(task.taskId().toString())
                .setOutput(ByteString.copyFromUtf8("{}"))
                .build());
    set(task.taskId(), "phase", "\"done\"");

    assertEquals("\"done\"", get(task.taskId(), "phase").getValue().toStringUtf8());
    assertEquals(
        "COMPLETED",
        db.rows("SELECT status FROM task_executions WHERE id = ?", task.taskId())
            .get(0)
            .get("status"));
    // only the task's own outcome reached the workflow: state writes add no events
    assertEquals(
        events + 1,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid",
            task.workflowId()));
  }

  @Test
  void anUnknownTaskIsNotFoundForEveryStateCall() {
    UUID unknown = UUID.randomUUID();

    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> get(unknown, "k")));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> set(unknown, "k", "1")));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> clear(unknown, "k")));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> clearAll(unknown)));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> keys(unknown)));
  }

  @Test
  void malformedRequestsAreInvalidAndWriteNothing() {
    UUID taskId = TaskFixtures.schedule(grpc, "stateful").taskId();

    StatusRuntimeException notJson =
        assertThrows(StatusRuntimeException.class, () -> set(taskId, "k", "{not json"));
    assertEquals(Status.Code.INVALID_ARGUMENT, notJson.getStatus().getCode());
    assertTrue(notJson.getStatus().getDescription().contains("value"));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> set(taskId, "k", "")));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> set(taskId, "", "1")));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> set(taskId, "k".repeat(256), "1")));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> get(taskId, "")));
    StatusRuntimeException badId =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.tasks()
                    .getStateKeys(
                        GetStateKeysRequest.newBuilder()
                            .setTaskExecutionId("x".repeat(500))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, badId.getStatus().getCode());
    assertTrue(badId.getStatus().getDescription().length() < 200, "echo is truncated");

    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_state WHERE task_execution_id = ?", taskId));
  }

  @Test
  void stateIsDeletedWithItsTask() {
    UUID taskId = TaskFixtures.schedule(grpc, "stateful").taskId();
    set(taskId, "a", "1");
    set(taskId, "b", "2");

    db.execute("DELETE FROM task_executions WHERE id = ?", taskId);

    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_state WHERE task_execution_id = ?", taskId));
    assertEquals(
        List.of(), List.copyOf(db.rows("SELECT 1 FROM task_executions WHERE id = ?", taskId)));
  }
}
