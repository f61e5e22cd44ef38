package ai.flovyn.dispatch.domain;

/** Who an authenticated bearer token says is calling: its tenant, its role and its public id. */
public record Caller(String lookupId, String tenantId, TokenRole role) {
  /**
   * The objects this caller may see.
   *
   * @return the scope of the token's tenant: never unrestricted, whatever the role
   */
  public Scope scope() {
    return Scope.tenant(tenantId);
  }
}
