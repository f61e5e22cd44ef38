package ai.flovyn.dispatch.batch.command;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.support.Arguments;
import ai.flovyn.dispatch.support.Limits;
import java.util.UUID;

/**
 * ScheduleTask: a task execution under the id the SDK generated, created at most once (a repeated
 * id with the same type is the same task), and TASK_SCHEDULED in the log.
 */
final class ScheduleTaskRule extends CommandRule<Command.ScheduleTask> {
  ScheduleTaskRule() {
    super(Command.ScheduleTask.class, "schedule_task");
  }

  @Override
  public void requirePayloads(String at, Command.ScheduleTask task) {
    Arguments.present(at + "input", task.input());
  }

  @Override
  public void validate(String at, Command.ScheduleTask task) {
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

  @Override
  public String identity(UUID workflowId, Command.ScheduleTask task) {
    return Identities.taskScheduled(task.taskExecutionId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.ScheduleTask task) {
    return new EventSpec(
        EventType.TASK_SCHEDULED,
        EventData.object()
            .put("kind", task.taskType())
            .put("taskType", task.taskType())
            .put("taskExecutionId", task.taskExecutionId().toString())
            .payload("input", task.input())
            .json(),
        identity(workflowId, task));
  }

  // The same id twice in one batch is one task; with two types it is a client bug.
  @Override
  public void plan(int index, Command.ScheduleTask task, BatchPlan.Builder batch) {
    BatchPlan.Indexed<Command.ScheduleTask> first = batch.task(index, task);
    if (first != null && !first.command().taskType().equals(task.taskType())) {
      throw DispatchException.invalidArgument(
          "commands["
              + index
              + "].schedule_task.task_execution_id "
              + task.taskExecutionId()
              + " is also commands["
              + first.index()
              + "] with a different task_type");
    }
  }

  @Override
  public boolean oneCall() {
    return true;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.RECORDED_ONCE;
  }
}
