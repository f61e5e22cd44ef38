package ai.flovyn.dispatch.load;

/**
 * One measured run of the dispatch loop: tasks handed out and completed per second, with the CPU
 * the server and PostgreSQL spent per task and the claim statements the server ran for it.
 *
 * @param loop {@link #TASK_ONLY} or {@link #END_TO_END}
 * @param workers task workers (PollTask + CompleteTask, each in a closed loop)
 * @param tasks tasks completed within the measured window
 * @param serverJitMicrosPerTask of {@code serverMicrosPerTask}, what the JVM's JIT compiler threads
 *     spent: compilation of code the phase ran first, not work
 * @param taskClaimStatements task claim statements the server ran in the window, -1 if unknown
 * @param tasksClaimed of those, the ones that handed out a task, -1 if unknown
 * @param workflowClaimStatements workflow claim statements in the window, -1 if unknown
 * @param workflowsClaimed of those, the ones that handed out a workflow, -1 if unknown
 * @param note what makes the numbers partial, or empty
 */
public record LoopResult(
    String loop,
    int workers,
    double seconds,
    long tasks,
    double tasksPerSecond,
    double serverMicrosPerTask,
    double postgresMicrosPerTask,
    double serverJitMicrosPerTask,
    long taskClaimStatements,
    long tasksClaimed,
    long workflowClaimStatements,
    long workflowsClaimed,
    String note) {
  static final String TASK_ONLY = "task-only";
  static final String END_TO_END = "end-to-end";

  /** Task claim statements per task handed out; null when unknown. */
  Double claimStatementsPerTask() {
    return taskClaimStatements < 0 || tasksClaimed <= 0
        ? null
        : taskClaimStatements / (double) tasksClaimed;
  }

  /** Workflow claim statements per workflow handed out; null when unknown. */
  Double claimStatementsPerWorkflow() {
    return workflowClaimStatements < 0 || workflowsClaimed <= 0
        ? null
        : workflowClaimStatements / (double) workflowsClaimed;
  }
}
