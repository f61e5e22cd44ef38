package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.history.EventSpec;
import java.util.UUID;

/**
 * Everything the server decides about one command type, in one place: how its fields are checked,
 * what it adds to the batch it is part of (tasks, children, rows, the workflow's ending), the event
 * it records and that event's identity, whether the one-call write covers it, and what it means
 * once the workflow has ended. One subclass per type of {@link Command}, registered in {@link
 * CommandRules}; {@code CommandRulesTest} fails when a command type has none. Rules are pure: they
 * read the command, never the database.
 *
 * @param <C> the command type
 */
public abstract class CommandRule<C extends Command> {

  /** What a command means in a batch sent after its workflow ended. */
  public enum AfterEnd {
    /** A replay of something recorded once: accepted when its identity is in the log. */
    RECORDED_ONCE,
    /** The workflow's own ending: accepted when the workflow ended that way. */
    SAME_ENDING,
    /** It would record something new: refused. */
    REFUSED
  }

  private final Class<C> type;
  private final String field;

  /**
   * @param type the command type this rule is for
   * @param field its field in the wire's command (the proto oneof), used to name it in errors
   */
  CommandRule(Class<C> type, String field) {
    this.type = type;
    this.field = field;
  }

  final Class<C> type() {
    return type;
  }

  /** The command's field name on the wire, e.g. {@code schedule_task}. */
  public final String field() {
    return field;
  }

  /**
   * Throws INVALID_ARGUMENT naming the field when a payload is null. Only library callers can send
   * one (the proto mapping never does); {@code at} is e.g. {@code commands[2].}.
   */
  public void requirePayloads(String at, C command) {}

  /** The command as the server keeps it (FailWorkflow's texts are cut and cleaned). */
  public C normalized(C command) {
    return command;
  }

  /**
   * Checks every field; throws INVALID_ARGUMENT naming the first bad one. {@code at} names the
   * command, e.g. {@code commands[3].schedule_task}.
   */
  public abstract void validate(String at, C command);

  /** The identity of the event the command records at most once per workflow, or null. */
  public String identity(UUID workflowId, C command) {
    return null;
  }

  /** The event the command records, or null when it records none of its own. */
  abstract EventSpec event(UUID workflowId, C command);

  /**
   * Adds what the command means to the batch being planned: its task, child, rows, the workflow's
   * output or error. Called in batch order, after {@link #validate}.
   */
  public void plan(int index, C command, BatchPlan.Builder batch) {}

  /** The status the command asks for the workflow, or null when it asks for none. */
  public RequestedStatus ending() {
    return null;
  }

  /**
   * Whether {@code dispatch_apply_batch} (the one-call write: tasks, events, the workflow row)
   * writes everything the command means. A batch with any other command runs statement by
   * statement.
   */
  public abstract boolean oneCall();

  /** What the command means in a batch sent after the workflow ended. */
  public abstract AfterEnd afterEnd();
}
