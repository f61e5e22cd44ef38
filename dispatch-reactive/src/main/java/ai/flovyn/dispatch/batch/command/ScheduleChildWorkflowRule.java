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
 * ScheduleChildWorkflow: a child workflow under the id the SDK generated, created at most once, in
 * the parent's queue unless it names one, and CHILD_WORKFLOW_INITIATED in the parent's log. The
 * child reports its end to the parent (CHILD_WORKFLOW_COMPLETED or _FAILED).
 */
public final class ScheduleChildWorkflowRule extends CommandRule<Command.ScheduleChildWorkflow> {
  ScheduleChildWorkflowRule() {
    super(Command.ScheduleChildWorkflow.class, "schedule_child_workflow");
  }

  @Override
  public void requirePayloads(String at, Command.ScheduleChildWorkflow child) {
    Arguments.present(at + "input", child.input());
  }

  @Override
  public void validate(String at, Command.ScheduleChildWorkflow child) {
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

  @Override
  public String identity(UUID workflowId, Command.ScheduleChildWorkflow child) {
    return Identities.childInitiated(child.childWorkflowExecutionId());
  }

  @Override
  public EventSpec event(UUID workflowId, Command.ScheduleChildWorkflow child) {
    return new EventSpec(
        EventType.CHILD_WORKFLOW_INITIATED,
        EventData.object()
            .put("childExecutionName", child.childExecutionName())
            .put("childWorkflowKind", kind(child))
            .put("childExecutionId", child.childWorkflowExecutionId().toString())
            .json(),
        identity(workflowId, child));
  }

  /** The kind the child runs as: its kind, or its definition id when it names none. */
  public static String kind(Command.ScheduleChildWorkflow child) {
    return child.workflowKind() != null ? child.workflowKind() : child.workflowDefinitionId();
  }

  @Override
  public void plan(int index, Command.ScheduleChildWorkflow child, BatchPlan.Builder batch) {
    batch.child(index, child);
  }

  @Override
  public boolean oneCall() {
    return false;
  }

  @Override
  public AfterEnd afterEnd() {
    return AfterEnd.RECORDED_ONCE;
  }
}
