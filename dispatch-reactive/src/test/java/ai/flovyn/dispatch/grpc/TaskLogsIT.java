package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.ListTaskLogsRequest;
import ai.flovyn.dispatch.proto.LogMessageRequest;
import ai.flovyn.dispatch.proto.TaskLogLine;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LogMessage and ListTaskLogs over gRPC against real PostgreSQL (docs/sdk-compatibility.md,
 * LG1-LG3).
 */
class TaskLogsIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  // a second instance on the same database keeping at most five lines per task
  private static GrpcTestServer capped;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    capped =
        GrpcTestServer.start(db, DispatchOptions.defaults().toBuilder().taskLogLines(5).build());
  }

  @AfterAll
  static void stopServers() {
    capped.close();
    grpc.close();
    db.close();
  }

  private static LogMessageRequest line(UUID taskId, String level, String message) {
    return LogMessageRequest.newBuilder()
        .setTaskExecutionId(taskId.toString())
        .setLevel(level)
        .setMessage(message)
        .build();
  }

  private static List<TaskLogLine> list(UUID taskId, long afterId, int limit) {
    return grpc.tasks()
        .listTaskLogs(
            ListTaskLogsRequest.newBuilder()
                .setTaskExecutionId(taskId.toString())
                .setAfterId(afterId)
                .setLimit(limit)
                .build())
        .getLinesList();
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void linesAreListedOldestFirstPageByPage() {
    UUID taskId = TaskFixtures.schedule(grpc, "chatty").taskId();
    for (int i = 0; i < 5; i++) {
      grpc.tasks().logMessage(line(taskId, "INFO", "line " + i));
    }

    List<TaskLogLine> first = list(taskId, 0, 2);
    List<TaskLogLine> rest = list(taskId, first.get(1).getId(), 0);

    assertEquals(List.of("line 0", "line 1"), first.stream().map(TaskLogLine::getMessage).toList());
    assertEquals(
        List.of("line 2", "line 3", "line 4"), rest.stream().map(TaskLogLine::getMessage).toList());
    assertEquals("INFO", first.get(0).getLevel());
    assertEquals(List.of(), list(taskId, rest.get(2).getId(), 10));
    assertEquals(5, list(taskId, 0, 5000).size());
  }

  @Test
  void longTextIsCutLevelsAreKeptAsGivenAndNulCharactersReplaced() {
    UUID taskId = TaskFixtures.schedule(grpc, "chatty").taskId();

    grpc.tasks().logMessage(line(taskId, "TRACE-VERBOSE-LEVEL", "x".repeat(5000)));
    grpc.tasks().logMessage(line(taskId, "custom", "a\0b"));
    // a cut between the two halves of a surrogate pair would be invalid text
    grpc.tasks().logMessage(line(taskId, "WARN", "y".repeat(4095) + "\uD83D\uDE00"));

    List<TaskLogLine> lines = list(taskId, 0, 0);
    assertEquals(4096, lines.get(0).getMessage().length());
    assertEquals("TRACE-VERBOSE-LE", lines.get(0).getLevel());
    assertEquals("custom", lines.get(1).getLevel());
    assertEquals("a\uFFFDb", lines.get(1).getMessage());
    assertEquals("y".repeat(4095), lines.get(2).getMessage());
  }

  @Test
  void linesPastTheCapAreDroppedAndCountedEvenWhenWrittenConcurrently() throws Exception {
    UUID taskId = TaskFixtures.schedule(capped, "chatty").taskId();
    List<ListenableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(capped.tasksAsync().logMessage(line(taskId, "INFO", "line " + i)));
    }
    Futures.allAsList(calls).get(30, TimeUnit.SECONDS);

    assertEquals(
        5, db.scalar("SELECT count(*) FROM task_logs WHERE task_execution_id = ?", taskId));
    assertEquals(15.0, capped.registry().get("dispatch_task_log_lines_dropped").counter().count());
  }

  @Test
  void linesOfAFinishedTaskAreAcceptedAndNeverChangeIt() {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "chatty");
    TaskFixtures.poll(grpc, task.queue(), "w1");
    grpc.tasks()
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(task.taskId().toString())
                .setOutput(ByteString.copyFromUtf8("1"))
                .build());

    grpc.tasks().logMessage(line(task.taskId(), "DEBUG", "late line"));

    assertEquals(
        List.of("late line"),
        list(task.taskId(), 0, 0).stream().map(TaskLogLine::getMessage).toList());
    assertEquals(
        "COMPLETED",
        db.rows("SELECT status FROM task_executions WHERE id = ?", task.taskId())
            .get(0)
            .get("status"));
  }

  @Test
  void unknownTasksAreNotFoundAndMalformedRequestsInvalid() {
    UUID unknown = UUID.randomUUID();
    UUID taskId = TaskFixtures.schedule(grpc, "chatty").taskId();

    assertEquals(
        Status.Code.NOT_FOUND, codeOf(() -> grpc.tasks().logMessage(line(unknown, "INFO", "x"))));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> list(unknown, 0, 0)));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.tasks()
                    .logMessage(
                        LogMessageRequest.newBuilder().setTaskExecutionId("nope").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> list(taskId, -1, 0)));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> list(taskId, 0, -1)));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_logs WHERE task_execution_id = ?", taskId));
  }

  @Test
  void linesAreDeletedWithTheirTask() {
    UUID taskId = TaskFixtures.schedule(grpc, "chatty").taskId();
    grpc.tasks().logMessage(line(taskId, "INFO", "x"));

    db.execute("DELETE FROM task_executions WHERE id = ?", taskId);

    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_logs WHERE task_execution_id = ?", taskId));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM task_log_counts WHERE task_execution_id = ?", taskId));
  }
}
