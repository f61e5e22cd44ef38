package ai.flovyn.dispatch.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One of the schema's functions (migrations' {@code functions/<name>.sql}) as the server calls it:
 * its name and its parameters in order, each with the SQL type the function declares and the Java
 * type bound to it. Each store declares the functions it calls as constants of this type, one place
 * per call; {@code FunctionSignaturesIT} compares every declaration with {@code pg_proc} (names,
 * types, order), and every call checks its bind values against the declaration, so that a parameter
 * added, removed or moved on either side fails a test rather than a call in production.
 */
final class SqlFunction {
  /** The SQL types the functions take, with the Java type the driver binds to each. */
  enum Type {
    TEXT("text", String.class),
    TEXT_ARRAY("text[]", String[].class),
    UUID("uuid", java.util.UUID.class),
    UUID_ARRAY("uuid[]", java.util.UUID[].class),
    INTEGER("integer", Integer.class),
    INTEGER_ARRAY("integer[]", Integer[].class),
    BIGINT("bigint", Long.class),
    BIGINT_ARRAY("bigint[]", Long[].class),
    DOUBLE("double precision", Double.class),
    BOOLEAN("boolean", Boolean.class),
    BOOLEAN_ARRAY("boolean[]", Boolean[].class),
    BYTEA("bytea", ByteBuffer.class);

    /** The name {@code format_type} gives it. */
    final String sql;

    final Class<?> java;

    Type(String sql, Class<?> java) {
      this.sql = sql;
      this.java = java;
    }
  }

  /** A parameter: its name in the function (p_*) and its type. */
  record Param(String name, Type type) {}

  private final String name;
  private final List<Param> params;
  private final String select;

  private SqlFunction(String name, List<Param> params) {
    this.name = name;
    this.params = List.copyOf(params);
    this.select =
        "SELECT * FROM "
            + name
            + IntStream.rangeClosed(1, params.size())
                .mapToObj(i -> "$" + i)
                .collect(Collectors.joining(", ", "(", ")"));
  }

  /** The function {@code name} taking {@code params} in this order. */
  static SqlFunction of(String name, Param... params) {
    return new SqlFunction(name, List.of(params));
  }

  static Param param(String name, Type type) {
    return new Param(name, type);
  }

  String name() {
    return name;
  }

  List<Param> params() {
    return params;
  }

  /**
   * Its argument list as {@code pg_get_function_identity_arguments} prints it: {@code p_a text, p_b
   * bigint[]}.
   */
  String identityArguments() {
    return params.stream()
        .map(param -> param.name() + " " + param.type().sql)
        .collect(Collectors.joining(", "));
  }

  /** The statement that calls it with every parameter bound: {@code SELECT * FROM f($1, …)}. */
  String select() {
    return select;
  }

  /**
   * A call inside a larger statement, {@code f(a, b)}, with SQL expressions for the arguments (one
   * per parameter, in order).
   */
  String call(String... arguments) {
    if (arguments.length != params.size()) {
      throw new IllegalArgumentException(
          name + " takes " + params.size() + " arguments, not " + arguments.length);
    }
    return name + "(" + String.join(", ", arguments) + ")";
  }

  /**
   * {@code values} as given, after checking that they are one per parameter, each of the Java type
   * bound to that parameter's SQL type (or a typed null of it).
   */
  Object[] bind(Object... values) {
    if (values.length != params.size()) {
      throw new IllegalArgumentException(
          name + " takes " + params.size() + " arguments, not " + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      Class<?> bound =
          values[i] instanceof Sql.Null typed
              ? typed.type()
              : values[i] == null ? null : values[i].getClass();
      Param param = params.get(i);
      if (bound == null || !param.type().java.isAssignableFrom(bound)) {
        throw new IllegalArgumentException(
            name
                + " parameter "
                + (i + 1)
                + " ("
                + param.name()
                + ") is "
                + param.type().sql
                + ", bound with "
                + (bound == null ? "an untyped null" : bound.getSimpleName()));
      }
    }
    return values;
  }

  @Override
  public String toString() {
    return name + "(" + identityArguments() + ")";
  }
}
