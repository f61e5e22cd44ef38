package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole worker loop against the real server over a real socket: a workflow schedules tasks with
 * client-generated ids, task workers run them (one fails once), the workflow is resumed and
 * completes; and the same across a server restart.
 */
class EndToEndIT {
  private static final String TENANT = "e2e";
  private TestDatabase db;
  private DispatchServer server;
  private ManagedChannel channel;

  @BeforeEach
  void startServer() {
    db = TestDatabase.create();
    startOnSameDatabase();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    stop();
    db.close();
  }

  private void startOnSameDatabase() {
    server = RealServers.start(db, "--db-pool-size=6", "--shutdown-grace-seconds=1");
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  private void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows() {
    return WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private TaskExecutionGrpc.TaskExecutionBlockingStub tasks() {
    return TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private PollResponse pollWorkflow() {
    return workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setWorkerId("wf-1")
                .setTenantId(TENANT)
                .setQueue("wf")
                .setTimeoutSeconds(20)
                .build());
  }

  private static PollTaskRequest pollTask(String worker) {
    return PollTaskRequest.newBuilder()
        .setWorkerId(worker)
        .setTenantId(TENANT)
        .setQueue("tasks")
        .setTimeoutSeconds(20)
        .build();
  }

  private List<WorkflowEvent> events(String workflowId) {
    return workflows()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  private static WorkflowCommand task(UUID id, String type) {
    return scheduleTask(
        ScheduleTaskCommand.newBuilder()
            .setTaskExecutionId(id.toString())
            .setTaskType(type)
            .setQueue("tasks"));
  }

  private static WorkflowCommand completeWorkflow() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMPLETE_WORKFLOW)
        .setCompleteWorkflow(
            CompleteWorkflowCommand.newBuilder()
                .setOutput(ByteString.copyFromUtf8("{\"done\":true}")))
        .build();
  }

  private void runWorkflowOfThreeTasks(boolean sendBatchTwice) throws Exception {
    String workflowId = workflows().startWorkflow(start(TENANT, "wf")).getWorkflowExecutionId();
    assertEquals(workflowId, pollWorkflow().getWorkflowExecution().getId());

    List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    SubmitWorkflowCommandsRequest schedule =
        batch(
            workflowId,
            List.of(
                task(ids.get(0), "charge"), task(ids.get(1), "flaky"), task(ids.get(2), "email")),
            WorkflowStatus.SUSPENDED);
    workflows().submitWorkflowCommands(schedule);
    if (sendBatchTwice) {
      workflows().submitWorkflowCommands(schedule); // a network retry
    }

    List<ListenableFuture<PollTaskResponse>> polls = new ArrayList<>();
    for (int worker = 0; worker < 3; worker++) {
      polls.add(
          TaskExecutionGrpc.newFutureStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .pollTask(pollTask("task-" + worker)));
    }
    for (ListenableFuture<PollTaskResponse> poll : polls) {
      TaskExecutionInfo task = poll.get(30, TimeUnit.SECONDS).getTask();
      assertTrue(ids.contains(UUID.fromString(task.getTaskExecutionId())), "a client-generated id");
      if (task.getTaskType().equals("flaky")) {
        tasks()
            .failTask(
                FailTaskRequest.newBuilder()
                    .setTaskExecutionId(task.getTaskExecutionId())
                    .setError("transient")
                    .build());
      } else {
        complete(task);
      }
    }
    TaskExecutionInfo retried = tasks().pollTask(pollTask("task-9")).getTask();
    assertEquals("flaky", retried.getTaskType());
    assertEquals(2, retried.getExecutionCount());
    complete(retried);

    PollResponse resumed = pollWorkflow();
    assertEquals(workflowId, resumed.getWorkflowExecution().getId());
    List<WorkflowEvent> log = events(workflowId);
    assertEquals(3, log.stream().filter(e -> e.getEventType().equals("TASK_COMPLETED")).count());
    assertEquals(3, log.stream().filter(e -> e.getEventType().equals("TASK_SCHEDULED")).count());
    assertEquals(log.size(), resumed.getWorkflowExecution().getCurrentSequence());
    workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(completeWorkflow()), WorkflowStatus.COMPLETED));

    assertEquals(
        "COMPLETED",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status"));
    assertEquals(
        3,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?::uuid",
            workflowId));
    assertEquals(
        List.of(1L, 2L),
        db
            .rows(
                "SELECT attempt FROM task_attempts WHERE task_execution_id = ? ORDER BY attempt",
                ids.get(1))
            .stream()
            .map(row -> ((Number) row.get("attempt")).longValue())
            .toList());
  }

  private void complete(TaskExecutionInfo task) {
    tasks()
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(task.getTaskExecutionId())
                .setOutput(ByteString.copyFromUtf8("{\"ok\":\"" + task.getTaskType() + "\"}"))
                .build());
  }

  @Test
  void aWorkflowSchedulesThreeTasksOneRetriesAndTheWorkflowCompletes() throws Exception {
    runWorkflowOfThreeTasks(false);
  }

  @Test
  void theSameWithTheScheduleBatchSentTwice() throws Exception {
    runWorkflowOfThreeTasks(true);
  }

  @Test
  void aRestartMidwayLosesNothingAndAbandonedTasksComeBackThroughTheirTimeout() throws Exception {
    String workflowId = workflows().startWorkflow(start(TENANT, "wf")).getWorkflowExecutionId();
    pollWorkflow();
    List<UUID> ids =
        List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    List<WorkflowCommand> commands = new ArrayList<>();
    for (UUID id : ids) {
      commands.add(task(id, "step"));
    }
    UUID abandoned = UUID.randomUUID();
    commands.add(
        scheduleTask(
            ScheduleTaskCommand.newBuilder()
                .setTaskExecutionId(abandoned.toString())
                .setTaskType("abandoned")
                .setQueue("solo")
                .setTimeoutMs(500)));
    workflows().submitWorkflowCommands(batch(workflowId, commands, WorkflowStatus.SUSPENDED));
    complete(tasks().pollTask(pollTask("before-restart")).getTask());
    TaskExecutionInfo claimed =
        tasks()
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setWorkerId("vanishing")
                    .setTenantId(TENANT)
                    .setQueue("solo")
                    .setTimeoutSeconds(5)
                    .build())
            .getTask();
    assertEquals(abandoned.toString(), claimed.getTaskExecutionId());

    stop();
    startOnSameDatabase();

    for (int i = 0; i < 3; i++) {
      complete(tasks().pollTask(pollTask("after-restart")).getTask());
    }
    TaskExecutionInfo again =
        tasks()
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setWorkerId("rescuer")
                    .setTenantId(TENANT)
                    .setQueue("solo")
                    .setTimeoutSeconds(20)
                    .build())
            .getTask();
    assertEquals(abandoned.toString(), again.getTaskExecutionId());
    assertEquals(2, again.getExecutionCount());
    complete(again);

    assertEquals(workflowId, pollWorkflow().getWorkflowExecution().getId());
    assertEquals(
        5,
        events(workflowId).stream().filter(e -> e.getEventType().equals("TASK_COMPLETED")).count());
    workflows()
        .submitWorkflowCommands(
            batch(workflowId, List.of(completeWorkflow()), WorkflowStatus.COMPLETED));
    assertEquals(
        "COMPLETED",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status"));
  }
}
