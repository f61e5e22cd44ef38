package ai.flovyn.dispatch.http;

import java.util.List;

/** One workflow or task execution and what hangs off it: history, tasks, children, state, logs. */
final class DetailRoutes {
  private DetailRoutes() {}

  static List<Route> routes(ApiContext context) {
    return List.of(
        Route.get(ApiRoutes.ORG + "/workflow-executions/{id}", "getWorkflow", ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/events",
            "getWorkflowEvents",
            ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/tasks",
            "listWorkflowTasks",
            ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/children",
            "listWorkflowChildren",
            ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/state",
            "getWorkflowState",
            ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}", "getTask", ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/task-executions/{id}/attempts",
            "listTaskAttempts",
            ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}/logs", "listTaskLogs", ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/task-executions/{id}/state", "getTaskState", ApiRoutes::notYet));
  }
}
