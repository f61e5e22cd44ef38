package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.List;

/** Checks shared by the filters. */
final class Filters {
  static final int MAX_VALUES = 100;
  static final int MAX_NAME = 255;

  private Filters() {}

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
