package ai.flovyn.dispatch.http;

import java.util.List;

/** What operators change: start, signal, cancel (one or by filter), resolve or reject promises. */
final class ActionRoutes {
  private ActionRoutes() {}

  static List<Route> routes(ApiContext context) {
    StartSignalRoutes starts = new StartSignalRoutes(context.dispatch());
    return List.of(
        Route.post(ApiRoutes.ORG + "/workflow-executions", "triggerWorkflow", starts::trigger),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/signal-with-start",
            "signalWithStartWorkflow",
            starts::signalWithStart),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/bulk-cancel",
            "bulkCancelWorkflows",
            CancelRoutes.bulkCancelWorkflows(context)),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/{id}/cancel",
            "cancelWorkflow",
            CancelRoutes.cancelWorkflow(context)),
        Route.post(
            ApiRoutes.ORG + "/workflow-executions/{id}/signal", "signalWorkflow", starts::signal),
        Route.post(
            ApiRoutes.ORG + "/promises/{promise}/resolve", "resolvePromise", starts::resolve),
        Route.post(ApiRoutes.ORG + "/promises/{promise}/reject", "rejectPromise", starts::reject));
  }
}
