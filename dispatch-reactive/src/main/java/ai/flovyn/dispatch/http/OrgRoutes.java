package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** Who the caller is ({@code GET /api/whoami}) and the organization a path names. */
final class OrgRoutes {
  private OrgRoutes() {}

  static List<Route> routes(ApiContext context) {
    Orgs orgs = context.orgs();
    return List.of(
        Route.get("/api/whoami", "whoami", request -> whoami(request, orgs)),
        Route.get(ApiRoutes.ORG, "getOrg", request -> org(request, orgs)));
  }

  /**
   * The token's tenant, its slug and the token's role; with authentication off, {@code
   * authentication: "off"} and no tenant (the console then asks which organization to open).
   */
  private static Mono<ApiResponse> whoami(ApiRequest request, Orgs orgs) {
    ObjectNode body = ApiJson.object();
    if (request.caller() == null) {
      body.put("authentication", "off");
      body.putNull("orgId");
      body.putNull("orgSlug");
      body.putNull("role");
      return ApiResponse.ok(body);
    }
    body.put("authentication", "required");
    body.put("orgId", request.caller().tenantId());
    return orgs.slugOf(request.caller().tenantId())
        .flatMap(
            slug -> {
              putSlug(body, "orgSlug", slug);
              body.put("role", request.caller().role().wireName());
              body.put("tokenId", request.caller().lookupId());
              return ApiResponse.ok(body);
            });
  }

  /** The tenant the path names (by slug or id) and its slug, null when it has none. */
  private static Mono<ApiResponse> org(ApiRequest request, Orgs orgs) {
    return orgs.slugOf(request.tenantId())
        .flatMap(
            slug -> {
              ObjectNode body = ApiJson.object();
              body.put("id", request.tenantId());
              putSlug(body, "slug", slug);
              return ApiResponse.ok(body);
            });
  }

  private static void putSlug(ObjectNode body, String field, Optional<String> slug) {
    if (slug.isPresent()) {
      body.put(field, slug.get());
    } else {
      body.putNull(field);
    }
  }
}
