package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The SDK emulation itself, against hand-written histories: it must apply the replay rules and
 * batch shapes of docs/sdk-compatibility.md ("Events and replay", "Command batches") exactly, or
 * the end-to-end tests prove nothing.
 */
class ReplayTest {
  private static final UUID WORKFLOW = UUID.fromString("6f1c2a34-7d7e-4c4b-9c43-4f0f3a9f8a11");

  private static WorkflowEvent event(int sequence, String type, String json) {
    return WorkflowEvent.newBuilder()
        .setSequenceNumber(sequence)
        .setEventType(type)
        .setEventData(ByteString.copyFromUtf8(json))
        .build();
  }

  private static Replay replay(FrontEnd frontEnd, WorkflowEvent... events) {
    List<Event> read = new ArrayList<>();
    for (WorkflowEvent event : events) {
      Event e = Event.read(frontEnd, event);
      if (e != null) {
        read.add(e);
      }
    }
    return new Replay(frontEnd, WORKFLOW, "{}", 1, read);
  }

  private static String taskId(int counter) {
    return SdkIds.deterministic(WORKFLOW, counter).toString();
  }

  @Test
  void sdkIdsAreVersion5AndStable() {
    UUID id = SdkIds.deterministic(WORKFLOW, 0);
    assertEquals(5, id.version());
    assertEquals(2, id.variant());
    assertEquals(id, SdkIds.deterministic(WORKFLOW, 0));
    assertFalse(id.equals(SdkIds.deterministic(WORKFLOW, 1)));
  }

  @Test
  void aNewTaskBecomesACommandAndSuspendsUntilItsOutcomeIsInTheHistory() {
    Replay first = replay(FrontEnd.RUST, event(1, "WORKFLOW_STARTED", "{}"));
    WorkflowContext.Awaitable task = first.scheduleTask("charge", "{\"a\":1}");
    assertThrows(Replay.Suspend.class, task::await);
    assertEquals(1, first.newCommands().size());
    assertEquals(taskId(0), first.newCommands().get(0).getScheduleTask().getTaskExecutionId());

    Replay resumed =
        replay(
            FrontEnd.RUST,
            event(1, "WORKFLOW_STARTED", "{}"),
            event(
                2,
                "TASK_SCHEDULED",
                "{\"kind\":\"charge\",\"taskExecutionId\":\"" + taskId(0) + "\"}"),
            event(3, "TASK_COMPLETED", "{\"taskExecutionId\":\"" + taskId(0) + "\",\"output\":7}"));
    assertEquals("7", resumed.scheduleTask("charge", "{\"a\":1}").await());
    assertTrue(resumed.newCommands().isEmpty());
    assertTrue(resumed.unconsumed().isEmpty());
  }

  @Test
  void aTaskScheduledWithoutKindIsADeterminismViolation() {
    Replay replay =
        replay(
            FrontEnd.FFI,
            event(1, "WORKFLOW_STARTED", "{}"),
            event(
                2,
                "TASK_SCHEDULED",
                "{\"taskType\":\"charge\",\"taskExecutionId\":\"" + taskId(0) + "\"}"));
    assertThrows(Replay.DeterminismViolation.class, () -> replay.scheduleTask("charge", "{}"));
  }

  @Test
  void theOutcomeWithTheHighestSequenceWinsAndAFailureIsThrown() {
    Replay replay =
        replay(
            FrontEnd.NAPI,
            event(
                1, "TASK_SCHEDULED", "{\"kind\":\"k\",\"taskExecutionId\":\"" + taskId(0) + "\"}"),
            event(2, "TASK_COMPLETED", "{\"taskExecutionId\":\"" + taskId(0) + "\",\"output\":1}"),
            event(
                3,
                "TASK_FAILED",
                "{\"taskExecutionId\":\"" + taskId(0) + "\",\"error\":\"late\"}"));
    Replay.OutcomeFailed failed =
        assertThrows(Replay.OutcomeFailed.class, () -> replay.scheduleTask("k", "{}").await());
    assertEquals("late", failed.getMessage());
  }

  @Test
  void anUnknownEventTypeTakesAnOperationSlotInFfiOnly() {
    WorkflowEvent[] history = {
      event(1, "WORKFLOW_STARTED", "{}"), event(2, "SOMETHING_NEW", "{}"),
    };
    // FFI: the unknown event becomes OPERATION_COMPLETED without operationName: a violation
    assertThrows(
        Replay.DeterminismViolation.class,
        () -> replay(FrontEnd.FFI, history).run("op", () -> "1"));
    // Rust ignores it (it still counts for numbering); NAPI drops it
    assertEquals("1", replay(FrontEnd.RUST, history).run("op", () -> "1"));
    assertEquals("1", replay(FrontEnd.NAPI, history).run("op", () -> "1"));
    assertNull(Event.read(FrontEnd.NAPI, history[1]));
    assertEquals("WORKFLOW_STARTED", Event.read(FrontEnd.RUST, history[1]).type());
    assertEquals(
        "TASK_SCHEDULED",
        Event.read(FrontEnd.RUST, event(3, "TASK_SCHEDULED", "{}")).type(),
        "known types pass unchanged");
    assertEquals(
        "WORKFLOW_STARTED",
        Event.read(FrontEnd.RUST, event(3, "TASK_CANCELLED", "{}")).type(),
        "Rust does not know TASK_CANCELLED");
  }

  @Test
  void childOutcomesAreFoundByNameAndPromisesById() {
    Replay replay =
        replay(
            FrontEnd.RUST,
            event(
                1,
                "CHILD_WORKFLOW_INITIATED",
                "{\"childExecutionName\":\"c\",\"childWorkflowKind\":\"kid\",\"childExecutionId\":\""
                    + taskId(0)
                    + "\"}"),
            event(
                2,
                "CHILD_WORKFLOW_COMPLETED",
                "{\"childExecutionId\":\"" + taskId(0) + "\",\"output\":1}"),
            event(3, "PROMISE_CREATED", "{\"promiseName\":\"p\",\"promiseId\":\"x:p\"}"),
            event(4, "PROMISE_RESOLVED", "{\"promiseId\":\"x:p\",\"value\":{\"v\":2}}"));
    assertThrows(
        Replay.Suspend.class,
        () -> replay.scheduleChild("c", "kid", "{}").await(),
        "without childExecutionName the parent never sees its child end");
    assertEquals("{\"v\":2}", replay.promise("p").await());
    assertThrows(
        Replay.DeterminismViolation.class,
        () ->
            replay(FrontEnd.RUST, event(1, "PROMISE_CREATED", "{\"promiseId\":\"x:p\"}"))
                .promise("p"),
        "promiseName is the key compared");
  }

  @Test
  void signalsAreConsumedFirstInFirstOutPerName() {
    Replay replay =
        replay(
            FrontEnd.FFI,
            event(1, "SIGNAL_RECEIVED", "{\"signalName\":\"a\",\"signalValue\":1}"),
            event(2, "SIGNAL_RECEIVED", "{\"signalName\":\"b\",\"signalValue\":2}"),
            event(3, "SIGNAL_RECEIVED", "{\"signalName\":\"a\",\"signalValue\":3}"));
    assertEquals("1", replay.waitForSignal("a"));
    assertEquals("3", replay.waitForSignal("a"));
    assertEquals("2", replay.waitForSignal("b"));
    assertThrows(Replay.Suspend.class, () -> replay.waitForSignal("a"));
  }

  @Test
  void stateCallsAreMatchedByEventTypeThenKey() {
    WorkflowEvent set = event(1, "STATE_SET", "{\"key\":\"k\",\"value\":1}");
    assertThrows(
        Replay.DeterminismViolation.class, () -> replay(FrontEnd.RUST, set).clearState("k"));
    assertThrows(
        Replay.DeterminismViolation.class, () -> replay(FrontEnd.RUST, set).setState("j", "1"));
    Replay replay = replay(FrontEnd.RUST, set);
    assertEquals("1", replay.state("k"));
    replay.setState("k", "1");
    assertTrue(replay.newCommands().isEmpty());
  }

  @Test
  void timerIdsFollowTheFrontEndsScheme() {
    Replay rust = replay(FrontEnd.RUST);
    rust.startTimer(Duration.ofMillis(5));
    rust.startTimer(Duration.ofMillis(5));
    assertEquals(
        List.of("sleep-1", "sleep-2"),
        rust.newCommands().stream().map(c -> c.getStartTimer().getTimerId()).toList());
    Replay ffi = replay(FrontEnd.FFI);
    ffi.startTimer(Duration.ofMillis(5));
    assertEquals("timer-0", ffi.newCommands().get(0).getStartTimer().getTimerId());
  }

  @Test
  void batchesAreNumberedAndShapedPerFrontEnd() {
    WorkflowCommand op = SdkCommands.recordOperation("op", "1");
    SubmitWorkflowCommandsRequest rust =
        SdkBatch.of(FrontEnd.RUST, "w", 4).add(op, op).suspended("r");
    assertEquals(List.of(5, 6, 7), numbers(rust));
    assertEquals(CommandType.SUSPEND_WORKFLOW, rust.getCommands(2).getCommandType());
    assertEquals(WorkflowStatus.SUSPENDED, rust.getStatus());

    SubmitWorkflowCommandsRequest ffi =
        SdkBatch.of(FrontEnd.FFI, "w", 4).add(op, op).suspended("r");
    assertEquals(List.of(1, 2), numbers(ffi), "no SuspendWorkflow command");
    assertEquals(0, SdkBatch.of(FrontEnd.FFI, "w", 4).suspended("r").getCommandsCount());

    SubmitWorkflowCommandsRequest napi =
        SdkBatch.of(FrontEnd.NAPI, "w", 4).add(op, op, op).completed("1");
    assertEquals(List.of(1, 2, 4, 5), numbers(napi), "gaps, then the terminal command");
    assertEquals(
        List.of(5), numbers(SdkBatch.of(FrontEnd.RUST, "w", 4).completed("1")), "events + 1");
    SubmitWorkflowCommandsRequest failed =
        SdkBatch.of(FrontEnd.FFI, "w", 4).failed("cancelled", "CANCELLED");
    assertEquals(WorkflowStatus.FAILED, failed.getStatus());
    assertEquals("CANCELLED", failed.getCommands(0).getFailWorkflow().getFailureType());
  }

  private static List<Integer> numbers(SubmitWorkflowCommandsRequest request) {
    return request.getCommandsList().stream().map(WorkflowCommand::getSequenceNumber).toList();
  }
}
