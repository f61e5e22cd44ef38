package ai.flovyn.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The pipeline used in-process as a Reactor library, without gRPC (the README's example). */
class DispatchLibraryIT {
  private static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    dispatch = Dispatch.create(db.connectionFactory());
  }

  private static Dispatch dispatch;

  private static Dispatch dispatch() {
    return dispatch;
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  private static StartWorkflow start(String key) {
    return start(key, "default");
  }

  private static StartWorkflow start(String key, String queue) {
    return new StartWorkflow(
        "acme",
        "checkout",
        "{}".getBytes(StandardCharsets.UTF_8),
        Map.of("source", "test"),
        queue,
        0,
        null,
        null,
        null,
        key,
        null,
        null);
  }

  @Test
  void theReadmeExampleSchedulesATaskAndReadsTheLog() {
    Dispatch dispatch = dispatch();
    UUID taskId = UUID.randomUUID();

    Mono<WorkflowStatus> flow =
        dispatch
            .startWorkflow(Scope.unrestricted(), start(null, "readme"))
            // a worker claims it first: batches come from the worker holding the claim
            .flatMap(
                started ->
                    dispatch
                        .pollWorkflow(
                            Scope.unrestricted(),
                            "acme",
                            "readme",
                            List.of(),
                            null,
                            "worker-1",
                            Duration.ofSeconds(5))
                        .thenReturn(started))
            .flatMap(
                started ->
                    dispatch.submitCommands(
                        Scope.unrestricted(),
                        new CommandBatch(
                            started.workflowExecutionId(),
                            List.of(
                                new Command.ScheduleTask(
                                    taskId,
                                    "send-email",
                                    "{\"to\":\"a@b.c\"}".getBytes(StandardCharsets.UTF_8),
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null)),
                            RequestedStatus.SUSPENDED)))
            .map(result -> result.workflowStatus());

    StepVerifier.create(flow)
        .expectNext(WorkflowStatus.WAITING)
        .expectComplete()
        .verify(Duration.ofSeconds(30));
    UUID workflowId =
        (UUID)
            db.rows("SELECT workflow_execution_id FROM task_executions WHERE id = ?", taskId)
                .get(0)
                .get("workflow_execution_id");
    StepVerifier.create(dispatch.events(Scope.unrestricted(), workflowId).map(e -> e.eventType()))
        .expectNext("WORKFLOW_STARTED", "TASK_SCHEDULED")
        .expectComplete()
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void startWithAnIdempotencyKeyReturnsTheSameWorkflowWhileTheKeyLives() {
    Dispatch dispatch = dispatch();
    StartedWorkflow first =
        dispatch
            .startWorkflow(Scope.unrestricted(), start("order-7"))
            .block(Duration.ofSeconds(30));
    StartedWorkflow second =
        dispatch
            .startWorkflow(Scope.unrestricted(), start("order-7"))
            .block(Duration.ofSeconds(30));
    assertTrue(first.idempotencyKeyUsed() && first.idempotencyKeyNew());
    assertTrue(second.idempotencyKeyUsed());
    assertFalse(second.idempotencyKeyNew());
    assertEquals(first.workflowExecutionId(), second.workflowExecutionId());
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM workflow_executions WHERE tenant_id = 'acme' AND id = ?",
            first.workflowExecutionId()));

    db.execute(
        "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = 'order-7'");
    StartedWorkflow afterExpiry =
        dispatch
            .startWorkflow(Scope.unrestricted(), start("order-7"))
            .block(Duration.ofSeconds(30));
    assertTrue(afterExpiry.idempotencyKeyNew());
    assertFalse(afterExpiry.workflowExecutionId().equals(first.workflowExecutionId()));
  }

  @Test
  void submitTaskHonoursItsIdempotencyKeyAndChecksTheWorkflowTenant() {
    Dispatch dispatch = dispatch();
    SubmitTask request =
        new SubmitTask(
            null,
            "acme",
            "report",
            new byte[0],
            Map.of(),
            null,
            null,
            "report-1",
            null,
            "reports",
            null,
            null);
    UUID first =
        dispatch
            .submitTask(Scope.unrestricted(), request)
            .block(Duration.ofSeconds(30))
            .taskExecutionId();
    UUID second =
        dispatch
            .submitTask(Scope.unrestricted(), request)
            .block(Duration.ofSeconds(30))
            .taskExecutionId();
    assertEquals(first, second);
    Map<String, Object> row = db.rows("SELECT * FROM task_executions WHERE id = ?", first).get(0);
    assertEquals("reports", row.get("queue"));
    assertEquals(3, row.get("max_retries"));
    assertEquals(null, row.get("workflow_execution_id"));

    UUID workflowId =
        dispatch
            .startWorkflow(Scope.unrestricted(), start(null))
            .block(Duration.ofSeconds(30))
            .workflowExecutionId();
    SubmitTask otherTenant =
        new SubmitTask(
            workflowId,
            "intruder",
            "report",
            new byte[0],
            Map.of(),
            null,
            null,
            null,
            null,
            "",
            null,
            null);
    StepVerifier.create(dispatch.submitTask(Scope.unrestricted(), otherTenant))
        .expectErrorMatches(
            e -> e instanceof DispatchException d && d.kind() == ErrorKind.NOT_FOUND)
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void eventsOfAnUnknownWorkflowErrorWithNotFound() {
    Dispatch dispatch = dispatch();
    StepVerifier.create(dispatch.events(Scope.unrestricted(), UUID.randomUUID()))
        .expectErrorMatches(
            e -> e instanceof DispatchException d && d.kind() == ErrorKind.NOT_FOUND)
        .verify(Duration.ofSeconds(30));
  }
}
