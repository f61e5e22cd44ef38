package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.pipeline.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the sweeper does on time: silent workflow workers, promise timeouts; and child failures. */
class TimeoutsIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc =
        GrpcTestServer.start(
            db,
            DispatchOptions.defaults().toBuilder()
                .workflowLease(Duration.ofSeconds(1))
                .maxPollTimeout(Duration.ofSeconds(20))
                .build());
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

  private static List<String> eventTypes(String workflowId) {
    return grpc
        .workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList()
        .stream()
        .map(WorkflowEvent::getEventType)
        .toList();
  }

  @Test
  void aWorkflowWhoseWorkerVanishesIsHandedToAnotherAfterItsLease() {
    String queue = "lease-" + UUID.randomUUID();
    String workflowId =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();
    assertEquals(workflowId, poll(queue, "vanishing", 1).getWorkflowExecution().getId());
    // the worker sends nothing more; its 1 s lease runs out

    PollResponse again = poll(queue, "rescuer", 15);

    assertEquals(workflowId, again.getWorkflowExecution().getId());
    assertEquals(
        "rescuer",
        db.rows("SELECT worker_id FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("worker_id"));
  }

  @Test
  void aPromiseThatTimesOutIsRejectedAndResumesTheWorkflow() {
    String queue = "promise-" + UUID.randomUUID();
    String workflowId =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();
    poll(queue, "w", 1);
    WorkflowCommand promise =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CREATE_PROMISE)
            .setCreatePromise(
                CreatePromiseCommand.newBuilder().setPromiseId("approval").setTimeoutMs(300))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(workflowId, List.of(promise), WorkflowStatus.SUSPENDED));

    assertEquals(workflowId, poll(queue, "w", 15).getWorkflowExecution().getId());

    assertEquals(
        List.of("WORKFLOW_STARTED", "PROMISE_CREATED", "WORKFLOW_SUSPENDED", "PROMISE_REJECTED"),
        eventTypes(workflowId));
    assertEquals(
        "TIMED_OUT",
        db.rows("SELECT status FROM promises WHERE id = ?", workflowId + ":approval")
            .get(0)
            .get("status"));
  }

  @Test
  void aFailedChildReportsItsFailureToTheParent() {
    String queue = "child-" + UUID.randomUUID();
    String parent =
        grpc.workflows().startWorkflow(start("tenant-t", queue)).getWorkflowExecutionId();
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
                                .setChildExecutionName("kid")
                                .setWorkflowKind("kid-kind")
                                .setChildWorkflowExecutionId(child.toString())
                                .setQueue(queue + "-kids"))
                        .build()),
                WorkflowStatus.SUSPENDED));
    WorkflowCommand fail =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.FAIL_WORKFLOW)
            .setFailWorkflow(
                FailWorkflowCommand.newBuilder().setError("boom").setFailureType("Error"))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(batch(child.toString(), List.of(fail), WorkflowStatus.FAILED));

    List<WorkflowEvent> events =
        grpc.workflows()
            .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(parent).build())
            .getEventsList();
    WorkflowEvent last = events.get(events.size() - 1);
    assertEquals("CHILD_WORKFLOW_FAILED", last.getEventType());
    assertTrue(
        last.getEventData().toStringUtf8().contains("boom"), last.getEventData().toStringUtf8());
    assertEquals(
        "PENDING",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", parent)
            .get(0)
            .get("status"));
    assertEquals(
        "FAILED",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?", child).get(0).get("status"));
  }
}
