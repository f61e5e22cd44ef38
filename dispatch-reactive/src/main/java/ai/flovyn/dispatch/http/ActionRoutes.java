package ai.flovyn.dispatch.http;

import java.util.List;

/** What operators change: start, signal, cancel (one or by filter), resolve or reject promises. */
final class ActionRoutes {
  private ActionRoutes() {}

  static List<Route> routes(ApiContext context) {
    return List.of(
        Route.post(ApiRoutes.ORG + "/workflow-executions", "triggerWorkflow", ApiRoutes::notYet),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/signal-with-start",
            "signalWithStartWorkflow",
            ApiRoutes::notYet),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/bulk-cancel",
            "bulkCancelWorkflows",
            CancelRoutes.bulkCancelWorkflows(context)),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/{id}/cancel",
            "cancelWorkflow",
            CancelRoutes.cancelWorkflow(context)),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/{id}/signal",
            "signalWorkflow",
            ApiRoutes::notYet),
        Route.post(
            ApiRoutes.ORG + "/promises/{promise}/resolve", "resolvePromise", ApiRoutes::notYet),
        Route.post(
            ApiRoutes.ORG + "/promises/{promise}/reject", "rejectPromise", ApiRoutes::notYet));
  }
}
