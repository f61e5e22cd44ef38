package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static ai.flovyn.dispatch.testing.Commands.start;
import static ai.flovyn.dispatch.testing.Commands.startTimer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestClock;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retention, driven by a test clock: finished work and everything recorded for it is deleted after
 * its tenant's period, running work and parents of running children stay.
 */
class RetentionIT {
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
                .retention(Duration.ofDays(7), Map.of("patient", Duration.ofDays(30)))
                // the background loops never wake on their own: the tests run maintenance
                .sweepInterval(Duration.ofMinutes(10))
                .build(),
            clock);
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static void runMaintenance() {
    grpc.dispatch().runMaintenance().block(Duration.ofSeconds(30));
  }

  private static String claim(String tenant, String queue) {
    return grpc.workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setWorkerId("w")
                .setTenantId(tenant)
                .setQueue(queue)
                .setTimeoutSeconds(5)
                .build())
        .getWorkflowExecution()
        .getId();
  }

  private static String startAndClaim(String tenant, String queue) {
    String workflowId =
        grpc.workflows().startWorkflow(start(tenant, queue)).getWorkflowExecutionId();
    assertEquals(workflowId, claim(tenant, queue));
    return workflowId;
  }

  private static final WorkflowCommand COMPLETE =
      WorkflowCommand.newBuilder()
          .setCommandType(CommandType.COMPLETE_WORKFLOW)
          .setCompleteWorkflow(
              CompleteWorkflowCommand.newBuilder().setOutput(ByteString.copyFromUtf8("{}")))
          .build();

  private static void complete(String workflowId) {
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(COMPLETE), WorkflowStatus.COMPLETED));
  }

  /** A finished workflow with a row in every table retention cleans; emits its id. */
  private static String finishedWorkflowWithEverything(String tenant) {
    String queue = "full-" + UUID.randomUUID();
    String workflowId = startAndClaim(tenant, queue);
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(taskId, "kept-a-while"),
                    startTimer("nap", 3_600_000),
                    createPromise("approval"),
                    setState("k", "v")),
                WorkflowStatus.SUSPENDED));
    grpc.tasks()
        .pollTask(
            PollTaskRequest.newBuilder()
                .setWorkerId("w")
                .setTenantId(tenant)
                .setQueue(queue)
                .setTimeoutSeconds(5)
                .build());
    grpc.tasks()
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(taskId.toString())
                .setOutput(ByteString.copyFromUtf8("1"))
                .build());
    assertEquals(workflowId, claim(tenant, queue));
    complete(workflowId);
    return workflowId;
  }

  private static Map<String, Long> rowsOf(String workflowId) {
    UUID id = UUID.fromString(workflowId);
    return Map.of(
        "workflow_executions",
        db.scalar("SELECT count(*) FROM workflow_executions WHERE id = ?", id),
        "workflow_events",
        db.scalar("SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", id),
        "task_executions",
        db.scalar("SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?", id),
        "task_attempts",
        db.scalar(
            "SELECT count(*) FROM task_attempts a JOIN task_executions t"
                + " ON t.id = a.task_execution_id WHERE t.workflow_execution_id = ?",
            id),
        "timers",
        db.scalar("SELECT count(*) FROM timers WHERE workflow_execution_id = ?", id),
        "promises",
        db.scalar("SELECT count(*) FROM promises WHERE workflow_execution_id = ?", id),
        "workflow_state",
        db.scalar("SELECT count(*) FROM workflow_state WHERE workflow_execution_id = ?", id));
  }

  private static double deleted(String table) {
    var counter =
        grpc.registry().find("dispatch_retention_rows_deleted").tag("table", table).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void finishedWorkAndEverythingOfItsIsDeletedAfterItsTenantsPeriod() {
    String finished = finishedWorkflowWithEverything("acme");
    String patient = finishedWorkflowWithEverything("patient");
    String running = startAndClaim("acme", "running-" + UUID.randomUUID());
    String standalone =
        grpc.tasks()
            .submitTask(
                SubmitTaskRequest.newBuilder()
                    .setTenantId("acme")
                    .setTaskType("alone")
                    .setQueue("alone-" + UUID.randomUUID())
                    .build())
            .getTaskExecutionId();
    db.execute(
        "UPDATE task_executions SET status = 'COMPLETED', completed_at = now() WHERE id = ?",
        UUID.fromString(standalone));
    grpc.workflows()
        .startWorkflow(
            start("acme", "keyed").toBuilder()
                .setIdempotencyKey("once")
                .setIdempotencyKeyTtlSeconds(3600)
                .build());
    // a key that outlives the retention period goes with its workflow
    db.execute(
        "INSERT INTO idempotency_keys (tenant_id, scope, idempotency_key, target_id, expires_at)"
            + " VALUES ('acme', 'WORKFLOW', 'lasting', ?, now() + interval '30 days')",
        UUID.fromString(finished));
    rowsOf(finished).forEach((table, count) -> assertTrue(count > 0, table + " has rows"));
    runMaintenance();
    assertEquals(1, rowsOf(finished).get("workflow_executions"), "kept within the period");

    clock.advance(Duration.ofDays(8));
    runMaintenance();

    rowsOf(finished).forEach((table, count) -> assertEquals(0, count, table + " cleaned"));
    assertEquals(1, rowsOf(patient).get("workflow_executions"), "its tenant keeps 30 days");
    assertEquals(1, rowsOf(patient).get("task_executions"));
    assertEquals(1, rowsOf(running).get("workflow_executions"), "running work stays");
    assertEquals(
        0,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE id = ?", UUID.fromString(standalone)));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'once'"));
    assertEquals(
        0, db.scalar("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'lasting'"));
    for (String table :
        List.of(
            "workflow_executions",
            "workflow_events",
            "task_executions",
            "task_attempts",
            "timers",
            "promises",
            "workflow_state",
            "idempotency_keys")) {
      assertTrue(deleted(table) >= 1, table + " deletions counted");
    }
  }

  @Test
  void workerRegistrationsUnseenForThePeriodAreDeleted() {
    String seen =
        grpc.lifecycle()
            .registerWorker(
                WorkerRegistrationRequest.newBuilder()
                    .setTenantId("tenant-r")
                    .setWorkerName("old-process")
                    .build())
            .getWorkerId();
    runMaintenance();
    assertEquals(1, db.scalar("SELECT count(*) FROM workers WHERE id = ?::uuid", seen));

    // (moved back rather than the clock forward: the clock is shared by the class's tests)
    db.execute(
        "UPDATE workers SET last_seen_at = last_seen_at - interval '8 days' WHERE id = ?::uuid",
        seen);
    runMaintenance();

    assertEquals(0, db.scalar("SELECT count(*) FROM workers WHERE id = ?::uuid", seen));
  }

  @Test
  void aParentIsDeletedOnlyAfterItsChildren() {
    String queue = "family-" + UUID.randomUUID();
    String parent = startAndClaim("acme", queue);
    UUID child = UUID.randomUUID();
    // the parent finishes without waiting for its child, which goes on running
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                parent,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
                        .setScheduleChildWorkflow(
                            ScheduleChildWorkflowCommand.newBuilder()
                                .setChildExecutionName("kid")
                                .setWorkflowKind("kid-kind")
                                .setChildWorkflowExecutionId(child.toString())
                                .setQueue(queue + "-kids"))
                        .build(),
                    COMPLETE),
                WorkflowStatus.COMPLETED));
    clock.advance(Duration.ofDays(8));
    runMaintenance();
    assertEquals(1, rowsOf(parent).get("workflow_executions"), "its child still runs");

    assertEquals(child.toString(), claim("acme", queue + "-kids"));
    complete(child.toString());
    clock.advance(Duration.ofDays(8));
    runMaintenance();
    runMaintenance();

    assertEquals(0, rowsOf(child.toString()).get("workflow_executions"));
    assertEquals(0, rowsOf(parent).get("workflow_executions"));
    assertEquals(0, rowsOf(parent).get("workflow_events"));
  }
}
