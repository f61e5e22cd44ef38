package ai.flovyn.dispatch.query;

/**
 * One field FQL may name, and the column it stands for.
 *
 * @param name the field's name in FQL (camelCase)
 * @param column the column (for metadata: {@code metadata}, the key bound separately)
 * @param type how its values are read and compared
 * @param nullable whether the column may be NULL ({@code !=} and {@code NOT IN} then keep NULLs)
 * @param metadataKey the key of a {@code metadata.<key>} field, else null
 */
record FqlField(String name, String column, Type type, boolean nullable, String metadataKey) {
  /** How a field's values are written and compared. */
  enum Type {
    UUID,
    TEXT,
    STATUS,
    INTEGER,
    TIME
  }

  static FqlField of(String name, String column, Type type, boolean nullable) {
    return new FqlField(name, column, type, nullable, null);
  }

  static FqlField metadata(String key) {
    return new FqlField(FqlEntity.METADATA + key, "metadata", Type.TEXT, true, key);
  }

  /** The SQL expression of the field; a metadata key is bound, never written into the SQL. */
  String sql(SqlBinds binds) {
    if (metadataKey != null) {
      return "(metadata ->> " + binds.add(metadataKey) + "::text)";
    }
    return column;
  }

  /** The expression as text, for contains ({@code ~}). */
  String textSql(SqlBinds binds) {
    return type == Type.UUID ? column + "::text" : sql(binds);
  }
}
