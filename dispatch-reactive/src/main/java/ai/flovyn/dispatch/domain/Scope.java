package ai.flovyn.dispatch.domain;

import java.util.Objects;

/**
 * Whose objects a call may see: one tenant's, or every tenant's (the operator's view, used when
 * authentication is off and by trusted tooling). Every library call that addresses a workflow,
 * task, promise or worker by id takes one, so an embedder gets the same isolation as a gRPC caller:
 * an object of another tenant is reported exactly as one that does not exist.
 */
public final class Scope {
  private static final Scope UNRESTRICTED = new Scope(null);

  private final String tenantId;

  private Scope(String tenantId) {
    this.tenantId = tenantId;
  }

  /**
   * The objects of {@code tenantId} only.
   *
   * @param tenantId the tenant whose objects are visible; must not be null
   * @return a scope that sees {@code tenantId}'s objects and reports every other one as not found
   * @throws NullPointerException when {@code tenantId} is null
   */
  public static Scope tenant(String tenantId) {
    return new Scope(Objects.requireNonNull(tenantId, "tenantId"));
  }

  /**
   * Every tenant's objects: for operators and single-tenant deployments without authentication.
   *
   * @return the one scope that sees every tenant's objects
   */
  public static Scope unrestricted() {
    return UNRESTRICTED;
  }

  /**
   * The tenant this scope is limited to, or null when it is unrestricted.
   *
   * @return the tenant, or null for {@link #unrestricted()}
   */
  public String tenantId() {
    return tenantId;
  }

  /**
   * Whether an object of {@code objectTenantId} is visible in this scope.
   *
   * @param objectTenantId the tenant the object belongs to
   * @return true when this scope is unrestricted or limited to {@code objectTenantId}
   */
  public boolean sees(String objectTenantId) {
    return tenantId == null || tenantId.equals(objectTenantId);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Scope that && Objects.equals(tenantId, that.tenantId);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(tenantId);
  }

  @Override
  public String toString() {
    return tenantId == null ? "Scope[unrestricted]" : "Scope[tenant=" + tenantId + "]";
  }
}
