package ai.flovyn.dispatch.batch;

import ai.flovyn.dispatch.batch.command.CommandRule;
import ai.flovyn.dispatch.batch.command.CommandRules;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.support.Limits;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A command batch checked without touching the database, and what it means: every field validated
 * (errors name the command index), tasks and children deduplicated by id, the rows of its timers,
 * promises and state, the children it cancels, the status it asks for and the output or error it
 * ends with, the batch's digest, and the tenant its workflow is looked up in (null: any). Each
 * command's part is decided by its {@link CommandRule}; this class only walks the batch.
 *
 * @param request the status the batch asks for, from its status field or else its commands
 * @param endings the statuses the batch's own commands ask for (a status asked for with no command
 *     still leaves an event)
 * @param dueInMs the batch's soonest timer or promise timeout, null when none
 * @param oneCall whether the one-call write covers every command of the batch
 */
public record BatchPlan(
    CommandBatch batch,
    Map<UUID, Indexed<Command.ScheduleTask>> tasks,
    Map<UUID, Indexed<Command.ScheduleChildWorkflow>> children,
    Map<UUID, String> childCancels,
    CommandRows rows,
    List<String> identities,
    byte[] digest,
    byte[] output,
    String error,
    RequestedStatus request,
    Set<RequestedStatus> endings,
    Long dueInMs,
    boolean oneCall,
    String tenant) {

  /** A command with its index in the batch. */
  public record Indexed<C extends Command>(int index, C command) {}

  /**
   * Validates the batch of a caller limited to {@code scope}: its workflow is looked up within the
   * scope's tenant ({@link #tenant()}, null for any).
   *
   * @throws DispatchException INVALID_ARGUMENT naming the first offending command and field
   */
  public static BatchPlan of(CommandBatch submitted, Scope scope) {
    if (submitted.workflowExecutionId() == null) {
      throw DispatchException.invalidArgument("workflow_execution_id must be set");
    }
    if (submitted.commands().size() > Limits.MAX_COMMANDS) {
      throw DispatchException.invalidArgument(
          "commands: at most "
              + Limits.MAX_COMMANDS
              + " per batch, got "
              + submitted.commands().size());
    }
    CommandBatch batch = normalized(submitted);
    Builder plan = new Builder(batch);
    for (int i = 0; i < batch.commands().size(); i++) {
      plan.add(i, batch.commands().get(i));
    }
    return plan.build(scope.tenantId());
  }

  private static CommandBatch normalized(CommandBatch batch) {
    List<Command> commands = new ArrayList<>(batch.commands().size());
    boolean changed = false;
    for (Command command : batch.commands()) {
      Command kept = normalized(CommandRules.of(command), command);
      changed |= kept != command;
      commands.add(kept);
    }
    return changed
        ? new CommandBatch(batch.workflowExecutionId(), commands, batch.status())
        : batch;
  }

  @SuppressWarnings("unchecked")
  private static <C extends Command> C normalized(CommandRule<C> rule, Command command) {
    return rule.normalized((C) command);
  }

  /** What the command rules add to the batch being planned, in batch order. */
  public static final class Builder {
    private final CommandBatch batch;
    private final UUID workflowId;
    private final Map<UUID, Indexed<Command.ScheduleTask>> tasks = new LinkedHashMap<>();
    private final Map<UUID, Indexed<Command.ScheduleChildWorkflow>> children =
        new LinkedHashMap<>();
    private final Map<UUID, String> childCancels = new LinkedHashMap<>();
    private final CommandRows.Builder rows;
    private final List<String> identities = new ArrayList<>();
    private final Set<RequestedStatus> endings = EnumSet.noneOf(RequestedStatus.class);
    private RequestedStatus implied;
    private byte[] output;
    private String error;
    private Long dueInMs;
    private boolean oneCall = true;

    private Builder(CommandBatch batch) {
      this.batch = batch;
      this.workflowId = batch.workflowExecutionId();
      this.rows = new CommandRows.Builder(workflowId);
      this.implied = batch.status();
    }

    private <C extends Command> void add(int index, C command) {
      CommandRule<C> rule = CommandRules.of(command);
      rule.validate("commands[" + index + "]." + rule.field(), command);
      String identity = rule.identity(workflowId, command);
      if (identity != null) {
        identities.add(identity);
      }
      rule.plan(index, command, this);
      ending(rule.ending());
      oneCall &= rule.oneCall();
    }

    // An ending (COMPLETED, FAILED, CANCELLED) wins over a suspend; among endings the last wins.
    private void ending(RequestedStatus status) {
      if (status == null) {
        return;
      }
      endings.add(status);
      if (status != RequestedStatus.SUSPENDED || !isEnding(implied)) {
        implied = status;
      }
    }

    private static boolean isEnding(RequestedStatus status) {
      return status == RequestedStatus.COMPLETED
          || status == RequestedStatus.FAILED
          || status == RequestedStatus.CANCELLED;
    }

    /** Adds a task; returns the task first scheduled under its id in this batch, if any. */
    public Indexed<Command.ScheduleTask> task(int index, Command.ScheduleTask task) {
      return tasks.putIfAbsent(task.taskExecutionId(), new Indexed<>(index, task));
    }

    /** Adds a child; a repeated id keeps the first. */
    public void child(int index, Command.ScheduleChildWorkflow child) {
      children.putIfAbsent(child.childWorkflowExecutionId(), new Indexed<>(index, child));
    }

    /** Cancels a child; a repeated id keeps the first reason. */
    public void cancelChild(UUID childId, String reason) {
      childCancels.putIfAbsent(childId, reason);
    }

    public CommandRows.Builder rows() {
      return rows;
    }

    /** Something of the batch falls due in {@code ms}: the sweeper looks then. */
    public void dueIn(long ms) {
      if (dueInMs == null || ms < dueInMs) {
        dueInMs = ms;
      }
    }

    public void output(byte[] value) {
      output = value;
    }

    public void error(String value) {
      error = value;
    }

    private BatchPlan build(String tenant) {
      RequestedStatus status = batch.status();
      RequestedStatus request =
          status != RequestedStatus.UNSPECIFIED && status != RequestedStatus.RUNNING
              ? status
              : implied;
      return new BatchPlan(
          batch,
          tasks,
          children,
          childCancels,
          rows.build(),
          List.copyOf(identities),
          digest(batch),
          output,
          error,
          request,
          endings,
          dueInMs,
          oneCall,
          tenant);
    }
  }

  /** SHA-256 over every field of every command, in order, and the requested status. */
  static byte[] digest(CommandBatch batch) {
    MessageDigest sha;
    try {
      sha = (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests are cloneable", e);
    }
    update(sha, batch.workflowExecutionId().toString());
    update(sha, batch.status().name());
    for (Command command : batch.commands()) {
      CommandFields fields = FIELDS.get(command.getClass());
      update(sha, fields.name());
      for (MethodHandle accessor : fields.accessors()) {
        Object value = read(accessor, command);
        if (value instanceof byte[] raw) {
          length(sha, raw.length);
          sha.update(raw);
        } else {
          update(sha, value == null ? null : value.toString());
        }
      }
    }
    return sha.digest();
  }

  private static final MessageDigest SHA_256 = sha256();

  // Class.getRecordComponents() builds its array and accessors anew on every call, a cost the
  // profile showed per batch: each command type's fields are looked up once.
  private static final ClassValue<CommandFields> FIELDS =
      new ClassValue<>() {
        @Override
        protected CommandFields computeValue(Class<?> type) {
          List<MethodHandle> accessors = new ArrayList<>();
          try {
            for (RecordComponent component : type.getRecordComponents()) {
              accessors.add(
                  MethodHandles.publicLookup()
                      .unreflect(component.getAccessor())
                      .asType(MethodType.methodType(Object.class, Object.class)));
            }
          } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the fields of " + type, e);
          }
          return new CommandFields(type.getSimpleName(), List.copyOf(accessors));
        }
      };

  /** A command type's simple name and its record components' accessors, in declaration order. */
  private record CommandFields(String name, List<MethodHandle> accessors) {}

  private static Object read(MethodHandle accessor, Command command) {
    try {
      return accessor.invokeExact((Object) command);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read a command's field", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  // Length-prefixed, so that field boundaries are part of what is hashed; -1 stands for null.
  private static void update(MessageDigest sha, String value) {
    if (value == null) {
      length(sha, -1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    length(sha, bytes.length);
    sha.update(bytes);
  }

  private static void length(MessageDigest sha, int length) {
    sha.update((byte) (length >>> 24));
    sha.update((byte) (length >>> 16));
    sha.update((byte) (length >>> 8));
    sha.update((byte) length);
  }
}
