package ai.flovyn.dispatch.http;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Every route of the operator API, in one table: what the OpenAPI document must describe. Paths
 * follow the Flovyn server's ({@code /api/orgs/{org}/…}, camelCase JSON); each feature keeps its
 * handlers in a class of its own.
 */
final class ApiRoutes {
  static final String ORG = "/api/orgs/{org}";

  private ApiRoutes() {}

  static List<Route> all(ApiContext context) {
    List<Route> routes = new ArrayList<>();
    routes.addAll(OrgRoutes.routes(context));
    routes.addAll(ListRoutes.routes(context));
    routes.addAll(DetailRoutes.routes(context));
    routes.addAll(ActionRoutes.routes(context));
    routes.addAll(StreamRoutes.routes(context));
    routes.addAll(AgentRoutes.routes(context));
    return routes;
  }

  /** The answer of a route whose handler is not written yet. */
  static Mono<ApiResponse> notYet(ApiRequest request) {
    return Mono.error(HttpProblem.of(501, "not implemented yet"));
  }
}
