package ai.flovyn.dispatch.support;

/** Text that goes into PostgreSQL text columns, which cannot hold NUL characters. */
public final class Texts {
  private Texts() {}

  /** At most {@code max} UTF-16 units of {@code value}, never splitting a surrogate pair. */
  public static String truncate(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
    return value.substring(0, end);
  }

  /** {@code value} with every NUL replaced by U+FFFD, for text stored as given but lossy. */
  public static String withoutNul(String value) {
    return value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
  }

  /**
   * Failure text from user code (an exception's message or stack trace) as it is stored: at most
   * {@link Limits#MAX_TEXT} characters, NUL replaced. The SDK never resends a failure, so such text
   * is kept cut rather than refused.
   */
  public static String failureText(String value) {
    return value == null ? null : withoutNul(truncate(value, Limits.MAX_TEXT));
  }

  /** A value of at most 255 characters without NUL (may be empty); else INVALID_ARGUMENT. */
  public static String field(String where, String value) {
    return value.isEmpty() ? value : Limits.optionalName(where, value);
  }

  /** A non-empty name of at most 255 characters without NUL; else INVALID_ARGUMENT. */
  public static String name(String where, String value) {
    return Limits.requireName(where, value);
  }
}
