package ai.flovyn.dispatch.query;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The bind values of one statement under construction: each value a client gave is added here and
 * referred to by its placeholder ({@code $1}, {@code $2}, …), never written into the SQL text.
 */
public final class SqlBinds {
  private final List<Object> values = new ArrayList<>();

  /** An empty list: the first value added is {@code $1}. */
  public SqlBinds() {}

  /**
   * Adds a value to bind.
   *
   * @param value a String, UUID, Long or Integer; must not be null
   * @return its placeholder, e.g. {@code $3}
   * @throws NullPointerException when {@code value} is null
   */
  public String add(Object value) {
    values.add(java.util.Objects.requireNonNull(value, "value"));
    return "$" + values.size();
  }

  /**
   * Adds an instant, bound as RFC 3339 text and cast in SQL (exact to the microsecond).
   *
   * @param instant the instant; must not be null
   * @return its placeholder with the cast, e.g. {@code $3::timestamptz}
   */
  public String time(Instant instant) {
    return add(DateTimeFormatter.ISO_INSTANT.format(instant)) + "::timestamptz";
  }

  /**
   * The values added so far, in placeholder order.
   *
   * @return an unmodifiable copy
   */
  public List<Object> values() {
    return List.copyOf(values);
  }
}
