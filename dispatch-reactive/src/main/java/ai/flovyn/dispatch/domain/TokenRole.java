package ai.flovyn.dispatch.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * What a bearer token may do: a worker token every flovyn.v1 RPC in its tenant (the worker loops
 * and the SDK's client API, docs/sdk-compatibility.md A4); an admin token the same, and token
 * management once that has RPCs (today tokens are managed from the command line only).
 */
public enum TokenRole {
  /** Every flovyn.v1 RPC within the token's tenant. */
  WORKER,
  /** What a worker token may do, and token management once it has RPCs. */
  ADMIN;

  /**
   * The name as stored and typed on the command line: {@code worker} or {@code admin}.
   *
   * @return the lower-case name, as {@link #parse(String)} reads it
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role named {@code text} ({@code worker} or {@code admin}), or empty.
   *
   * @param text the exact lower-case name; null or any other text is no role
   * @return the role, or empty when {@code text} names none
   */
  public static Optional<TokenRole> parse(String text) {
    for (TokenRole role : values()) {
      if (role.wireName().equals(text)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
