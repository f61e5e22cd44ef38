package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.LogMessageRequest;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.StreamEventType;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The task lease rule (docs/sdk-compatibility.md, T2, T4): a task without timeout_ms stays claimed
 * while its worker polls or heartbeats, or while it logs or streams data; a silent worker's task
 * fails its attempt one lease later; timeout_ms stays a hard limit.
 */
class TaskLeaseIT {
  private static final Duration LEASE = Duration.ofSeconds(4);
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc =
        GrpcTestServer.start(
            db,
            DispatchOptions.defaults().toBuilder()
                .taskLease(LEASE)
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(50))
                .build());
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle() {
    return WorkerLifecycleGrpc.newBlockingStub(grpc.channel())
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** Schedules a task on a queue of its own and lets {@code workerId} claim it. */
  private static UUID claimed(ScheduleTaskCommand.Builder command, String workerId) {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, command);
    assertEquals(
        task.taskId().toString(),
        TaskFixtures.poll(grpc, task.queue(), workerId).getTask().getTaskExecutionId());
    return task.taskId();
  }

  private static UUID claimed(String workerId) {
    return claimed(ScheduleTaskCommand.newBuilder().setTaskType("long"), workerId);
  }

  private static long timedOut(UUID taskId) {
    return db.scalar(
        "SELECT count(*) FROM task_attempts WHERE task_execution_id = ? AND outcome = 'TIMED_OUT'",
        taskId);
  }

  private static Map<String, Object> task(UUID taskId) {
    return db.rows("SELECT status, execution_count FROM task_executions WHERE id = ?", taskId)
        .get(0);
  }

  @Test
  void aTaskOutlivesItsLeaseWhileItsWorkerShowsSignsOfLifeAndASilentOneIsRetried() {
    String poller = "poller-" + UUID.randomUUID();
    String rustName = "rust-" + UUID.randomUUID();
    String rustId =
        lifecycle()
            .registerWorker(
                WorkerRegistrationRequest.newBuilder()
                    .setTenantId(TaskFixtures.TENANT)
                    .setWorkerName(rustName)
                    .build())
            .getWorkerId();
    UUID byPolls = claimed(poller);
    UUID byHeartbeats = claimed(rustName);
    UUID byLogs = claimed("logger-" + UUID.randomUUID());
    UUID byData = claimed("streamer-" + UUID.randomUUID());
    UUID hardTimeout =
        claimed(ScheduleTaskCommand.newBuilder().setTaskType("bounded").setTimeoutMs(1500), poller);
    // claimed last: its lease ends after every other initial lease has
    UUID silent = claimed("silent-" + UUID.randomUUID());
    String idle = "idle-" + UUID.randomUUID();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (timedOut(silent) == 0 || timedOut(hardTimeout) == 0) {
      assertTrue(System.nanoTime() < deadline, "the silent task timed out within 30 s");
      // a one-second long poll on an empty queue paces the loop and is itself a sign of life
      TaskFixtures.poll(grpc, idle, poller, 1);
      lifecycle().sendHeartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(rustId).build());
      grpc.tasks()
          .logMessage(
              LogMessageRequest.newBuilder()
                  .setTaskExecutionId(byLogs.toString())
                  .setLevel("INFO")
                  .setMessage("still working")
                  .build());
      grpc.tasks()
          .streamTaskData(
              StreamTaskDataRequest.newBuilder()
                  .setTaskExecutionId(byData.toString())
                  .setType(StreamEventType.TOKEN)
                  .setPayload("{\"type\":\"token\",\"text\":\"x\"}")
                  .build());
    }

    for (UUID alive : List.of(byPolls, byHeartbeats, byLogs, byData)) {
      assertEquals("RUNNING", task(alive).get("status"), "task kept alive: " + alive);
      assertEquals(1, task(alive).get("execution_count"));
      assertEquals(0, timedOut(alive));
    }
    assertEquals(1, timedOut(silent));
    assertEquals("PENDING", task(silent).get("status"), "retried");
    assertEquals(1, timedOut(hardTimeout), "timeout_ms is not extended by signs of life");
    assertTrue(grpc.registry().get("dispatch_task_leases_renewed").counter().count() >= 4);
  }

  @Test
  void aRegistrationThatPollsUnderItsIdIsSeenWithoutHeartbeats() throws Exception {
    // FFI and NAPI workers poll under their registration id and never send SendHeartbeat
    String id =
        lifecycle()
            .registerWorker(
                WorkerRegistrationRequest.newBuilder()
                    .setTenantId(TaskFixtures.TENANT)
                    .setWorkerName("ffi-worker-default")
                    .build())
            .getWorkerId();
    db.execute(
        "UPDATE workers SET last_seen_at = now() - interval '1 hour' WHERE id = ?::uuid", id);

    TaskFixtures.poll(grpc, "q-" + UUID.randomUUID(), id, 0);

    Await.until(
        () ->
            db.scalar(
                    "SELECT count(*) FROM workers WHERE id = ?::uuid"
                        + " AND last_seen_at > now() - interval '1 minute'",
                    id)
                == 1,
        "the poll to refresh the registration's last-seen time");
  }
}
