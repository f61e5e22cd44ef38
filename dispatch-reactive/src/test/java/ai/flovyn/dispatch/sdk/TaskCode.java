package ai.flovyn.dispatch.sdk;

/**
 * A task body: takes the task's input JSON and returns its output JSON; an exception becomes
 * FailTask with its message, as the SDK reports task errors (docs/sdk-compatibility.md, "Tasks").
 */
@FunctionalInterface
public interface TaskCode {
  String run(String inputJson, int attempt);
}
