package ai.flovyn.dispatch.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins field numbers and types of the flovyn.v1 wire contract: never renumber a field. */
class WireContractTest {

  @Test
  void scheduleTaskCommandFieldsKeepTheirNumbersTypesAndPresence() {
    Descriptor d = ScheduleTaskCommand.getDescriptor();
    assertField(d, "task_type", 1, Type.STRING, false);
    assertField(d, "input", 2, Type.BYTES, false);
    assertField(d, "task_execution_id", 3, Type.STRING, false);
    assertField(d, "max_retries", 4, Type.INT32, true);
    assertField(d, "timeout_ms", 5, Type.INT64, true);
    assertField(d, "queue", 6, Type.STRING, true);
    assertField(d, "priority_seconds", 7, Type.INT32, true);
    assertField(d, "idempotency_key", 8, Type.STRING, true);
    assertField(d, "idempotency_key_ttl_seconds", 9, Type.INT64, true);
    assertEquals(9, d.getFields().size());
  }

  @Test
  void workflowCommandOneofSpansTenToTwentyThree() {
    Descriptor d = WorkflowCommand.getDescriptor();
    assertField(d, "command_type", 1, Type.ENUM, false);
    assertField(d, "sequence_number", 2, Type.INT32, false);
    assertEquals(13, d.findFieldByName("schedule_task").getNumber());
    assertEquals(21, d.findFieldByName("start_timer").getNumber());
    assertEquals(23, d.findFieldByName("request_cancel_child_workflow").getNumber());
    List<Integer> oneof =
        d.getOneofs().get(0).getFields().stream().map(FieldDescriptor::getNumber).toList();
    assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), oneof);
    assertEquals(4, CommandType.SCHEDULE_TASK.getNumber());
    assertEquals(14, CommandType.REQUEST_CANCEL_CHILD_WORKFLOW.getNumber());
    assertEquals(3, WorkflowStatus.COMPLETED.getNumber());
  }

  @Test
  void batchAndTaskMessagesKeepTheirNumbers() {
    assertField(SubmitWorkflowCommandsRequest.getDescriptor(), "status", 3, Type.ENUM, false);
    assertField(CommandBatch.getDescriptor(), "batch", 2, Type.MESSAGE, false);
    assertField(CommandBatchAck.getDescriptor(), "code", 2, Type.INT32, false);
    assertField(TaskExecutionInfo.getDescriptor(), "traceparent", 8, Type.STRING, false);
    assertField(PollTaskRequest.getDescriptor(), "worker_pool_id", 6, Type.STRING, true);
    assertField(SubmitTaskRequest.getDescriptor(), "worker_pool_id", 11, Type.STRING, true);
    assertField(
        WorkflowExecution.getDescriptor(), "workflow_task_time_millis", 14, Type.INT64, false);
  }

  @Test
  void submitTaskIsDeprecatedAndTheStreamIsBidirectional() {
    var taskService = FlovynProto.getDescriptor().findServiceByName("TaskExecution");
    assertTrue(taskService.findMethodByName("SubmitTask").getOptions().getDeprecated());
    var stream =
        FlovynProto.getDescriptor()
            .findServiceByName("WorkflowDispatch")
            .findMethodByName("StreamWorkflowCommands");
    assertTrue(stream.isClientStreaming());
    assertTrue(stream.isServerStreaming());
    assertEquals("flovyn.v1", FlovynProto.getDescriptor().getPackage());
  }

  @Test
  void theSdksServicesAndMethodsExistUnderTheirWireNames() {
    var file = FlovynProto.getDescriptor();
    assertMethods(file.findServiceByName("WorkerLifecycle"), "RegisterWorker", "SendHeartbeat");
    assertMethods(file.findServiceByName("WorkflowQuery"), "QueryWorkflow");
    assertMethods(
        file.findServiceByName("WorkflowDispatch"),
        "PollWorkflow",
        "SubscribeToNotifications",
        "StartWorkflow",
        "GetVisualWorkflowDefinitionById",
        "StartChildWorkflow",
        "ResolvePromise",
        "RejectPromise",
        "SignalWithStartWorkflow",
        "SignalWorkflow",
        "GetEvents",
        "SubmitWorkflowCommands",
        "ReportExecutionSpans");
    assertMethods(
        file.findServiceByName("TaskExecution"),
        "SubmitTask",
        "PollTask",
        "CompleteTask",
        "FailTask",
        "ReportProgress",
        "Heartbeat",
        "CancelTask",
        "LogMessage",
        "GetState",
        "SetState",
        "ClearState",
        "ClearAllState",
        "GetStateKeys",
        "StreamTaskData");
  }

  @Test
  void workerLifecycleMessagesKeepTheSdksNumbers() {
    Descriptor registration = WorkerRegistrationRequest.getDescriptor();
    assertField(registration, "worker_name", 1, Type.STRING, false);
    assertField(registration, "worker_type", 3, Type.STRING, false);
    assertField(registration, "tenant_id", 4, Type.STRING, false);
    assertField(registration, "team_id", 5, Type.STRING, true);
    assertField(registration, "process_id", 7, Type.STRING, false);
    assertRepeated(registration, "workflows", 8, Type.MESSAGE);
    assertRepeated(registration, "tasks", 9, Type.MESSAGE);
    assertField(registration, "metadata", 10, Type.BYTES, false);
    assertRepeated(registration, "agents", 11, Type.MESSAGE);
    assertField(WorkflowCapability.getDescriptor(), "timeout_seconds", 4, Type.INT32, true);
    assertField(WorkflowCapability.getDescriptor(), "output_schema", 12, Type.BYTES, false);
    assertField(TaskCapability.getDescriptor(), "metadata", 10, Type.BYTES, false);
    assertField(AgentCapability.getDescriptor(), "metadata", 5, Type.BYTES, false);
    Descriptor response = WorkerRegistrationResponse.getDescriptor();
    assertField(response, "worker_id", 1, Type.STRING, false);
    assertField(response, "success", 2, Type.BOOL, false);
    assertField(response, "error", 3, Type.STRING, true);
    assertRepeated(response, "task_conflicts", 5, Type.MESSAGE);
    assertField(TaskConflict.getDescriptor(), "existing_worker_id", 3, Type.STRING, false);
    assertField(WorkerHeartbeatRequest.getDescriptor(), "health_info", 4, Type.BYTES, false);
  }

  @Test
  void signalQueryChildAndStateMessagesKeepTheSdksNumbers() {
    Descriptor withStart = SignalWithStartWorkflowRequest.getDescriptor();
    assertField(withStart, "workflow_id", 2, Type.STRING, false);
    assertField(withStart, "workflow_input", 4, Type.BYTES, false);
    assertField(withStart, "workflow_version", 7, Type.STRING, true);
    assertField(withStart, "signal_name", 9, Type.STRING, false);
    assertField(withStart, "signal_value", 10, Type.BYTES, false);
    assertField(withStart, "idempotency_key_ttl_seconds", 11, Type.INT64, true);
    assertField(
        SignalWithStartWorkflowResponse.getDescriptor(),
        "signal_event_sequence",
        3,
        Type.INT64,
        false);
    assertField(SignalWorkflowRequest.getDescriptor(), "signal_value", 4, Type.BYTES, false);
    assertField(
        SignalWorkflowResponse.getDescriptor(), "signal_event_sequence", 1, Type.INT64, false);
    Descriptor child = StartChildWorkflowRequest.getDescriptor();
    assertField(child, "tenant_id", 3, Type.STRING, false);
    assertField(child, "workflow_kind", 4, Type.STRING, true);
    assertField(child, "workflow_definition_id", 5, Type.STRING, true);
    assertField(child, "priority_seconds", 8, Type.INT32, false);
    assertField(QueryWorkflowRequest.getDescriptor(), "params", 3, Type.BYTES, false);
    assertField(QueryWorkflowResponse.getDescriptor(), "error", 2, Type.STRING, true);
    assertField(GetStateResponse.getDescriptor(), "found", 2, Type.BOOL, false);
    assertField(SetStateRequest.getDescriptor(), "value", 3, Type.BYTES, false);
    assertField(LogMessageRequest.getDescriptor(), "message", 3, Type.STRING, false);
    Descriptor stream = StreamTaskDataRequest.getDescriptor();
    assertField(stream, "sequence", 3, Type.INT32, false);
    assertField(stream, "type", 4, Type.ENUM, false);
    assertField(stream, "payload", 5, Type.STRING, false);
    assertField(stream, "timestamp_ms", 6, Type.INT64, false);
    assertEquals(4, StreamEventType.ERROR.getNumber());
    Descriptor span = ExecutionSpan.getDescriptor();
    assertField(span, "task_id", 5, Type.STRING, true);
    assertField(span, "end_time_unix_ns", 7, Type.INT64, false);
    assertField(span, "error_message", 10, Type.STRING, true);
    assertRepeated(span, "attributes", 11, Type.MESSAGE);
    assertField(SdkInfo.getDescriptor(), "hostname", 6, Type.STRING, true);
    assertField(
        ReportExecutionSpansResponse.getDescriptor(), "rejected_count", 2, Type.INT32, false);
    assertField(
        GetVisualWorkflowDefinitionByIdResponse.getDescriptor(), "version", 6, Type.INT32, false);
  }

  private static void assertRepeated(Descriptor message, String name, int number, Type type) {
    FieldDescriptor field = message.findFieldByName(name);
    assertEquals(number, field.getNumber(), message.getName() + "." + name + " number");
    assertEquals(type, field.getType(), message.getName() + "." + name + " type");
    assertTrue(field.isRepeated(), message.getName() + "." + name + " is repeated");
  }

  private static void assertMethods(
      com.google.protobuf.Descriptors.ServiceDescriptor service, String... names) {
    for (String name : names) {
      assertTrue(
          service.findMethodByName(name) != null, service.getName() + "/" + name + " exists");
    }
  }

  private static void assertField(
      Descriptor message, String name, int number, Type type, boolean presence) {
    FieldDescriptor field = message.findFieldByName(name);
    assertEquals(number, field.getNumber(), message.getName() + "." + name + " number");
    assertEquals(type, field.getType(), message.getName() + "." + name + " type");
    if (presence) {
      assertTrue(field.hasPresence(), message.getName() + "." + name + " is optional");
    } else {
      assertFalse(field.isRepeated(), message.getName() + "." + name + " is singular");
    }
  }
}
