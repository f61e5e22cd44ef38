package ai.flovyn.dispatch.sdk;

/**
 * A scripted workflow: plain code against {@link WorkflowContext}, re-run from the start on every
 * activation as the SDK does; returns the workflow's output as JSON text.
 */
@FunctionalInterface
public interface WorkflowCode {
  String run(WorkflowContext ctx);
}
