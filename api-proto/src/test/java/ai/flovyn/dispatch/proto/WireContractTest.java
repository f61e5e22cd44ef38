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
