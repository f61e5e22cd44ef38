package ai.flovyn.dispatch.auth;

import ai.flovyn.dispatch.domain.Caller;
import ai.flovyn.dispatch.domain.TokenRole;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * API keys and organization slugs fixed when the server starts, as a Flovyn server config file
 * lists them ({@code [auth.static_api_key]} keys, {@code [[orgs]]}): held in memory only, never
 * written to the database, so they live exactly as long as the process and the file that named
 * them. A key is any text agreed with the clients, not a {@code fdt_} token; only its SHA-256 hash
 * is kept, so a key is found by hashing what a call sent, in time that does not depend on how much
 * of it matches.
 */
public final class StaticKeys {
  private static final StaticKeys NONE = new StaticKeys(Map.of(), Map.of());
  private static final String PRINCIPAL_PREFIX = "config:";

  /**
   * One key: its text, the tenant its calls act in, its role and the name audit lines show.
   *
   * @param text the key as clients send it after {@code Bearer }
   * @param tenantId the tenant (organization id) the key's calls act in
   * @param role what the key may do
   * @param principal who the key stands for (Flovyn's {@code principal_id}), shown as the caller's
   *     token id with the prefix {@code config:}
   */
  public record Key(String text, String tenantId, TokenRole role, String principal) {
    /** Checks that no part is null. */
    public Key {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(tenantId, "tenantId");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(principal, "principal");
    }

    /** Everything but the key's text, which must never reach a log. */
    @Override
    public String toString() {
      return "Key[tenantId=" + tenantId + ", role=" + role + ", principal=" + principal + "]";
    }
  }

  private final Map<String, Caller> byHash;
  private final Map<String, String> tenantBySlug;

  private StaticKeys(Map<String, Caller> byHash, Map<String, String> tenantBySlug) {
    this.byHash = byHash;
    this.tenantBySlug = tenantBySlug;
  }

  /**
   * No keys and no slugs: what a server without a config file has.
   *
   * @return the empty set
   */
  public static StaticKeys none() {
    return NONE;
  }

  /**
   * Keys and slugs; the caller has checked them (distinct keys, each tenant known).
   *
   * @param tenantBySlug each organization's slug and the tenant it names
   * @param keys the API keys
   * @return the set, holding only the keys' hashes
   * @throws IllegalArgumentException when two keys have the same text
   */
  public static StaticKeys of(Map<String, String> tenantBySlug, List<Key> keys) {
    Map<String, Caller> byHash = new HashMap<>();
    for (Key key : keys) {
      Caller caller = new Caller(PRINCIPAL_PREFIX + key.principal(), key.tenantId(), key.role());
      if (byHash.putIfAbsent(hex(TokenText.hash(key.text())), caller) != null) {
        throw new IllegalArgumentException("two keys have the same text");
      }
    }
    return new StaticKeys(Map.copyOf(byHash), Map.copyOf(tenantBySlug));
  }

  /**
   * How many keys there are.
   *
   * @return the number of keys
   */
  public int keyCount() {
    return byHash.size();
  }

  /**
   * The organization slugs, each with the tenant it names.
   *
   * @return an unmodifiable map from slug to tenant id
   */
  public Map<String, String> tenantBySlug() {
    return tenantBySlug;
  }

  /** The caller of the key whose SHA-256 hash is {@code hash}, or empty. */
  Optional<Caller> find(byte[] hash) {
    return byHash.isEmpty() ? Optional.empty() : Optional.ofNullable(byHash.get(hex(hash)));
  }

  private static String hex(byte[] hash) {
    return HexFormat.of().formatHex(hash);
  }
}
