package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.List;
import java.util.UUID;

/** Checks of agent requests: each failure is INVALID_ARGUMENT naming the field. */
final class AgentArguments {
  static final int MAX_NAME = 255;
  static final int MAX_TEXT = 32 * 1024;
  static final int MAX_IDS = 1000;
  static final int MAX_RETRIES = 1000;
  static final long MAX_TIMEOUT_MS = 30L * 24 * 3600 * 1000;

  private AgentArguments() {}

  static <T> T present(String field, T value) {
    if (value == null) {
      throw DispatchException.invalidArgument(field + " must be set");
    }
    return value;
  }

  /** A non-empty name of at most 255 characters without NUL. */
  static String name(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw DispatchException.invalidArgument(field + " must not be empty");
    }
    return bounded(field, value, MAX_NAME);
  }

  /** Null, or a name; empty counts as absent. */
  static String optionalName(String field, String value) {
    return value == null || value.isEmpty() ? null : name(field, value);
  }

  /** Null, or a text of at most {@code max} characters without NUL. */
  static String text(String field, String value, int max) {
    return value == null ? null : bounded(field, value, max);
  }

  static byte[] bytes(String field, byte[] value, int max) {
    present(field, value);
    if (value.length > max) {
      throw DispatchException.invalidArgument(
          field + " must be at most " + max + " bytes, got " + value.length);
    }
    return value;
  }

  static <T> List<T> ids(String field, List<T> ids) {
    present(field, ids);
    if (ids.size() > MAX_IDS) {
      throw DispatchException.invalidArgument(
          field + " must have at most " + MAX_IDS + " entries, got " + ids.size());
    }
    for (int i = 0; i < ids.size(); i++) {
      present(field + "[" + i + "]", ids.get(i));
    }
    return ids;
  }

  static Integer range(String field, Integer value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      throw DispatchException.invalidArgument(
          field + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  static Long range(String field, Long value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      throw DispatchException.invalidArgument(
          field + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** A UUID in canonical text; INVALID_ARGUMENT naming the field otherwise. */
  static UUID uuid(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw DispatchException.invalidArgument(field + " must not be empty");
    }
    UUID parsed = parseUuid(value);
    if (parsed == null) {
      throw DispatchException.invalidArgument(field + " must be a UUID");
    }
    return parsed;
  }

  /** The UUID of a 36-character canonical text (any letter case), else null. */
  static UUID parseUuid(String value) {
    if (value == null || value.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String bounded(String field, String value, int max) {
    if (value.length() > max) {
      throw DispatchException.invalidArgument(
          field + " must be at most " + max + " characters, got " + value.length());
    }
    if (value.indexOf('\0') >= 0) {
      throw DispatchException.invalidArgument(field + " must not contain NUL characters");
    }
    return value;
  }
}
