package ai.flovyn.dispatch.query;

/**
 * A parsed FQL query: a condition (or none) and an order. Compiles to a SQL condition whose every
 * value is a placeholder.
 */
public final class FqlQuery {
  private static final FqlQuery NONE = new FqlQuery(null, null, true);

  private final FqlNode condition;
  private final FqlField order;
  private final boolean descending;

  FqlQuery(FqlNode condition, FqlField order, boolean descending) {
    this.condition = condition;
    this.order = order;
    this.descending = descending;
  }

  /**
   * The query that matches everything, newest first.
   *
   * @return the empty query
   */
  public static FqlQuery none() {
    return NONE;
  }

  /**
   * Whether there is a condition.
   *
   * @return false for a query with none (only ORDER BY, or empty)
   */
  public boolean hasCondition() {
    return condition != null;
  }

  /**
   * The condition as SQL over the entity's table, unqualified column names.
   *
   * @param binds where the query's values are added; the SQL refers to them by placeholder
   * @return the condition in parentheses, or {@code TRUE} when there is none
   */
  public String where(SqlBinds binds) {
    return condition == null ? "TRUE" : "(" + condition.sql(binds) + ")";
  }

  /**
   * Whether the order is the lists' own, newest first ({@code createdAt DESC, id DESC}): the only
   * one keyset cursors page through.
   *
   * @return true without ORDER BY, or with {@code ORDER BY createdAt DESC}
   */
  public boolean defaultOrder() {
    return order == null || (order.column().equals("created_at") && descending);
  }

  /**
   * The ORDER BY field's name, for messages.
   *
   * @return the field as FQL names it, or {@code createdAt} without ORDER BY
   */
  public String orderField() {
    return order == null ? "createdAt" : order.name();
  }

  /**
   * The SQL order: the field (NULLs last), then the id in the same direction, so the order is
   * total.
   *
   * @return an ORDER BY list without the keywords, e.g. {@code created_at DESC, id DESC}
   */
  public String orderBy() {
    if (order == null) {
      return "created_at DESC, id DESC";
    }
    String direction = descending ? "DESC" : "ASC";
    String nulls = order.nullable() ? " NULLS LAST" : "";
    if (order.column().equals("id")) {
      return "id " + direction;
    }
    return order.column() + " " + direction + nulls + ", id " + direction;
  }
}
