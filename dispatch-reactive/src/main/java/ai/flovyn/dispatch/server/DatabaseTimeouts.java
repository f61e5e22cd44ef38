package ai.flovyn.dispatch.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Time limits PostgreSQL enforces on the service's connections, sent as startup parameters; zero
 * turns a limit off.
 *
 * @param statement {@code statement_timeout}: the longest one statement may run
 * @param lock {@code lock_timeout}: the longest a statement waits for a lock
 * @param idleInTransaction {@code idle_in_transaction_session_timeout}: the longest a connection
 *     may sit idle inside an open transaction before the server ends its session
 */
public record DatabaseTimeouts(Duration statement, Duration lock, Duration idleInTransaction) {
  /** The defaults: 30 s per statement, 10 s per lock wait, 60 s idle in a transaction. */
  public static final DatabaseTimeouts DEFAULTS =
      new DatabaseTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60));

  /** The startup parameters for the pooled connections, in milliseconds. */
  Map<String, String> pooled() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("statement_timeout", Long.toString(statement.toMillis()));
    options.put("lock_timeout", Long.toString(lock.toMillis()));
    options.put("idle_in_transaction_session_timeout", Long.toString(idleInTransaction.toMillis()));
    return options;
  }

  /**
   * The startup parameters for the LISTEN connection: no statement timeout, so that nothing but a
   * broken connection ends it (it runs only instant LISTEN statements and never opens a
   * transaction, but a server-wide default must not reach it either).
   */
  Map<String, String> listening() {
    Map<String, String> options = pooled();
    options.put("statement_timeout", "0");
    options.put("idle_in_transaction_session_timeout", "0");
    return options;
  }
}
