package ai.flovyn.dispatch.sdk;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The three SDK front-ends (docs/sdk-compatibility.md, "Front-ends"): they share the replay engine
 * but differ in how they read event types (E1), number commands (N3), shape suspended batches (W3),
 * name timers and identify themselves on polls (L7).
 */
public enum FrontEnd {
  /** worker-sdk: Rust applications. */
  RUST,
  /** worker-ffi (UniFFI): the Python and Kotlin SDKs. */
  FFI,
  /** worker-napi: the TypeScript SDK. */
  NAPI;

  /** The 23 event type strings every front-end knows (E1). */
  public static final Set<String> COMMON_EVENT_TYPES =
      Set.of(
          "WORKFLOW_STARTED",
          "WORKFLOW_COMPLETED",
          "WORKFLOW_EXECUTION_FAILED",
          "WORKFLOW_SUSPENDED",
          "CANCELLATION_REQUESTED",
          "OPERATION_COMPLETED",
          "STATE_SET",
          "STATE_CLEARED",
          "TASK_SCHEDULED",
          "TASK_COMPLETED",
          "TASK_FAILED",
          "PROMISE_CREATED",
          "PROMISE_RESOLVED",
          "PROMISE_REJECTED",
          "PROMISE_TIMEOUT",
          "CHILD_WORKFLOW_INITIATED",
          "CHILD_WORKFLOW_STARTED",
          "CHILD_WORKFLOW_COMPLETED",
          "CHILD_WORKFLOW_FAILED",
          "TIMER_STARTED",
          "TIMER_FIRED",
          "TIMER_CANCELLED",
          "SIGNAL_RECEIVED");

  /** The 25 strings a server may write into a workflow's log (E1): the common ones and two more. */
  public static final Set<String> KNOWN_EVENT_TYPES =
      Stream.concat(
              COMMON_EVENT_TYPES.stream(), Stream.of("TASK_CANCELLED", "CHILD_WORKFLOW_CANCELLED"))
          .collect(Collectors.toUnmodifiableSet());

  /**
   * The type the replay engine sees for a type string from the server, or null when the front-end
   * drops the event: Rust reads an unknown string as WORKFLOW_STARTED (ignored but counted), FFI as
   * OPERATION_COMPLETED (it takes the next operation slot), NAPI drops it.
   */
  public String replayType(String eventType) {
    return switch (this) {
      case RUST -> COMMON_EVENT_TYPES.contains(eventType) ? eventType : "WORKFLOW_STARTED";
      case FFI -> KNOWN_EVENT_TYPES.contains(eventType) ? eventType : "OPERATION_COMPLETED";
      case NAPI -> KNOWN_EVENT_TYPES.contains(eventType) ? eventType : null;
    };
  }

  /**
   * The id of the {@code index}-th (0-based) durable sleep: Rust {@code sleep-1}, others {@code
   * timer-0}.
   */
  public String timerId(int index) {
    return this == RUST ? "sleep-" + (index + 1) : "timer-" + index;
  }

  /** Whether a suspended batch ends with a SuspendWorkflow command (only Rust, W3). */
  public boolean sendsSuspendCommand() {
    return this == RUST;
  }

  /**
   * The sequence number of the {@code index}-th (0-based) new command of a batch, given the length
   * of the history the activation read (N3). NAPI leaves a gap after every second command, as when
   * it drops a command it cannot convert.
   */
  public int commandNumber(int historyLength, int index) {
    return switch (this) {
      case RUST -> historyLength + 1 + index;
      case FFI -> 1 + index;
      case NAPI -> 1 + index + index / 2;
    };
  }

  /** The number of the terminal command appended after {@code count} new commands. */
  public int terminalNumber(int historyLength, int count) {
    if (count == 0) {
      return this == RUST ? historyLength + 1 : 1;
    }
    return commandNumber(historyLength, count - 1) + 1;
  }
}
