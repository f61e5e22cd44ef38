package ai.flovyn.dispatch.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's own counters for one database, read at the edges of a measured window: statements
 * and rows (pg_stat_statements, top-level statements, BEGIN and COMMIT included), WAL written
 * (pg_current_wal_lsn(), the whole instance) and each table's updates, HOT updates and dead tuples
 * (pg_stat_user_tables). One connection, opened once, so that reading costs one statement.
 *
 * <p>pg_stat_user_tables and pg_stat_wal lag: a busy backend publishes its counters at most once a
 * second (PostgreSQL 15), so a window's table figures may miss up to a second at either edge;
 * pg_stat_statements and the WAL position are current.
 */
final class PgStats implements AutoCloseable {
  // one statement, so that reading adds one call, which the text filter below leaves out
  private static final String STATEMENTS =
      "SELECT coalesce(sum(calls), 0), coalesce(sum(rows), 0),"
          + " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint FROM pg_stat_statements"
          + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
          + " AND query NOT LIKE '%pg_stat%'";
  private static final String WAL_ONLY =
      "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint";
  private static final String TABLES =
      "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_dead_tup, n_live_tup"
          + " FROM pg_stat_user_tables ORDER BY relname";

  private final Connection connection;
  private boolean statementsAvailable;

  /** A table's counters at one moment ({@code deadTuples} and {@code liveTuples} are levels). */
  record Table(
      long inserted,
      long updated,
      long hotUpdated,
      long deleted,
      long deadTuples,
      long liveTuples) {}

  /**
   * The counters at one moment.
   *
   * @param statements top-level statements run in the database, -1 without pg_stat_statements
   * @param rows rows those statements returned or changed, -1 without pg_stat_statements
   * @param walBytes the instance's WAL position in bytes
   */
  record Snapshot(long statements, long rows, long walBytes, Map<String, Table> tables) {}

  PgStats(String host, int port, String database, String user) throws SQLException {
    this.connection =
        DriverManager.getConnection(
            "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user);
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      statement.executeQuery(STATEMENTS).close();
      statementsAvailable = true;
    } catch (SQLException e) {
      // not in shared_preload_libraries (a shared instance): statements and rows are unknown
      statementsAvailable = false;
    }
  }

  /** Whether statements and rows are counted (pg_stat_statements is loaded). */
  boolean statementsAvailable() {
    return statementsAvailable;
  }

  Snapshot snapshot() {
    try (Statement statement = connection.createStatement()) {
      long statements = -1;
      long rows = -1;
      long wal;
      if (statementsAvailable) {
        try (ResultSet r = statement.executeQuery(STATEMENTS)) {
          r.next();
          statements = r.getLong(1);
          rows = r.getLong(2);
          wal = r.getLong(3);
        }
      } else {
        try (ResultSet r = statement.executeQuery(WAL_ONLY)) {
          r.next();
          wal = r.getLong(1);
        }
      }
      Map<String, Table> tables = new LinkedHashMap<>();
      try (ResultSet r = statement.executeQuery(TABLES)) {
        while (r.next()) {
          tables.put(
              r.getString(1),
              new Table(
                  r.getLong(2),
                  r.getLong(3),
                  r.getLong(4),
                  r.getLong(5),
                  r.getLong(6),
                  r.getLong(7)));
        }
      }
      return new Snapshot(statements, rows, wal, tables);
    } catch (SQLException e) {
      throw new IllegalStateException("reading PostgreSQL's statistics failed: " + e, e);
    }
  }

  /** What one window cost PostgreSQL per task, from the snapshots at its edges. */
  record Figures(
      double statementsPerTask,
      double rowsPerTask,
      double walBytesPerTask,
      List<TableFigures> tables) {

    /** Per task, between {@code opened} and {@code closed}; NaN for what was not counted. */
    static Figures between(Snapshot opened, Snapshot closed, long tasks) {
      double perTask = Math.max(1, tasks);
      List<TableFigures> tables = new ArrayList<>();
      closed
          .tables()
          .forEach(
              (name, after) -> {
                Table before = opened.tables().getOrDefault(name, new Table(0, 0, 0, 0, 0, 0));
                TableFigures t =
                    new TableFigures(
                        name,
                        after.inserted() - before.inserted(),
                        after.updated() - before.updated(),
                        after.hotUpdated() - before.hotUpdated(),
                        after.deleted() - before.deleted(),
                        after.deadTuples(),
                        after.liveTuples());
                if (t.inserted() != 0 || t.updated() != 0 || t.deleted() != 0) {
                  tables.add(t);
                }
              });
      boolean counted = opened.statements() >= 0 && closed.statements() >= 0;
      return new Figures(
          counted ? (closed.statements() - opened.statements()) / perTask : Double.NaN,
          counted ? (closed.rows() - opened.rows()) / perTask : Double.NaN,
          (closed.walBytes() - opened.walBytes()) / perTask,
          List.copyOf(tables));
    }
  }

  /**
   * One table's activity in a window: inserts, updates, HOT updates and deletes in it, dead and
   * live tuples at its end.
   */
  record TableFigures(
      String table,
      long inserted,
      long updated,
      long hotUpdated,
      long deleted,
      long deadTuples,
      long liveTuples) {

    /** HOT updates as a share of updates in percent; NaN without updates. */
    double hotPercent() {
      return updated > 0 ? 100.0 * hotUpdated / updated : Double.NaN;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
