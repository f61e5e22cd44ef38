package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A bearer token as the operator sees it: everything but the secret, which is never kept.
 *
 * @param lookupId the public part of the token text, shown in lists and audit lines
 * @param revokedAt when it was revoked, or null while it is active
 */
public record AccessToken(
    UUID id,
    String lookupId,
    String tenantId,
    TokenRole role,
    String name,
    Instant createdAt,
    Instant revokedAt) {

  /**
   * Whether the token still authenticates.
   *
   * @return true while {@code revokedAt} is null
   */
  public boolean active() {
    return revokedAt == null;
  }
}
