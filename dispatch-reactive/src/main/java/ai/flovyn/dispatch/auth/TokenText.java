package ai.flovyn.dispatch.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The text of a bearer token, {@code fdt_<lookup id>_<secret>}: a recognisable prefix (so a leaked
 * token is easy to spot in logs and by secret scanners), a public 12-character id that finds the
 * row, and 43 random base62 characters (256 bits), of which only a SHA-256 hash is stored.
 */
final class TokenText {
  static final String PREFIX = "fdt_";
  static final int LOOKUP_LENGTH = 12;
  static final int SECRET_LENGTH = 43;
  static final int LENGTH = PREFIX.length() + LOOKUP_LENGTH + 1 + SECRET_LENGTH;

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenText() {}

  /** A fresh lookup id. */
  static String newLookupId() {
    return random(LOOKUP_LENGTH);
  }

  /** A fresh token text for {@code lookupId}. */
  static String newText(String lookupId) {
    return PREFIX + lookupId + "_" + random(SECRET_LENGTH);
  }

  /** The lookup id of a well-formed token text, or null when {@code text} is not one. */
  static String lookupId(String text) {
    if (text == null
        || text.length() != LENGTH
        || !text.startsWith(PREFIX)
        || text.charAt(PREFIX.length() + LOOKUP_LENGTH) != '_') {
      return null;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      if (i != PREFIX.length() + LOOKUP_LENGTH && BASE62.indexOf(text.charAt(i)) < 0) {
        return null;
      }
    }
    return text.substring(PREFIX.length(), PREFIX.length() + LOOKUP_LENGTH);
  }

  /** Whether {@code text} looks like a lookup id (what {@code tokens revoke} takes). */
  static boolean isLookupId(String text) {
    if (text == null || text.length() != LOOKUP_LENGTH) {
      return false;
    }
    return text.chars().allMatch(c -> BASE62.indexOf(c) >= 0);
  }

  /** SHA-256 of the whole text: the token is high-entropy random, so no slow hash is needed. */
  static byte[] hash(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Compares two hashes in time independent of where they differ. */
  static boolean matches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private static String random(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    }
    return text.toString();
  }
}
