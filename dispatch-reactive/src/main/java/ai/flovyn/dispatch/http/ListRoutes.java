package ai.flovyn.dispatch.http;

import java.util.List;

/** Lists and counts: workflow and task executions (filters, FQL, cursor), queues, workers. */
final class ListRoutes {
  private ListRoutes() {}

  static List<Route> routes(ApiContext context) {
    return List.of(
        Route.get(ApiRoutes.ORG + "/workflow-executions", "listWorkflows", ApiRoutes::notYet),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/counts", "countWorkflows", ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/task-executions", "listTasks", ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/task-executions/counts", "countTasks", ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/queues", "listQueues", ApiRoutes::notYet),
        Route.get(ApiRoutes.ORG + "/workers", "listWorkers", ApiRoutes::notYet));
  }
}
