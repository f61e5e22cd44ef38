package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.WorkflowCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One activation's replay of workflow code against a history, by the matching rules of
 * docs/sdk-compatibility.md, "Events and replay" (as {@code replay_engine.rs} and {@code
 * execution.rs} implement them): one cursor per kind of call, the k-th call matched with the k-th
 * event of its kind by key, outcomes looked up across the whole history (the matching event with
 * the highest sequence number), signals consumed first-in first-out per name. Calls past the end of
 * their list become new commands.
 */
public final class Replay implements WorkflowContext {
  private final FrontEnd frontEnd;
  private final UUID workflowId;
  private final String input;
  private final long timeMillis;
  private final List<Event> history;
  private final Cursor tasks;
  private final Cursor timers;
  private final Cursor promises;
  private final Cursor children;
  private final Cursor operations;
  private final Cursor states;
  private final Map<String, Integer> signalsConsumed = new HashMap<>();
  private final Map<String, String> state = new LinkedHashMap<>();
  private final List<WorkflowCommand> newCommands = new ArrayList<>();
  private int idCounter;
  private int timerCounter;

  /** Workflow code suspended: it awaits something the history does not hold yet. */
  public static final class Suspend extends RuntimeException {
    Suspend(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * The k-th call of a kind does not match the k-th event of that kind (a determinism violation).
   */
  public static final class DeterminismViolation extends RuntimeException {
    DeterminismViolation(String message) {
      super(message, null, false, false);
    }
  }

  /** An awaited outcome is a failure (task failed, promise rejected or timed out, child failed). */
  public static final class OutcomeFailed extends RuntimeException {
    private final String eventType;

    OutcomeFailed(String eventType, String message) {
      super(message, null, false, false);
      this.eventType = eventType;
    }

    /** The event type of the failure outcome. */
    public String eventType() {
      return eventType;
    }
  }

  /** Workflow code cancelled itself. */
  public static final class Cancelled extends RuntimeException {
    Cancelled(String reason) {
      super(reason, null, false, false);
    }
  }

  Replay(FrontEnd frontEnd, UUID workflowId, String input, long timeMillis, List<Event> history) {
    this.frontEnd = frontEnd;
    this.workflowId = workflowId;
    this.input = input;
    this.timeMillis = timeMillis;
    this.history = history;
    this.tasks = cursor("task", Set.of("TASK_SCHEDULED"));
    this.timers = cursor("timer", Set.of("TIMER_STARTED"));
    this.promises = cursor("promise", Set.of("PROMISE_CREATED"));
    this.children = cursor("child", Set.of("CHILD_WORKFLOW_INITIATED"));
    this.operations = cursor("operation", Set.of("OPERATION_COMPLETED"));
    this.states = cursor("state", Set.of("STATE_SET", "STATE_CLEARED"));
    rebuildState();
  }

  /** The commands this activation made so far, in order, without sequence numbers. */
  List<WorkflowCommand> newCommands() {
    return List.copyOf(newCommands);
  }

  /**
   * The matched events no call reached, per kind: after a completed activation it must be empty,
   * otherwise the history holds events no command of this code produced (E11).
   */
  Map<String, Integer> unconsumed() {
    Map<String, Integer> left = new LinkedHashMap<>();
    for (Cursor cursor : List.of(tasks, timers, promises, children, operations, states)) {
      if (cursor.remaining() > 0) {
        left.put(cursor.name, cursor.remaining());
      }
    }
    return left;
  }

  @Override
  public UUID workflowId() {
    return workflowId;
  }

  @Override
  public String input() {
    return input;
  }

  @Override
  public long currentTimeMillis() {
    return timeMillis;
  }

  @Override
  public Awaitable scheduleTask(String kind, String inputJson) {
    UUID generated = nextId();
    Optional<Event> replayed = tasks.next();
    String taskId;
    if (replayed.isPresent()) {
      Event event = replayed.get();
      expectKey(event, "kind", kind, "task");
      taskId = replayedId(event, "taskExecutionId", "taskId");
    } else {
      taskId = generated.toString();
      newCommands.add(SdkCommands.scheduleTask(generated, kind, inputJson));
    }
    String id = taskId;
    return outcome(
        "task " + kind + " " + id,
        e ->
            (e.type().equals("TASK_COMPLETED") || e.type().equals("TASK_FAILED"))
                && (id.equals(e.string("taskExecutionId"))
                    || (frontEnd == FrontEnd.RUST
                        && e.string("taskExecutionId") == null
                        && id.equals(e.string("taskId")))),
        e ->
            e.type().equals("TASK_COMPLETED")
                ? taskOutput(e)
                : fail(e, e.string("error") == null ? "Task failed" : e.string("error")));
  }

  @Override
  public Awaitable startTimer(Duration duration) {
    String timerId = frontEnd.timerId(timerCounter++);
    Optional<Event> replayed = timers.next();
    if (replayed.isPresent()) {
      expectKey(replayed.get(), "timerId", timerId, "timer");
    } else {
      newCommands.add(SdkCommands.startTimer(timerId, duration.toMillis()));
    }
    Set<String> ends =
        frontEnd == FrontEnd.RUST
            ? Set.of("TIMER_FIRED", "TIMER_CANCELLED")
            : Set.of("TIMER_FIRED");
    return outcome(
        "timer " + timerId,
        e -> ends.contains(e.type()) && timerId.equals(e.string("timerId")),
        e -> e.type().equals("TIMER_FIRED") ? "null" : fail(e, "Timer cancelled"));
  }

  @Override
  public Awaitable promise(String name, Long timeoutMs) {
    Optional<Event> replayed = promises.next();
    if (replayed.isEmpty()) {
      newCommands.add(SdkCommands.createPromise(name, timeoutMs));
      return pending("promise " + name);
    }
    Event created = replayed.get();
    expectKey(created, "promiseName", name, "promise");
    String promiseId = created.string("promiseId");
    return outcome(
        "promise " + name,
        e ->
            Set.of("PROMISE_RESOLVED", "PROMISE_REJECTED", "PROMISE_TIMEOUT").contains(e.type())
                && promiseId != null
                && promiseId.equals(e.string("promiseId")),
        e ->
            switch (e.type()) {
              case "PROMISE_RESOLVED" -> e.json("value");
              case "PROMISE_REJECTED" ->
                  fail(e, e.string("error") == null ? "Promise rejected" : e.string("error"));
              default -> fail(e, "Promise timed out");
            });
  }

  @Override
  public Awaitable scheduleChild(String name, String kind, String inputJson) {
    UUID generated = nextId();
    Optional<Event> replayed = children.next();
    if (replayed.isPresent()) {
      Event event = replayed.get();
      expectKey(event, "childExecutionName", name, "child workflow");
      String recordedKind = event.string("childWorkflowKind");
      if (frontEnd == FrontEnd.FFI && recordedKind == null) {
        recordedKind = event.string("workflowKind");
      }
      if (frontEnd != FrontEnd.NAPI
          && recordedKind != null
          && !recordedKind.isEmpty()
          && !recordedKind.equals(kind)) {
        throw violation("child workflow kind", event, kind, recordedKind);
      }
    } else {
      newCommands.add(SdkCommands.scheduleChild(name, kind, generated, inputJson));
    }
    return outcome(
        "child " + name,
        e ->
            (e.type().equals("CHILD_WORKFLOW_COMPLETED")
                    || e.type().equals("CHILD_WORKFLOW_FAILED"))
                && name.equals(e.string("childExecutionName")),
        e ->
            e.type().equals("CHILD_WORKFLOW_COMPLETED")
                ? e.json("output")
                : fail(e, e.string("error") == null ? "Child workflow failed" : e.string("error")));
  }

  @Override
  public String waitForSignal(String name) {
    int consumed = signalsConsumed.getOrDefault(name, 0);
    List<Event> queue =
        history.stream()
            .filter(e -> e.type().equals("SIGNAL_RECEIVED"))
            .filter(e -> name.equals(signalName(e)))
            .toList();
    if (queue.size() <= consumed) {
      throw new Suspend("signal " + name);
    }
    signalsConsumed.put(name, consumed + 1);
    return queue.get(consumed).json("signalValue");
  }

  @Override
  public String run(String name, Supplier<String> resultJson) {
    Optional<Event> replayed = operations.next();
    if (replayed.isPresent()) {
      Event event = replayed.get();
      String recorded =
          event.string("operationName") != null
              ? event.string("operationName")
              : event.string("name");
      if (!name.equals(recorded)) {
        throw violation("operation", event, name, recorded);
      }
      if (!event.data().containsKey("result") && frontEnd != FrontEnd.RUST) {
        throw new DeterminismViolation("operation " + name + " has event but no cached result");
      }
      return event.json("result");
    }
    String result = resultJson.get();
    newCommands.add(SdkCommands.recordOperation(name, result));
    return result;
  }

  @Override
  public void setState(String key, String valueJson) {
    boolean replayed = stateCall("STATE_SET", key);
    state.put(key, valueJson);
    if (!replayed) {
      newCommands.add(SdkCommands.setState(key, valueJson));
    }
  }

  @Override
  public void clearState(String key) {
    boolean replayed = stateCall("STATE_CLEARED", key);
    state.remove(key);
    if (!replayed) {
      newCommands.add(SdkCommands.clearState(key));
    }
  }

  @Override
  public String state(String key) {
    return state.get(key);
  }

  @Override
  public void cancel(String reason) {
    throw new Cancelled(reason);
  }

  // Whether the call matched an event of the history (true) or is new (false).
  private boolean stateCall(String type, String key) {
    Optional<Event> replayed = states.next();
    if (replayed.isEmpty()) {
      return false;
    }
    Event event = replayed.get();
    if (!event.type().equals(type)) {
      // Rust panics here and submits nothing; a violation either way
      throw violation("state event type", event, type, event.type());
    }
    expectKey(event, "key", key, "state");
    return true;
  }

  // The state before this activation's replay starts is rebuilt from the log, not from the calls.
  private void rebuildState() {
    for (Event event : history) {
      if (event.type().equals("STATE_SET")) {
        state.put(event.string("key"), event.json("value"));
      } else if (event.type().equals("STATE_CLEARED")) {
        state.remove(event.string("key"));
      }
    }
  }

  private UUID nextId() {
    return SdkIds.deterministic(workflowId, idCounter++);
  }

  // Rust parses the id as a UUID (the nil UUID when it does not parse) and compares its canonical
  // text with the outcome's; FFI and NAPI compare the strings as written.
  private String replayedId(Event event, String key, String fallback) {
    String raw = event.string(key);
    if (frontEnd != FrontEnd.RUST) {
      return raw;
    }
    if (raw == null) {
      raw = event.string(fallback);
    }
    try {
      return UUID.fromString(raw).toString();
    } catch (RuntimeException e) {
      return new UUID(0, 0).toString();
    }
  }

  private static String signalName(Event event) {
    String name = event.string("signalName");
    return name == null ? "__default__" : name;
  }

  private static String taskOutput(Event event) {
    return event.data().containsKey("result") ? event.json("result") : event.json("output");
  }

  private static String fail(Event event, String message) {
    throw new OutcomeFailed(event.type(), message);
  }

  private static void expectKey(Event event, String key, String expected, String what) {
    String recorded = event.string(key);
    if (!expected.equals(recorded)) {
      throw violation(what + " " + key, event, expected, recorded);
    }
  }

  private static DeterminismViolation violation(
      String what, Event event, String expected, String recorded) {
    return new DeterminismViolation(
        what
            + " at event "
            + event.sequence()
            + ": the code has "
            + expected
            + ", the history has "
            + recorded);
  }

  private Awaitable outcome(String what, Predicate<Event> matches, Function<Event, String> value) {
    return new Awaitable() {
      @Override
      public String await() {
        Event end = find(matches).orElseThrow(() -> new Suspend(what));
        return value.apply(end);
      }

      @Override
      public boolean done() {
        return find(matches).isPresent();
      }
    };
  }

  private Awaitable pending(String what) {
    return new Awaitable() {
      @Override
      public String await() {
        throw new Suspend(what);
      }

      @Override
      public boolean done() {
        return false;
      }
    };
  }

  private Optional<Event> find(Predicate<Event> matches) {
    return history.stream().filter(matches).max(Comparator.comparingInt(Event::sequence));
  }

  private Cursor cursor(String name, Set<String> types) {
    return new Cursor(name, history.stream().filter(e -> types.contains(e.type())).toList());
  }

  /** The events of one kind in history order and how many calls of that kind have been matched. */
  private static final class Cursor {
    final String name;
    final List<Event> events;
    int position;

    Cursor(String name, List<Event> events) {
      this.name = name;
      this.events = events;
    }

    Optional<Event> next() {
      if (position < events.size()) {
        return Optional.of(events.get(position++));
      }
      position++;
      return Optional.empty();
    }

    int remaining() {
      return Math.max(0, events.size() - position);
    }
  }
}
