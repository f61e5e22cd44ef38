package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Small helpers to run one parameterised statement on a connection. */
final class Sql {
  private Sql() {}

  /** A typed SQL NULL for a bind position. */
  record Null(Class<?> type) {}

  static final Null NULL_TEXT = new Null(String.class);
  static final Null NULL_LONG = new Null(Long.class);
  static final Null NULL_UUID = new Null(java.util.UUID.class);

  /** The rows of a query, each mapped by {@code mapper}. */
  static <T> Flux<T> query(
      Connection connection, String sql, Function<Readable, T> mapper, Object... args) {
    return Flux.from(bind(connection.createStatement(sql), args).execute())
        .concatMap(result -> result.map(mapper));
  }

  /** The rows of a call of {@code function}, each mapped by {@code mapper}. */
  static <T> Flux<T> call(
      Connection connection, SqlFunction function, Function<Readable, T> mapper, Object... args) {
    return query(connection, function.select(), mapper, function.bind(args));
  }

  /** The number of rows a statement changed. */
  static Mono<Long> update(Connection connection, String sql, Object... args) {
    return Flux.from(bind(connection.createStatement(sql), args).execute())
        .concatMap(Result::getRowsUpdated)
        .reduce(0L, Long::sum);
  }

  static Statement bind(Statement statement, Object... args) {
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      if (arg == null) {
        throw new IllegalArgumentException("untyped null at bind position " + i);
      }
      if (arg instanceof Null typed) {
        statement.bindNull(i, typed.type());
      } else {
        statement.bind(i, arg);
      }
    }
    return statement;
  }

  /**
   * The predicate that limits a statement to the tenant bound at {@code position} (1-based), or to
   * none when that parameter is NULL (an unrestricted caller): another tenant's row is then simply
   * not found by the same statement, with no extra round trip.
   */
  static String tenantIs(String column, int position) {
    return " AND ($" + position + "::varchar IS NULL OR " + column + " = $" + position + ")";
  }

  /** A nullable text value for binding. */
  static Object text(String value) {
    return value == null ? NULL_TEXT : value;
  }

  /** A nullable bigint value for binding. */
  static Object bigint(Long value) {
    return value == null ? NULL_LONG : value;
  }

  /** A nullable uuid value for binding. */
  static Object uuid(java.util.UUID value) {
    return value == null ? NULL_UUID : value;
  }

  /** One column of {@code rows} as an array parameter, for statements over {@code unnest}. */
  static <R, T> T[] column(List<R> rows, Function<R, T> field, IntFunction<T[]> array) {
    return rows.stream().map(field).toArray(array);
  }

  /**
   * Bytes as base64 text: arrays of payloads travel as {@code text[]} and are decoded by {@code
   * decode(x, 'base64')} in SQL, one statement for any number of rows.
   */
  static String base64(byte[] bytes) {
    return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * A time selected as epoch milliseconds ({@code (extract(epoch FROM t) * 1000)::bigint}): the hot
   * paths read times this way, because decoding a {@code timestamptz} parses its text on every row.
   */
  static java.time.Instant millis(Readable row, String column) {
    Long value = row.get(column, Long.class);
    return value == null ? null : java.time.Instant.ofEpochMilli(value);
  }

  static byte[] bytes(Readable row, String column) {
    java.nio.ByteBuffer buffer = row.get(column, java.nio.ByteBuffer.class);
    if (buffer == null) {
      return new byte[0];
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
