package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.history.EventSpec;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The rule of every command type: the one list to extend when a command is added (with the proto
 * mapping and the command's own rule file). {@code CommandRulesTest} checks that every permitted
 * subclass of {@link Command} is here.
 */
public final class CommandRules {
  private CommandRules() {}

  static final List<CommandRule<?>> ALL =
      List.of(
          new ScheduleTaskRule(),
          new StartTimerRule(),
          new CancelTimerRule(),
          new CreatePromiseRule(),
          new ResolvePromiseRule(),
          new RecordOperationRule(),
          new SetStateRule(),
          new ClearStateRule(),
          new CompleteWorkflowRule(),
          new FailWorkflowRule(),
          new CancelWorkflowRule(),
          new SuspendWorkflowRule(),
          new ScheduleChildWorkflowRule(),
          new RequestCancelChildWorkflowRule());

  private static final Map<Class<?>, CommandRule<?>> BY_TYPE =
      ALL.stream().collect(Collectors.toUnmodifiableMap(CommandRule::type, Function.identity()));

  /** The rule of {@code command}'s type. */
  @SuppressWarnings("unchecked")
  public static <C extends Command> CommandRule<C> of(C command) {
    CommandRule<C> rule = (CommandRule<C>) BY_TYPE.get(command.getClass());
    if (rule == null) {
      throw new IllegalStateException("no rule for command type " + command.getClass());
    }
    return rule;
  }

  /** The event {@code command} records in workflow {@code workflowId}'s log, or null. */
  public static <C extends Command> EventSpec event(UUID workflowId, C command) {
    return of(command).event(workflowId, command);
  }
}
