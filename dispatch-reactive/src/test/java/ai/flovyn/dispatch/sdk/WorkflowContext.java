package ai.flovyn.dispatch.sdk;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What workflow code can do, modelled on the SDK's workflow context: every call is matched with
 * history by the replay rules of docs/sdk-compatibility.md or becomes a new command.
 */
public interface WorkflowContext {
  UUID workflowId();

  /** The workflow's input JSON. */
  String input();

  /** The deterministic clock: PollResponse's {@code workflow_task_time_millis}. */
  long currentTimeMillis();

  /** Schedules a task (task cursor, key {@code kind}); await it for its output. */
  Awaitable scheduleTask(String kind, String inputJson);

  /** Starts a durable timer (timer cursor, key {@code timerId}). */
  Awaitable startTimer(Duration duration);

  /** A durable sleep: start a timer and await it. */
  default void sleep(Duration duration) {
    startTimer(duration).await();
  }

  /** Creates a promise named {@code name} (promise cursor, key {@code promiseName}). */
  Awaitable promise(String name, Long timeoutMs);

  default Awaitable promise(String name) {
    return promise(name, null);
  }

  /** Schedules a child workflow (child cursor, key {@code childExecutionName}). */
  Awaitable scheduleChild(String name, String kind, String inputJson);

  /** Waits for the next signal of that name, first-in first-out; returns its value JSON. */
  String waitForSignal(String name);

  /**
   * Runs a side effect once and records its result (operation cursor, key {@code operationName}).
   */
  String run(String name, Supplier<String> resultJson);

  /** Sets a state key (state cursor, STATE_SET then {@code key}). */
  void setState(String key, String valueJson);

  /** Clears a state key (state cursor, STATE_CLEARED then {@code key}). */
  void clearState(String key);

  /** The state as rebuilt from STATE_SET / STATE_CLEARED plus this activation's changes. */
  String state(String key);

  /** Ends the workflow as cancelled by its own code (FFI/NAPI: FailWorkflow type CANCELLED). */
  void cancel(String reason);

  /** Something the workflow can wait on: a task, timer, promise or child. */
  interface Awaitable {
    /**
     * The outcome's value JSON; throws {@link Replay.Suspend} when there is no outcome in the
     * history yet and {@link Replay.OutcomeFailed} when the outcome is a failure.
     */
    String await();

    /** Whether the history holds an outcome for it. */
    boolean done();
  }
}
