package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;

/** Text that goes into PostgreSQL text columns, which cannot hold NUL characters. */
final class Texts {
  private Texts() {}

  /** At most {@code max} UTF-16 units of {@code value}, never splitting a surrogate pair. */
  static String truncate(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
    return value.substring(0, end);
  }

  /** {@code value} with every NUL replaced by U+FFFD, for text stored as given but lossy. */
  static String withoutNul(String value) {
    return value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
  }

  /** A value of at most 255 characters without NUL (may be empty); else INVALID_ARGUMENT. */
  static String field(String where, String value) {
    if (value.length() > Limits.MAX_NAME) {
      throw DispatchException.invalidArgument(
          where + " must be at most " + Limits.MAX_NAME + " characters, got " + value.length());
    }
    requireNoNul(where, value);
    return value;
  }

  /** A non-empty name of at most 255 characters without NUL; else INVALID_ARGUMENT. */
  static String name(String where, String value) {
    Limits.requireName(where, value);
    requireNoNul(where, value);
    return value;
  }

  private static void requireNoNul(String where, String value) {
    if (value.indexOf('\0') >= 0) {
      throw DispatchException.invalidArgument(where + " must not contain NUL characters");
    }
  }
}
