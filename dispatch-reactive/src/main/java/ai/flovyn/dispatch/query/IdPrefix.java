package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.Locale;
import java.util.UUID;

/**
 * The start of an id, as an operator types it from a shortened id: a range of UUIDs, so that the
 * primary key's index serves the search (PostgreSQL orders UUIDs by their bytes, as their hex
 * reads).
 *
 * @param hex the prefix's hex digits, lower case, without hyphens (4 to 32 of them)
 */
public record IdPrefix(String hex) {
  /** The fewest hex digits a prefix must have. */
  public static final int MIN_DIGITS = 4;

  /**
   * Checks the digits.
   *
   * @param hex 4 to 32 lower-case hex digits
   * @throws DispatchException INVALID_ARGUMENT ({@code idPrefix: …}) otherwise
   */
  public IdPrefix {
    if (hex == null
        || hex.length() < MIN_DIGITS
        || hex.length() > 32
        || !hex.matches("[0-9a-f]+")) {
      throw DispatchException.invalidArgument(
          "idPrefix: must be " + MIN_DIGITS + " to 32 hex digits");
    }
  }

  /**
   * Reads a prefix as written: hex digits, any case, hyphens where a UUID has them ignored.
   *
   * @param text the prefix; must not be null
   * @return the prefix
   * @throws DispatchException INVALID_ARGUMENT ({@code idPrefix: …}) for anything else
   */
  public static IdPrefix parse(String text) {
    return new IdPrefix(text.trim().replace("-", "").toLowerCase(Locale.ROOT));
  }

  /**
   * The smallest id with this prefix.
   *
   * @return the prefix followed by zeros
   */
  public UUID low() {
    return uuid(hex + "0".repeat(32 - hex.length()));
  }

  /**
   * The largest id with this prefix.
   *
   * @return the prefix followed by {@code f}s
   */
  public UUID high() {
    return uuid(hex + "f".repeat(32 - hex.length()));
  }

  private static UUID uuid(String digits) {
    return new UUID(
        Long.parseUnsignedLong(digits.substring(0, 16), 16),
        Long.parseUnsignedLong(digits.substring(16), 16));
  }
}
