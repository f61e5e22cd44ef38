package ai.flovyn.dispatch.http;

import java.util.List;

/** Server-Sent Events: a workflow's progress and a task's live data. */
final class StreamRoutes {
  private StreamRoutes() {}

  static List<Route> routes(ApiContext context) {
    return List.of(
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/stream",
            "streamWorkflow",
            ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}/stream", "streamTask", ApiRoutes::notYet));
  }
}
