package ai.flovyn.dispatch.pipeline;

import ai.flovyn.dispatch.domain.DispatchException;

/** Field limits shared by every request, with error messages that name the field. */
final class Limits {
  static final int MAX_NAME = 255;
  static final int MAX_COMMANDS = 10_000;
  static final long DEFAULT_KEY_TTL_SECONDS = 24 * 3600L;
  static final long MAX_KEY_TTL_SECONDS = 30 * 24 * 3600L;

  private Limits() {}

  /** A required name: non-empty, at most 255 characters. */
  static String requireName(String where, String value) {
    if (value == null || value.isEmpty()) {
      throw DispatchException.invalidArgument(where + " must not be empty");
    }
    return optionalName(where, value);
  }

  /** An optional name: null stays null; otherwise non-empty, at most 255 characters. */
  static String optionalName(String where, String value) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty()) {
      throw DispatchException.invalidArgument(where + " must not be empty when set");
    }
    if (value.length() > MAX_NAME) {
      throw DispatchException.invalidArgument(
          where + " must be at most " + MAX_NAME + " characters, got " + value.length());
    }
    return value;
  }

  /** A value as it may be echoed in a message: at most 64 characters. */
  static String shown(String value) {
    if (value == null) {
      return "";
    }
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }

  /** An idempotency key's time to live: default one day, at most 30 days. */
  static long keyTtl(String where, Long ttlSeconds) {
    if (ttlSeconds == null) {
      return DEFAULT_KEY_TTL_SECONDS;
    }
    if (ttlSeconds <= 0 || ttlSeconds > MAX_KEY_TTL_SECONDS) {
      throw DispatchException.invalidArgument(
          where + " must be between 1 and " + MAX_KEY_TTL_SECONDS + " seconds, got " + ttlSeconds);
    }
    return ttlSeconds;
  }

  /**
   * The W3C traceparent if well-formed ({@code 00-<32 hex>-<16 hex>-<2 hex>}), else null: a
   * malformed trace context is dropped, as the W3C spec asks.
   */
  static String traceparent(String value) {
    if (value == null || value.length() != 55) {
      return null;
    }
    for (int i = 0; i < 55; i++) {
      char c = value.charAt(i);
      boolean dash = i == 2 || i == 35 || i == 52;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return null;
      }
    }
    return value;
  }
}
