package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.DispatchException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Checks, before a pipeline starts, that the database answers and carries the dispatch schema, and
 * warns when nothing would vacuum the tables the dispatch loop churns.
 */
public final class StartupCheck {
  private static final Logger log = LoggerFactory.getLogger(StartupCheck.class);

  // the tables every call touches; LIMIT 0 reads no row but fails when a table is missing
  private static final String CHECK =
      "SELECT 1 FROM workflow_executions, task_executions, workflow_events LIMIT 0";
  // undefined_table
  private static final String UNDEFINED_TABLE = "42P01";

  // autovacuum needs both settings; a table can also opt out with its own storage parameter
  private static final String VACUUM_SETTINGS =
      "SELECT current_setting('autovacuum') AS autovacuum,"
          + " current_setting('track_counts') AS track_counts,"
          + " (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c"
          + " WHERE c.oid IN ('task_executions'::regclass, 'workflow_executions'::regclass)"
          + " AND EXISTS (SELECT 1 FROM unnest(c.reloptions) o"
          + " WHERE lower(o) IN ('autovacuum_enabled=false', 'autovacuum_enabled=off',"
          + " 'autovacuum_enabled=f', 'autovacuum_enabled=no', 'autovacuum_enabled=0')))"
          + " AS disabled_tables";

  private static final String COST =
      "the dead row versions every task claim, task completion and workflow wake-up leaves in"
          + " task_executions, workflow_executions and their indexes are never reclaimed, so the"
          + " dispatch loop slows down as they pile up (measured: 544 to 210 tasks/s in five"
          + " minutes); ";

  private StartupCheck() {}

  /**
   * Completes when a connection from {@code connections} runs a query on the dispatch tables within
   * {@code timeout}; errors with UNAVAILABLE when the database cannot be reached (saying why: no
   * such database, wrong password, connection refused) and FAILED_PRECONDITION when the schema is
   * missing. Logs a warning for each reason autovacuum would not run on the churned tables; reading
   * those settings never fails the start.
   */
  public static Mono<Void> run(ConnectionFactory connections, Duration timeout) {
    return Mono.usingWhen(
            Mono.<Connection>from(connections.create()),
            connection ->
                Sql.update(connection, CHECK).then(Mono.defer(() -> vacuumWarnings(connection))),
            Connection::close)
        .timeout(timeout)
        .onErrorMap(StartupCheck::classify)
        .doOnNext(warnings -> warnings.forEach(log::warn))
        .then();
  }

  private static Mono<List<String>> vacuumWarnings(Connection connection) {
    return Sql.query(
            connection,
            VACUUM_SETTINGS,
            row ->
                warnings(
                    row.get("autovacuum", String.class),
                    row.get("track_counts", String.class),
                    row.get("disabled_tables", String.class)))
        .next()
        .doOnError(error -> log.debug("could not read the autovacuum settings", error))
        .onErrorReturn(List.of());
  }

  /**
   * The warnings for these settings as PostgreSQL reports them ({@code on}/{@code off}), and the
   * churned tables that disable autovacuum on their own (null for none).
   */
  static List<String> warnings(String autovacuum, String trackCounts, String disabledTables) {
    List<String> warnings = new ArrayList<>();
    if (!"on".equals(autovacuum)) {
      warnings.add(
          "PostgreSQL runs with autovacuum = "
              + autovacuum
              + ": "
              + COST
              + "set autovacuum = on, or run VACUUM on these tables every few minutes");
    }
    if (!"on".equals(trackCounts)) {
      warnings.add(
          "PostgreSQL runs with track_counts = "
              + trackCounts
              + ", so autovacuum cannot tell when a table needs vacuuming: "
              + COST
              + "set track_counts = on");
    }
    if (disabledTables != null) {
      warnings.add(
          "autovacuum is disabled on "
              + disabledTables
              + " (autovacuum_enabled = false): "
              + COST
              + "ALTER TABLE ... RESET (autovacuum_enabled)");
    }
    return warnings;
  }

  private static Throwable classify(Throwable error) {
    if (error instanceof R2dbcException r2dbc && UNDEFINED_TABLE.equals(r2dbc.getSqlState())) {
      return DispatchException.failedPrecondition(
          "the database has no dispatch schema: apply the migrations first"
              + " (DispatchDatabase.migrate() or ai.flovyn.dispatch.migrations.Migrations)");
    }
    return StoreErrors.classify(error);
  }
}
