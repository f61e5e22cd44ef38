package ai.flovyn.dispatch.load;

import java.util.Locale;

/**
 * The fixed names and ids that {@link Prepare} creates and the bundled ghz configs name, so that a
 * config file can address prepared workflows and tasks without a lookup.
 */
public final class BenchIds {
  /** The tenant of everything prepared. */
  public static final String TENANT = "bench";

  /** The queue of the parent workflow that owns the prepared workflows (never polled). */
  public static final String PARENT_QUEUE = "bench-parent";

  /** The queue of the prepared workflows, and of the tasks the submit configs schedule. */
  public static final String WORKFLOW_QUEUE = "bench";

  /** The queue of the workflow that holds the tasks complete-task.json completes. */
  public static final String HOLDER_QUEUE = "bench-holder";

  /** The queue of the tasks complete-task.json completes. */
  public static final String COMPLETE_QUEUE = "bench-complete";

  /** The task type of every task the configs and the benchmark schedule. */
  public static final String TASK_TYPE = "bench-task";

  /** The task type of the prepared tasks that complete-task.json completes. */
  public static final String COMPLETE_TASK_TYPE = "bench-complete";

  /** The workflow kind of the prepared workflows. */
  public static final String WORKFLOW_KIND = "bench-workflow";

  /** The idempotency key that makes StartWorkflow of the parent return the same id each run. */
  public static final String PARENT_IDEMPOTENCY_KEY = "bench-prepare-parent";

  /** {"n":1} in base64, the protobuf JSON form of a bytes field. */
  public static final String SMALL_INPUT_BASE64 = "eyJuIjoxfQ==";

  /** {"ok":true} in base64: the output complete-task.json sends, the same on every run. */
  public static final String COMPLETE_OUTPUT_BASE64 = "eyJvayI6dHJ1ZX0=";

  private BenchIds() {}

  /** The id of prepared workflow {@code n} (1-based): 00000000-0000-4000-8000-0000000000NN. */
  public static String workflowId(int n) {
    return id("8000", n);
  }

  /** The id of the workflow that holds the tasks to complete. */
  public static String holderId() {
    return id("8001", 1);
  }

  /** The id of prepared task {@code n} (1-based) in {@link #COMPLETE_QUEUE}. */
  public static String completeTaskId(int n) {
    return id("8002", n);
  }

  private static String id(String group, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("ids are 1-based, got " + n);
    }
    return String.format(Locale.ROOT, "00000000-0000-4000-%s-%012d", group, n);
  }
}
