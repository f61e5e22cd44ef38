package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Assertions on a workflow's event log that every SDK relies on: gapless sequence numbers
 * (docs/sdk-compatibility.md, N1), only the known type strings (E1), a JSON object as event data
 * (E13), canonical lower-case ids (E15), one outcome per waited-on thing, and exactly one event per
 * applied command (E10, E11).
 */
public final class HistoryChecks {
  private static final Set<String> ID_KEYS =
      Set.of("taskExecutionId", "childExecutionId", "childworkflowExecutionId");

  private HistoryChecks() {}

  /**
   * The log hygiene rules: numbers 1..n in order, only the 25 known types (plus WORKFLOW_CANCELLED
   * as the last event of a cancelled workflow), event data a JSON object, ids canonical, and at
   * most one outcome event per task, timer, promise and child.
   */
  public static void assertWellFormed(List<WorkflowEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      WorkflowEvent event = events.get(i);
      assertEquals(
          i + 1, event.getSequenceNumber(), "sequence numbers 1..n without gaps: " + events);
      boolean cancelledEnd =
          event.getEventType().equals("WORKFLOW_CANCELLED") && i == events.size() - 1;
      assertTrue(
          FrontEnd.KNOWN_EVENT_TYPES.contains(event.getEventType()) || cancelledEnd,
          "event "
              + event.getSequenceNumber()
              + " has a type no SDK knows: "
              + event.getEventType());
      Object data = SdkJson.parse(event.getEventData());
      assertTrue(
          data instanceof Map, "event_data of " + describe(event) + " must be a JSON object (E13)");
      for (String key : ID_KEYS) {
        String id = SdkJson.string(SdkJson.object(event.getEventData()), key);
        if (id != null) {
          assertEquals(
              UUID.fromString(id).toString(), id, key + " in canonical lower-case form (E15)");
        }
      }
    }
    assertOneOutcomeEach(events, Set.of("TASK_COMPLETED", "TASK_FAILED"), "taskExecutionId");
    assertOneOutcomeEach(events, Set.of("TIMER_FIRED"), "timerId");
    assertOneOutcomeEach(
        events, Set.of("PROMISE_RESOLVED", "PROMISE_REJECTED", "PROMISE_TIMEOUT"), "promiseId");
    assertOneOutcomeEach(
        events, Set.of("CHILD_WORKFLOW_COMPLETED", "CHILD_WORKFLOW_FAILED"), "childExecutionName");
  }

  /**
   * Exactly one event per command of the accepted batches, none lost and none extra: identity
   * commands by their id, repeatable ones (operations, state) by count and order, and the terminal
   * command as the last event.
   */
  public static void assertOneEventPerCommand(
      List<WorkflowEvent> events, List<SubmitWorkflowCommandsRequest> acceptedBatches) {
    List<WorkflowCommand> commands = new ArrayList<>();
    acceptedBatches.forEach(batch -> commands.addAll(batch.getCommandsList()));
    assertSameKeys(
        events,
        "TASK_SCHEDULED",
        "taskExecutionId",
        commands,
        c -> c.hasScheduleTask() ? c.getScheduleTask().getTaskExecutionId() : null);
    assertSameKeys(
        events,
        "TIMER_STARTED",
        "timerId",
        commands,
        c -> c.hasStartTimer() ? c.getStartTimer().getTimerId() : null);
    assertSameKeys(
        events,
        "PROMISE_CREATED",
        "promiseName",
        commands,
        c -> c.hasCreatePromise() ? c.getCreatePromise().getPromiseId() : null);
    assertSameKeys(
        events,
        "CHILD_WORKFLOW_INITIATED",
        "childExecutionId",
        commands,
        c ->
            c.hasScheduleChildWorkflow()
                ? c.getScheduleChildWorkflow().getChildWorkflowExecutionId()
                : null);
    assertSameKeys(
        events,
        "OPERATION_COMPLETED",
        "operationName",
        commands,
        c -> c.hasRecordOperation() ? c.getRecordOperation().getOperationName() : null);
    assertSameKeys(
        events,
        "STATE_SET",
        "key",
        commands,
        c -> c.hasSetState() ? c.getSetState().getKey() : null);
    assertSameKeys(
        events,
        "STATE_CLEARED",
        "key",
        commands,
        c -> c.hasClearState() ? c.getClearState().getKey() : null);
    long completes = commands.stream().filter(WorkflowCommand::hasCompleteWorkflow).count();
    assertEquals(completes, count(events, "WORKFLOW_COMPLETED"), "one WORKFLOW_COMPLETED");
    if (completes == 1) {
      assertEquals(
          "WORKFLOW_COMPLETED",
          events.get(events.size() - 1).getEventType(),
          "the completion is the last event");
    }
  }

  /** The events of one type, in log order. */
  public static List<WorkflowEvent> ofType(List<WorkflowEvent> events, String type) {
    return events.stream().filter(e -> e.getEventType().equals(type)).toList();
  }

  /** The data of the only event of that type. */
  public static Map<String, Object> only(List<WorkflowEvent> events, String type) {
    List<WorkflowEvent> found = ofType(events, type);
    assertEquals(1, found.size(), "exactly one " + type + " in " + types(events));
    return SdkJson.object(found.get(0).getEventData());
  }

  /** The type strings, in log order. */
  public static List<String> types(List<WorkflowEvent> events) {
    return events.stream().map(WorkflowEvent::getEventType).toList();
  }

  public static long count(List<WorkflowEvent> events, String type) {
    return ofType(events, type).size();
  }

  private static void assertSameKeys(
      List<WorkflowEvent> events,
      String type,
      String key,
      List<WorkflowCommand> commands,
      Function<WorkflowCommand, String> commandKey) {
    List<String> expected = commands.stream().map(commandKey).filter(k -> k != null).toList();
    List<String> actual =
        ofType(events, type).stream()
            .map(e -> SdkJson.string(SdkJson.object(e.getEventData()), key))
            .toList();
    assertEquals(
        expected, actual, "one " + type + " per command, in command order, keyed by " + key);
  }

  private static void assertOneOutcomeEach(
      List<WorkflowEvent> events, Set<String> types, String key) {
    Map<String, Integer> seen = new HashMap<>();
    for (WorkflowEvent event : events) {
      if (types.contains(event.getEventType())) {
        String id = SdkJson.string(SdkJson.object(event.getEventData()), key);
        if (id == null) {
          fail(describe(event) + " lacks " + key + ", the key the SDK looks it up by");
        }
        seen.merge(id, 1, Integer::sum);
      }
    }
    seen.forEach(
        (id, times) ->
            assertEquals(1, times, "one outcome of " + types + " for " + key + " " + id));
  }

  private static String describe(WorkflowEvent event) {
    return event.getSequenceNumber()
        + " "
        + event.getEventType()
        + " "
        + event.getEventData().toStringUtf8();
  }
}
