package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.DispatchException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import java.time.Duration;
import reactor.core.publisher.Mono;

/** Checks, before a pipeline starts, that the database answers and carries the dispatch schema. */
public final class StartupCheck {
  // the tables every call touches; LIMIT 0 reads no row but fails when a table is missing
  private static final String CHECK =
      "SELECT 1 FROM workflow_executions, task_executions, workflow_events LIMIT 0";
  // undefined_table
  private static final String UNDEFINED_TABLE = "42P01";

  private StartupCheck() {}

  /**
   * Completes when a connection from {@code connections} runs a query on the dispatch tables within
   * {@code timeout}; errors with UNAVAILABLE when the database cannot be reached (saying why: no
   * such database, wrong password, connection refused) and FAILED_PRECONDITION when the schema is
   * missing.
   */
  public static Mono<Void> run(ConnectionFactory connections, Duration timeout) {
    return Mono.usingWhen(
            Mono.<Connection>from(connections.create()),
            connection -> Sql.update(connection, CHECK).then(),
            Connection::close)
        .timeout(timeout)
        .onErrorMap(StartupCheck::classify);
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
