package ai.flovyn.dispatch.http;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * One operation of the API: method, path template ({@code
 * /api/orgs/{org}/workflow-executions/{id}}, one {@code {name}} per segment), the OpenAPI operation
 * id, and its handler. The table of all of them is {@link ApiRoutes#all}; the OpenAPI document is
 * checked against it.
 */
record Route(String method, String template, String operationId, Handler handler) {

  /**
   * Answers one request that matched the route; errors with {@link HttpProblem} or a library error.
   */
  @FunctionalInterface
  interface Handler {
    Mono<ApiResponse> handle(ApiRequest request);
  }

  static Route get(String template, String operationId, Handler handler) {
    return new Route("GET", template, operationId, handler);
  }

  static Route post(String template, String operationId, Handler handler) {
    return new Route("POST", template, operationId, handler);
  }

  static Route delete(String template, String operationId, Handler handler) {
    return new Route("DELETE", template, operationId, handler);
  }

  List<String> segments() {
    return List.of(template.substring(1).split("/", -1));
  }

  /** Whether the template names the organization ({@code {org}}), so the call acts in a tenant. */
  boolean scoped() {
    return template.contains("{org}");
  }
}
