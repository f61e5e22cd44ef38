package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;

/** Field limits shared by every request, with error messages that name the field. */
public final class Limits {
  public static final int MAX_NAME = 255;

  /** Promise ids are global: {@code <workflow uuid>:<name>}, so a name plus 37 characters. */
  static final int MAX_PROMISE_ID = 300;

  /** Free text such as errors, stack traces, reasons and progress details. */
  static final int MAX_TEXT = 32 * 1024;

  public static final int MAX_COMMANDS = 10_000;
  static final long DEFAULT_KEY_TTL_SECONDS = 24 * 3600L;
  static final long MAX_KEY_TTL_SECONDS = 30 * 24 * 3600L;
  static final long DAY_MS = 24 * 3600 * 1000L;

  /** A task attempt's timeout_ms: 1 ms to 30 days. */
  public static final long MAX_TASK_TIMEOUT_MS = 30 * DAY_MS;

  /** A timer's duration_ms and a promise's timeout_ms: at most 10 years. */
  public static final long MAX_TIMER_MS = 3650 * DAY_MS;

  public static final int MAX_RETRIES = 1000;

  /** priority_seconds moves an item ahead (or, negative, behind) by at most 10 years. */
  public static final int MAX_PRIORITY_SECONDS = 3650 * 24 * 3600;

  /** Entries of a metadata map. */
  static final int MAX_METADATA_ENTRIES = 64;

  private Limits() {}

  /** A required name: non-empty, at most 255 characters. */
  public static String requireName(String where, String value) {
    if (value == null || value.isEmpty()) {
      throw DispatchException.invalidArgument(where + " must not be empty");
    }
    return optionalName(where, value);
  }

  /** An optional name: null stays null; otherwise non-empty, at most 255 characters. */
  public static String optionalName(String where, String value) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty()) {
      throw DispatchException.invalidArgument(where + " must not be empty when set");
    }
    return bounded(where, value, MAX_NAME);
  }

  /** A required promise id: non-empty, at most 300 characters, no NUL. */
  public static String requirePromiseId(String where, String value) {
    if (value == null || value.isEmpty()) {
      throw DispatchException.invalidArgument(where + " must not be empty");
    }
    return bounded(where, value, MAX_PROMISE_ID);
  }

  /** Free text (errors, reasons, details): null or empty allowed, at most 32 KiB, no NUL. */
  public static String text(String where, String value) {
    return value == null ? null : bounded(where, value, MAX_TEXT);
  }

  /** A metadata map: at most 64 entries, names for keys and free text for values. */
  public static java.util.Map<String, String> metadata(
      String where, java.util.Map<String, String> map) {
    if (map == null) {
      return null;
    }
    if (map.size() > MAX_METADATA_ENTRIES) {
      throw DispatchException.invalidArgument(
          where + " must have at most " + MAX_METADATA_ENTRIES + " entries, got " + map.size());
    }
    map.forEach(
        (key, value) -> {
          requireName(where + " key", key);
          text(where + " value", value);
        });
    return map;
  }

  /**
   * A number within [min, max] (a null stays null): the range every numeric field documents.
   *
   * @throws DispatchException INVALID_ARGUMENT naming the field and the range
   */
  public static Long range(String where, Long value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      throw DispatchException.invalidArgument(
          where + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** {@link #range(String, Long, long, long)} for int fields. */
  public static Integer range(String where, Integer value, long min, long max) {
    range(where, value == null ? null : value.longValue(), min, max);
    return value;
  }

  // PostgreSQL text cannot hold NUL (SQLSTATE 22021): reject it here, naming the field.
  private static String bounded(String where, String value, int max) {
    if (value.length() > max) {
      throw DispatchException.invalidArgument(
          where + " must be at most " + max + " characters, got " + value.length());
    }
    int nul = value.indexOf('\u0000');
    if (nul >= 0) {
      throw DispatchException.invalidArgument(
          where + " must not contain a NUL character (at index " + nul + ")");
    }
    return value;
  }

  /** A value as it may be echoed in a message: at most 64 characters. */
  public static String shown(String value) {
    if (value == null) {
      return "";
    }
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }

  /** An idempotency key's time to live: default one day, at most 30 days. */
  public static long keyTtl(String where, Long ttlSeconds) {
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
  public static String traceparent(String value) {
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
