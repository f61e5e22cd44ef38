package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Who the caller is ({@code GET /api/whoami}) and the organization a path names. */
final class OrgRoutes {
  private OrgRoutes() {}

  static List<Route> routes(ApiContext context) {
    return List.of(
        Route.get("/api/whoami", "whoami", OrgRoutes::whoami),
        Route.get(ApiRoutes.ORG, "getOrg", OrgRoutes::org));
  }

  /**
   * The token's tenant and role; with authentication off, {@code authentication: "off"} and no
   * tenant (the console then asks which organization to open).
   */
  private static reactor.core.publisher.Mono<ApiResponse> whoami(ApiRequest request) {
    ObjectNode body = ApiJson.object();
    if (request.caller() == null) {
      body.put("authentication", "off");
      body.putNull("orgId");
      body.putNull("role");
    } else {
      body.put("authentication", "required");
      body.put("orgId", request.caller().tenantId());
      body.put("role", request.caller().role().wireName());
      body.put("tokenId", request.caller().lookupId());
    }
    return ApiResponse.ok(body);
  }

  private static reactor.core.publisher.Mono<ApiResponse> org(ApiRequest request) {
    ObjectNode body = ApiJson.object();
    body.put("id", request.tenantId());
    body.put("slug", request.path("org"));
    return ApiResponse.ok(body);
  }
}
