package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CancelTimerCommand;
import ai.flovyn.dispatch.proto.CancelWorkflowCommand;
import ai.flovyn.dispatch.proto.ClearStateCommand;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CreatePromiseCommand;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.RecordOperationCommand;
import ai.flovyn.dispatch.proto.RejectPromiseRequest;
import ai.flovyn.dispatch.proto.ReportProgressRequest;
import ai.flovyn.dispatch.proto.ResolvePromiseCommand;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SetStateCommand;
import ai.flovyn.dispatch.proto.StartTimerCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SuspendWorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A NUL character, which PostgreSQL text cannot hold, in any text field of any request is
 * INVALID_ARGUMENT naming the field, and nothing is written.
 */
class NulCharactersIT {
  private static final String NUL = "a\u0000b";
  private static final String TENANT = "nul-tenant";
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static String workflowId;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    String queue = "q-" + UUID.randomUUID();
    workflowId =
        grpc.workflows().startWorkflow(Commands.start(TENANT, queue)).getWorkflowExecutionId();
    grpc.workflows()
        .pollWorkflow(
            PollRequest.newBuilder()
                .setTenantId(TENANT)
                .setQueue(queue)
                .setWorkerId("w")
                .setTimeoutSeconds(5)
                .build());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    db.close();
  }

  @Test
  void nulInAnyTextFieldIsInvalidArgumentNamingTheField() {
    String before = counts();
    Map<String, Runnable> calls = new LinkedHashMap<>();
    StartWorkflowRequest start = Commands.start(TENANT, "q");
    calls.put(
        "tenant_id",
        () -> grpc.workflows().startWorkflow(start.toBuilder().setTenantId(NUL).build()));
    calls.put(
        "workflow_kind",
        () -> grpc.workflows().startWorkflow(start.toBuilder().setWorkflowKind(NUL).build()));
    calls.put(
        "queue", () -> grpc.workflows().startWorkflow(start.toBuilder().setQueue(NUL).build()));
    calls.put(
        "idempotency_key",
        () -> grpc.workflows().startWorkflow(start.toBuilder().setIdempotencyKey(NUL).build()));
    calls.put(
        "metadata",
        () -> grpc.workflows().startWorkflow(start.toBuilder().putMetadata(NUL, "v").build()));
    calls.put(
        "worker_id",
        () ->
            grpc.workflows()
                .pollWorkflow(
                    PollRequest.newBuilder()
                        .setTenantId(TENANT)
                        .setQueue("q")
                        .setWorkerId(NUL)
                        .build()));
    calls.put(
        "workflow_capabilities[0]",
        () ->
            grpc.workflows()
                .pollWorkflow(
                    PollRequest.newBuilder()
                        .setTenantId(TENANT)
                        .setQueue("q")
                        .setWorkerId("w")
                        .addWorkflowCapabilities(NUL)
                        .build()));
    calls.put(
        "worker_pool_id",
        () ->
            grpc.tasks()
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setTenantId(TENANT)
                        .setQueue("q")
                        .setWorkerId("w")
                        .setWorkerPoolId(NUL)
                        .build()));
    calls.put(
        "task_type",
        () ->
            grpc.tasks()
                .submitTask(
                    SubmitTaskRequest.newBuilder().setTenantId(TENANT).setTaskType(NUL).build()));
    calls.put(
        "promise_id",
        () ->
            grpc.workflows()
                .resolvePromise(ResolvePromiseRequest.newBuilder().setPromiseId(NUL).build()));
    calls.put(
        "error",
        () ->
            grpc.workflows()
                .rejectPromise(
                    RejectPromiseRequest.newBuilder()
                        .setPromiseId(workflowId + ":p")
                        .setError(NUL)
                        .build()));
    // (failure texts of tasks and workflows are kept cleaned instead: SdkSurfaceIT)
    String taskId = UUID.randomUUID().toString();
    calls.put(
        "details",
        () ->
            grpc.tasks()
                .reportProgress(
                    ReportProgressRequest.newBuilder()
                        .setTaskExecutionId(taskId)
                        .setProgress(0.5)
                        .setDetails(NUL)
                        .build()));
    batchCommands().forEach((field, command) -> calls.put(field, () -> submit(command)));

    calls.forEach(
        (field, call) -> {
          StatusRuntimeException error =
              assertThrows(StatusRuntimeException.class, call::run, field);
          assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), field);
          assertTrue(
              error.getStatus().getDescription().startsWith(field.trim()),
              field + ": " + error.getStatus().getDescription());
        });
    assertEquals(before, counts());
  }

  private static Map<String, WorkflowCommand> batchCommands() {
    Map<String, WorkflowCommand> commands = new LinkedHashMap<>();
    ScheduleTaskCommand.Builder task =
        ScheduleTaskCommand.newBuilder()
            .setTaskExecutionId(UUID.randomUUID().toString())
            .setTaskType("t");
    commands.put(
        "commands[0].schedule_task.task_type",
        Commands.scheduleTask(task.clone().setTaskType(NUL)));
    commands.put(
        "commands[0].schedule_task.queue", Commands.scheduleTask(task.clone().setQueue(NUL)));
    commands.put(
        "commands[0].schedule_task.idempotency_key",
        Commands.scheduleTask(task.clone().setIdempotencyKey(NUL)));
    commands.put(
        "commands[0].start_timer.timer_id",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.START_TIMER)
            .setStartTimer(StartTimerCommand.newBuilder().setTimerId(NUL).setDurationMs(1))
            .build());
    commands.put(
        "commands[0].cancel_timer.timer_id",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CANCEL_TIMER)
            .setCancelTimer(CancelTimerCommand.newBuilder().setTimerId(NUL))
            .build());
    commands.put(
        "commands[0].create_promise.promise_id",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CREATE_PROMISE)
            .setCreatePromise(CreatePromiseCommand.newBuilder().setPromiseId(NUL))
            .build());
    commands.put(
        "commands[0].resolve_promise.promise_id",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.RESOLVE_PROMISE)
            .setResolvePromise(ResolvePromiseCommand.newBuilder().setPromiseId(NUL))
            .build());
    commands.put(
        "commands[0].record_operation.operation_name",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.RECORD_OPERATION)
            .setRecordOperation(RecordOperationCommand.newBuilder().setOperationName(NUL))
            .build());
    commands.put(
        "commands[0].set_state.key",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SET_STATE)
            .setSetState(SetStateCommand.newBuilder().setKey(NUL))
            .build());
    commands.put(
        "commands[0].clear_state.key",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CLEAR_STATE)
            .setClearState(ClearStateCommand.newBuilder().setKey(NUL))
            .build());
    commands.put(
        "commands[0].schedule_child_workflow.child_execution_name",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
            .setScheduleChildWorkflow(
                ScheduleChildWorkflowCommand.newBuilder()
                    .setChildExecutionName(NUL)
                    .setWorkflowKind("k")
                    .setChildWorkflowExecutionId(UUID.randomUUID().toString()))
            .build());
    commands.put(
        "commands[0].cancel_workflow.reason",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.CANCEL_WORKFLOW)
            .setCancelWorkflow(CancelWorkflowCommand.newBuilder().setReason(NUL))
            .build());
    commands.put(
        "commands[0].suspend_workflow.reason",
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SUSPEND_WORKFLOW)
            .setSuspendWorkflow(SuspendWorkflowCommand.newBuilder().setReason(NUL))
            .build());
    return commands;
  }

  private static void submit(WorkflowCommand command) {
    grpc.workflows().submitWorkflowCommands(batch(workflowId, List.of(command)));
  }

  private static String counts() {
    return db.rows(
            "SELECT (SELECT count(*) FROM workflow_executions) AS w,"
                + " (SELECT count(*) FROM task_executions) AS t,"
                + " (SELECT count(*) FROM workflow_events) AS e")
        .toString();
  }
}
