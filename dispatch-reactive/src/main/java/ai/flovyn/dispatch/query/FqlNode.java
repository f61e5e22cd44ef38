package ai.flovyn.dispatch.query;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** A parsed FQL condition, compiled to SQL with every value a placeholder. */
sealed interface FqlNode {
  /** The condition as SQL, its values added to {@code binds}. */
  String sql(SqlBinds binds);

  /** Every operand true. */
  record And(List<FqlNode> operands) implements FqlNode {
    @Override
    public String sql(SqlBinds binds) {
      return operands.stream()
          .map(operand -> operand.sql(binds))
          .collect(Collectors.joining(" AND ", "(", ")"));
    }
  }

  /** Some operand true. */
  record Or(List<FqlNode> operands) implements FqlNode {
    @Override
    public String sql(SqlBinds binds) {
      return operands.stream()
          .map(operand -> operand.sql(binds))
          .collect(Collectors.joining(" OR ", "(", ")"));
    }
  }

  /** The operand false. */
  record Not(FqlNode operand) implements FqlNode {
    @Override
    public String sql(SqlBinds binds) {
      return "(NOT " + operand.sql(binds) + ")";
    }
  }

  /**
   * One comparison of a field.
   *
   * @param field the field
   * @param op {@code = != > >= < <= ~ !~ IN NOT_IN IS_NULL IS_NOT_NULL}
   * @param values the typed values (String, UUID, Long, Instant): one, a list for IN, none for IS
   */
  record Compare(FqlField field, String op, List<Object> values) implements FqlNode {
    @Override
    public String sql(SqlBinds binds) {
      String column = field.sql(binds);
      return switch (op) {
        case "IS_NULL" -> column + " IS NULL";
        case "IS_NOT_NULL" -> column + " IS NOT NULL";
        case "=", ">", ">=", "<", "<=" -> column + " " + op + " " + value(binds, values.get(0));
        // NULL is not equal to a value: != keeps rows without one, as a reader expects
        case "!=" ->
            column
                + (field.nullable() ? " IS DISTINCT FROM " : " <> ")
                + value(binds, values.get(0));
        case "~" -> field.textSql(binds) + " ILIKE " + binds.add(contains(values.get(0)));
        case "!~" ->
            orNull(
                column, field.textSql(binds) + " NOT ILIKE " + binds.add(contains(values.get(0))));
        case "IN" -> column + " IN " + list(binds);
        case "NOT_IN" -> orNull(column, column + " NOT IN " + list(binds));
        default -> throw new IllegalStateException("operator " + op);
      };
    }

    private String orNull(String column, String condition) {
      return field.nullable() ? "(" + column + " IS NULL OR " + condition + ")" : condition;
    }

    private String list(SqlBinds binds) {
      return values.stream()
          .map(value -> value(binds, value))
          .collect(Collectors.joining(", ", "(", ")"));
    }

    private static String value(SqlBinds binds, Object value) {
      if (value instanceof Instant instant) {
        return binds.time(instant);
      }
      if (value instanceof UUID || value instanceof Long || value instanceof String) {
        return binds.add(value);
      }
      throw new IllegalStateException("value of type " + value.getClass());
    }

    // ILIKE's own wildcards in the text are matched literally (backslash is ILIKE's escape)
    static String contains(Object value) {
      String text = value.toString();
      return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
  }
}
