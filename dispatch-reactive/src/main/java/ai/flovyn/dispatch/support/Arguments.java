package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.batch.command.CommandRules;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartChild;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The null checks of the library API that the pipelines' own validation (which reads the fields)
 * would otherwise meet as a NullPointerException or an untyped SQL null: each throws
 * INVALID_ARGUMENT naming the field, which {@code Dispatch} turns into the Mono's error.
 */
public final class Arguments {
  private Arguments() {}

  public static <T> T present(String field, T value) {
    if (value == null) {
      throw DispatchException.invalidArgument(field + " must be set");
    }
    return value;
  }

  public static <C extends Collection<?>> C elements(String field, C values) {
    present(field, values);
    int i = 0;
    for (Object each : values) {
      present(field + "[" + i++ + "]", each);
    }
    return values;
  }

  static <M extends Map<?, ?>> M entries(String field, M values) {
    present(field, values);
    values.forEach(
        (key, value) -> {
          present(field + " key", key);
          present(field + "[" + key + "]", value);
        });
    return values;
  }

  public static StartWorkflow start(StartWorkflow request) {
    present("request", request);
    present("input", request.input());
    entries("metadata", request.metadata());
    return request;
  }

  public static StartChild child(StartChild request) {
    present("request", request);
    present("input", request.input());
    return request;
  }

  public static SignalWithStart signalWithStart(SignalWithStart request) {
    present("request", request);
    present("input", request.input());
    present("signal_value", request.signalValue());
    entries("metadata", request.metadata());
    return request;
  }

  public static SubmitTask submit(SubmitTask request) {
    present("request", request);
    present("input", request.input());
    entries("metadata", request.metadata());
    return request;
  }

  public static WorkerRegistration registration(WorkerRegistration request) {
    present("registration", request);
    elements("workflow_kinds", request.workflowKinds());
    elements("task_kinds", request.taskKinds());
    elements("agent_kinds", request.agentKinds());
    entries("task_timeouts", request.taskTimeouts());
    return request;
  }

  public static TaskSubscription subscription(TaskSubscription request) {
    present("subscription", request);
    if (present("poll_timeout", request.pollTimeout()).isNegative()
        || request.pollTimeout().isZero()) {
      throw DispatchException.invalidArgument("poll_timeout must be positive");
    }
    return request;
  }

  /** A batch whose every field and payload is present (empty payloads are fine). */
  public static CommandBatch batch(CommandBatch batch) {
    present("batch", batch);
    present("workflow_execution_id", batch.workflowExecutionId());
    present("status", batch.status());
    List<Command> commands = elements("commands", batch.commands());
    for (int i = 0; i < commands.size(); i++) {
      payloads("commands[" + i + "].", commands.get(i));
    }
    return batch;
  }

  // only payload bytes can be null here; the plan checks the names
  private static <C extends Command> void payloads(String at, C command) {
    present(at.substring(0, at.length() - 1), command);
    CommandRules.of(command).requirePayloads(at, command);
  }
}
