package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.domain.Caller;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.grpc.Audit;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Finds the route of an API call, authenticates it with the gRPC port's bearer tokens, resolves
 * {@code {org}} to the caller's tenant and runs the handler; every failure becomes a JSON error
 * with the status a client acts on (library errors mapped once, in {@link #status}).
 */
final class ApiRouter {
  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);
  static final int MAX_ORG_LENGTH = 255;

  private final List<Route> routes;
  private final ActiveTokens tokens;
  private final Orgs orgs;
  private final Audit audit;

  ApiRouter(List<Route> routes, ActiveTokens tokens, Orgs orgs, Audit audit) {
    this.routes = List.copyOf(routes);
    this.tokens = tokens;
    this.orgs = orgs;
    this.audit = audit;
  }

  List<Route> routes() {
    return routes;
  }

  /** A matched route and its path parameters. */
  record Match(Route route, Map<String, String> params) {}

  /**
   * The route for {@code method} and {@code path}; a 404 when no template matches, a 405 when one
   * matches with another method.
   */
  Match match(String method, String path) {
    List<String> segments = List.of(path.substring(1).split("/", -1));
    boolean pathMatched = false;
    for (Route route : routes) {
      Map<String, String> params = bind(route.segments(), segments);
      if (params == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new Match(route, params);
      }
      pathMatched = true;
    }
    if (pathMatched) {
      throw HttpProblem.methodNotAllowed(method);
    }
    throw HttpProblem.notFound("no such API route");
  }

  private static Map<String, String> bind(List<String> template, List<String> segments) {
    if (template.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < template.size(); i++) {
      String expected = template.get(i);
      String actual = segments.get(i);
      if (expected.startsWith("{") && expected.endsWith("}")) {
        if (actual.isEmpty()) {
          return null;
        }
        params.put(
            expected.substring(1, expected.length() - 1),
            QueryStringDecoder.decodeComponent(actual));
      } else if (!expected.equals(actual)) {
        return null;
      }
    }
    return params;
  }

  /**
   * Runs one call: authentication, org resolution, the handler. Emits the response, errors only
   * with {@link HttpProblem} (mapped from library errors) or, for bugs, anything else.
   */
  Mono<ApiResponse> call(
      String method,
      String path,
      Map<String, List<String>> query,
      HttpHeaders headers,
      byte[] body,
      String remote) {
    return Mono.defer(
            () -> {
              Match match = match(method, path);
              Caller caller = authenticate(method, path, headers, remote);
              return scope(match, caller)
                  .flatMap(
                      scope ->
                          match
                              .route()
                              .handler()
                              .handle(
                                  new ApiRequest(
                                      method,
                                      path,
                                      match.params(),
                                      query,
                                      body,
                                      headers,
                                      scope,
                                      caller)));
            })
        .onErrorMap(DispatchException.class, ApiRouter::problem);
  }

  /** The caller, or null when authentication is off; a 401 (audited) without a valid token. */
  Caller authenticate(String method, String path, HttpHeaders headers, String remote) {
    if (tokens == null) {
      return null;
    }
    ActiveTokens.Outcome outcome = tokens.authenticateHeader(headers.getAll("Authorization"));
    if (!outcome.accepted()) {
      audit.unauthenticated(
          method + " " + ApiJson.shown(path, 200),
          remote,
          outcome.denial().tag(),
          outcome.lookupId());
      throw HttpProblem.unauthorized(ActiveTokens.DENIED_MESSAGE);
    }
    return outcome.caller();
  }

  private Mono<Scope> scope(Match match, Caller caller) {
    if (!match.route().scoped()) {
      return Mono.just(caller == null ? Scope.unrestricted() : caller.scope());
    }
    String org = match.params().get("org");
    if (org.length() > MAX_ORG_LENGTH) {
      return Mono.error(HttpProblem.notFound("organization not found"));
    }
    return orgs.tenantOf(org)
        .flatMap(
            tenant -> {
              if (caller != null && !caller.tenantId().equals(tenant)) {
                // another tenant's organization is answered exactly as a missing one
                return Mono.error(HttpProblem.notFound("organization not found"));
              }
              return Mono.just(Scope.tenant(tenant));
            });
  }

  /** A library error as the HTTP status a client acts on, with the library's bounded message. */
  static HttpProblem problem(DispatchException error) {
    int status = status(error);
    String message = status == 500 ? "internal error" : error.getMessage();
    if (status == 500) {
      log.error("API call failed", error);
    }
    return HttpProblem.of(status, message);
  }

  static int status(DispatchException error) {
    return switch (error.kind()) {
      case INVALID_ARGUMENT -> 400;
      // another tenant's object is reported exactly as a missing one
      case NOT_FOUND, PERMISSION_DENIED -> 404;
      case FAILED_PRECONDITION, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  /** The templates of every route, for 404/405 decisions and documentation. */
  List<String> templates() {
    List<String> templates = new ArrayList<>();
    routes.forEach(route -> templates.add(route.method() + " " + route.template()));
    return templates;
  }
}
