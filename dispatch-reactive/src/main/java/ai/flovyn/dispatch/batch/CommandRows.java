package ai.flovyn.dispatch.batch;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.Identities;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The rows a batch's timer, promise and state commands write, gathered into arrays so that each
 * kind is one statement. The command rules add to a {@link Builder} in batch order.
 */
public record CommandRows(
    String[] timerIds,
    Long[] timerDurations,
    String[] cancelledTimers,
    String[] promiseIds,
    String[] promiseNames,
    Long[] promiseTimeouts,
    String[] promiseKeys,
    String[] resolvedPromises,
    String[] resolvedValues,
    String[] stateKeys,
    String[] stateValues,
    String[] clearedKeys) {

  /** Whether the batch writes none of these rows. */
  public boolean isEmpty() {
    return timerIds.length == 0
        && cancelledTimers.length == 0
        && promiseIds.length == 0
        && resolvedPromises.length == 0
        && stateKeys.length == 0
        && clearedKeys.length == 0;
  }

  /**
   * Collects the rows of one workflow's batch: a timer or promise started twice counts once (the
   * first), a promise resolved twice keeps the first value, a state key keeps the batch's last
   * write.
   */
  public static final class Builder {
    private final UUID workflowId;
    private final Map<String, Long> timers = new LinkedHashMap<>();
    private final List<String> cancelled = new ArrayList<>();
    private final Map<String, Command.CreatePromise> promises = new LinkedHashMap<>();
    private final Map<String, byte[]> resolved = new LinkedHashMap<>();
    // null value: cleared
    private final Map<String, byte[]> state = new LinkedHashMap<>();

    Builder(UUID workflowId) {
      this.workflowId = workflowId;
    }

    public void startTimer(String timerId, long durationMs) {
      timers.putIfAbsent(timerId, durationMs);
    }

    public void cancelTimer(String timerId) {
      cancelled.add(timerId);
    }

    public void createPromise(Command.CreatePromise promise) {
      promises.putIfAbsent(promise.promiseId(), promise);
    }

    public void resolvePromise(Command.ResolvePromise promise) {
      resolved.putIfAbsent(
          Identities.promiseId(workflowId, Identities.promiseName(workflowId, promise.promiseId())),
          promise.value());
    }

    public void setState(String key, byte[] value) {
      state.remove(key);
      state.put(key, value);
    }

    public void clearState(String key) {
      state.remove(key);
      state.put(key, null);
    }

    CommandRows build() {
      List<String> setKeys = new ArrayList<>();
      List<String> setValues = new ArrayList<>();
      List<String> clearedKeys = new ArrayList<>();
      state.forEach(
          (key, value) -> {
            if (value == null) {
              clearedKeys.add(key);
            } else {
              setKeys.add(key);
              setValues.add(Base64.getEncoder().encodeToString(value));
            }
          });
      return new CommandRows(
          timers.keySet().toArray(String[]::new),
          timers.values().toArray(Long[]::new),
          cancelled.toArray(String[]::new),
          promises.keySet().stream()
              .map(name -> Identities.promiseId(workflowId, name))
              .toArray(String[]::new),
          promises.keySet().toArray(String[]::new),
          promises.values().stream().map(Command.CreatePromise::timeoutMs).toArray(Long[]::new),
          promises.values().stream()
              .map(Command.CreatePromise::idempotencyKey)
              .toArray(String[]::new),
          resolved.keySet().toArray(String[]::new),
          resolved.values().stream()
              .map(value -> Base64.getEncoder().encodeToString(value))
              .toArray(String[]::new),
          setKeys.toArray(String[]::new),
          setValues.toArray(String[]::new),
          clearedKeys.toArray(String[]::new));
    }
  }
}
