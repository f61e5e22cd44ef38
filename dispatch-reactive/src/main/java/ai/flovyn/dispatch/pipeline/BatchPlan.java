package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A command batch checked without touching the database: every field validated (errors name the
 * command index), tasks and children deduplicated by id, the batch's digest computed, and the
 * output (CompleteWorkflow) or error (FailWorkflow, CancelWorkflow) it finishes with, if any, and
 * the tenant its workflow is looked up in (null: any).
 */
record BatchPlan(
    CommandBatch batch,
    Map<UUID, Indexed<Command.ScheduleTask>> tasks,
    Map<UUID, Indexed<Command.ScheduleChildWorkflow>> children,
    List<String> identities,
    byte[] digest,
    byte[] output,
    String error,
    String tenant) {

  /** A command with its index in the batch. */
  record Indexed<C extends Command>(int index, C command) {}

  /**
   * Validates the batch of a caller limited to {@code scope}: its workflow is looked up within the
   * scope's tenant ({@link #tenant()}, null for any).
   *
   * @throws DispatchException INVALID_ARGUMENT naming the first offending command and field
   */
  static BatchPlan of(CommandBatch submitted, Scope scope) {
    CommandBatch batch = withFailureTextKept(submitted);
    if (batch.workflowExecutionId() == null) {
      throw DispatchException.invalidArgument("workflow_execution_id must be set");
    }
    if (batch.commands().size() > Limits.MAX_COMMANDS) {
      throw DispatchException.invalidArgument(
          "commands: at most "
              + Limits.MAX_COMMANDS
              + " per batch, got "
              + batch.commands().size());
    }
    Map<UUID, Indexed<Command.ScheduleTask>> tasks = new LinkedHashMap<>();
    Map<UUID, Indexed<Command.ScheduleChildWorkflow>> children = new LinkedHashMap<>();
    List<String> identities = new ArrayList<>();
    for (int i = 0; i < batch.commands().size(); i++) {
      Command command = batch.commands().get(i);
      String at = "commands[" + i + "]";
      if (command instanceof Command.ScheduleTask task) {
        validateTask(at + ".schedule_task", task);
        Indexed<Command.ScheduleTask> first =
            tasks.putIfAbsent(task.taskExecutionId(), new Indexed<>(i, task));
        if (first != null && !first.command().taskType().equals(task.taskType())) {
          throw DispatchException.invalidArgument(
              at
                  + ".schedule_task.task_execution_id "
                  + task.taskExecutionId()
                  + " is also commands["
                  + first.index()
                  + "] with a different task_type");
        }
        identities.add(Identities.taskScheduled(task.taskExecutionId()));
      } else if (command instanceof Command.ScheduleChildWorkflow child) {
        validateChild(at + ".schedule_child_workflow", child);
        children.putIfAbsent(child.childWorkflowExecutionId(), new Indexed<>(i, child));
        identities.add(Identities.childInitiated(child.childWorkflowExecutionId()));
      } else {
        validateOther(at, command, identities, batch.workflowExecutionId());
      }
    }
    byte[] output = null;
    String error = null;
    for (Command command : batch.commands()) {
      if (command instanceof Command.CompleteWorkflow complete) {
        output = complete.output();
      } else if (command instanceof Command.FailWorkflow fail) {
        error = fail.error();
      } else if (command instanceof Command.CancelWorkflow cancel) {
        error = cancel.reason();
      }
    }
    return new BatchPlan(
        batch,
        tasks,
        children,
        List.copyOf(identities),
        digest(batch),
        output,
        error,
        scope.tenantId());
  }

  private static void validateTask(String at, Command.ScheduleTask task) {
    if (task.taskExecutionId() == null) {
      throw DispatchException.invalidArgument(at + ".task_execution_id must be a UUID");
    }
    Limits.requireName(at + ".task_type", task.taskType());
    Limits.range(at + ".max_retries", task.maxRetries(), 0, Limits.MAX_RETRIES);
    Limits.range(at + ".timeout_ms", task.timeoutMs(), 1, Limits.MAX_TASK_TIMEOUT_MS);
    Limits.range(
        at + ".priority_seconds",
        task.prioritySeconds(),
        -Limits.MAX_PRIORITY_SECONDS,
        Limits.MAX_PRIORITY_SECONDS);
    Limits.optionalName(at + ".queue", task.queue());
    Limits.optionalName(at + ".idempotency_key", task.idempotencyKey());
    Limits.keyTtl(at + ".idempotency_key_ttl_seconds", task.idempotencyKeyTtlSeconds());
  }

  private static void validateChild(String at, Command.ScheduleChildWorkflow child) {
    if (child.childWorkflowExecutionId() == null) {
      throw DispatchException.invalidArgument(at + ".child_workflow_execution_id must be a UUID");
    }
    Limits.requireName(at + ".child_execution_name", child.childExecutionName());
    if (child.workflowKind() == null && child.workflowDefinitionId() == null) {
      throw DispatchException.invalidArgument(
          at + ": workflow_kind or workflow_definition_id must be set");
    }
    Limits.optionalName(at + ".workflow_kind", child.workflowKind());
    Limits.optionalName(at + ".workflow_definition_id", child.workflowDefinitionId());
    if (child.queue() != null && !child.queue().isEmpty()) {
      Limits.optionalName(at + ".queue", child.queue());
    }
    Limits.range(
        at + ".priority_seconds",
        child.prioritySeconds(),
        -Limits.MAX_PRIORITY_SECONDS,
        Limits.MAX_PRIORITY_SECONDS);
  }

  private static void validateOther(
      String at, Command command, List<String> identities, UUID workflowId) {
    if (command instanceof Command.StartTimer timer) {
      Limits.requireName(at + ".start_timer.timer_id", timer.timerId());
      Limits.range(at + ".start_timer.duration_ms", timer.durationMs(), 0, Limits.MAX_TIMER_MS);
      identities.add(Identities.timerStarted(timer.timerId()));
    } else if (command instanceof Command.CancelTimer timer) {
      Limits.requireName(at + ".cancel_timer.timer_id", timer.timerId());
      identities.add(Identities.timerCancelled(timer.timerId()));
    } else if (command instanceof Command.CreatePromise promise) {
      Limits.requireName(at + ".create_promise.promise_id", promise.promiseId());
      Limits.range(at + ".create_promise.timeout_ms", promise.timeoutMs(), 1, Limits.MAX_TIMER_MS);
      Limits.optionalName(at + ".create_promise.idempotency_key", promise.idempotencyKey());
      Limits.keyTtl(
          at + ".create_promise.idempotency_key_ttl_seconds", promise.idempotencyKeyTtlSeconds());
      identities.add(Identities.promiseCreated(promise.promiseId()));
    } else if (command instanceof Command.ResolvePromise promise) {
      Limits.requireName(at + ".resolve_promise.promise_id", promise.promiseId());
      identities.add(
          Identities.promiseSettled(Identities.promiseName(workflowId, promise.promiseId())));
    } else if (command instanceof Command.RecordOperation operation) {
      Limits.requireName(at + ".record_operation.operation_name", operation.operationName());
    } else if (command instanceof Command.SetState state) {
      Limits.requireName(at + ".set_state.key", state.key());
    } else if (command instanceof Command.ClearState state) {
      Limits.requireName(at + ".clear_state.key", state.key());
    } else if (command instanceof Command.RequestCancelChildWorkflow cancel) {
      if (cancel.childWorkflowExecutionId() == null) {
        throw DispatchException.invalidArgument(
            at + ".request_cancel_child_workflow.child_workflow_execution_id must be a UUID");
      }
      Limits.text(
          at + ".request_cancel_child_workflow.child_execution_name", cancel.childExecutionName());
      Limits.text(at + ".request_cancel_child_workflow.reason", cancel.reason());
      // its trace in the log is the child's outcome (written now or when the child ended)
      identities.add(Identities.childFinished(cancel.childWorkflowExecutionId()));
    } else {
      validateEnding(at, command);
    }
  }

  // A workflow's failure (its exception text and stack trace) is stored cut and cleaned rather
  // than refused: the SDK never resends a rejected batch, and the failure would be lost.
  private static CommandBatch withFailureTextKept(CommandBatch batch) {
    if (batch.commands() == null
        || batch.commands().stream().noneMatch(Command.FailWorkflow.class::isInstance)) {
      return batch;
    }
    List<Command> commands = new ArrayList<>(batch.commands().size());
    for (Command command : batch.commands()) {
      commands.add(
          command instanceof Command.FailWorkflow fail
              ? new Command.FailWorkflow(
                  Texts.failureText(fail.error()),
                  Texts.failureText(fail.stackTrace()),
                  Texts.failureText(fail.failureType()))
              : command);
    }
    return new CommandBatch(batch.workflowExecutionId(), commands, batch.status());
  }

  private static void validateEnding(String at, Command command) {
    if (command instanceof Command.CancelWorkflow cancel) {
      Limits.text(at + ".cancel_workflow.reason", cancel.reason());
    } else if (command instanceof Command.SuspendWorkflow suspend) {
      Limits.text(at + ".suspend_workflow.reason", suspend.reason());
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
