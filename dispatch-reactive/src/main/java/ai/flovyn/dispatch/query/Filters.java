package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Checks shared by the filters. */
final class Filters {
  static final int MAX_VALUES = 100;
  static final int MAX_NAME = 255;

  private Filters() {}

  /** An unmodifiable copy of {@code statuses}; null or empty for any (an empty set). */
  static <E extends Enum<E>> Set<E> statuses(Set<E> statuses) {
    return statuses == null || statuses.isEmpty()
        ? Set.of()
        : Collections.unmodifiableSet(EnumSet.copyOf(statuses));
  }

  /** A copy of {@code values} (null: none), each a bounded non-empty name. */
  static List<String> names(String parameter, List<String> values) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > MAX_VALUES) {
      throw DispatchException.invalidArgument(parameter + ": more than " + MAX_VALUES + " values");
    }
    for (String value : values) {
      if (value == null || value.isEmpty() || value.length() > MAX_NAME) {
        throw DispatchException.invalidArgument(
            parameter + ": each value must be 1 to " + MAX_NAME + " characters");
      }
    }
    return List.copyOf(values);
  }
}
