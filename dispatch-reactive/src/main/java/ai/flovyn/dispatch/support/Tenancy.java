package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import reactor.core.publisher.Mono;

/**
 * Tenant isolation at the library boundary: a request that names a tenant must name the scope's own
 * (PERMISSION_DENIED otherwise, naming the field only), and an object of another tenant is treated
 * exactly like one that does not exist, by the statement that looks it up.
 */
public final class Tenancy {
  private Tenancy() {}

  /**
   * Completes empty when {@code scope} may act for {@code tenantId}; errors with PERMISSION_DENIED
   * naming {@code field} otherwise. An empty tenant is left to the request's own validation.
   */
  public static Mono<Void> own(Scope scope, String field, String tenantId) {
    return Mono.fromRunnable(() -> requireOwn(scope, field, tenantId));
  }

  /** Like {@link #own} but throws. */
  static void requireOwn(Scope scope, String field, String tenantId) {
    if (tenantId != null && !tenantId.isEmpty() && !scope.sees(tenantId)) {
      throw DispatchException.permissionDenied(field);
    }
  }

  /**
   * The tenant a call acts for: the scope's when it is limited to one, else the one the request
   * names (possibly empty, which the request's own validation refuses).
   */
  public static String of(Scope scope, String named) {
    return scope.tenantId() != null ? scope.tenantId() : named;
  }
}
