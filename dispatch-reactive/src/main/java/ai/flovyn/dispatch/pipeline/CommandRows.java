package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The rows a batch's timer, promise and state commands write, gathered into arrays so that each
 * kind is one statement. State keys keep the batch's last write.
 */
record CommandRows(
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

  static CommandRows of(UUID workflowId, List<Command> commands) {
    Map<String, Long> timers = new LinkedHashMap<>();
    List<String> cancelled = new ArrayList<>();
    Map<String, Command.CreatePromise> promises = new LinkedHashMap<>();
    Map<String, byte[]> resolved = new LinkedHashMap<>();
    Map<String, byte[]> state = new LinkedHashMap<>();
    for (Command command : commands) {
      if (command instanceof Command.StartTimer timer) {
        timers.putIfAbsent(timer.timerId(), timer.durationMs());
      } else if (command instanceof Command.CancelTimer timer) {
        cancelled.add(timer.timerId());
      } else if (command instanceof Command.CreatePromise promise) {
        promises.putIfAbsent(promise.promiseId(), promise);
      } else if (command instanceof Command.ResolvePromise promise) {
        resolved.putIfAbsent(
            Identities.promiseId(
                workflowId, Identities.promiseName(workflowId, promise.promiseId())),
            promise.value());
      } else if (command instanceof Command.SetState set) {
        state.remove(set.key());
        state.put(set.key(), set.value());
      } else if (command instanceof Command.ClearState clear) {
        state.remove(clear.key());
        state.put(clear.key(), null);
      }
    }
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
