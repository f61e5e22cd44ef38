package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Classifies database failures once, by SQLSTATE, into the domain's error kinds. Messages never
 * carry SQL text: the cause stays attached for the log.
 *
 * <p>Failures often arrive wrapped: a rollback that fails on a closed connection reaches us as
 * Reactor's "Async resource cleanup failed after onError" with the database error as its cause and
 * the original error suppressed. So every failure is looked at whole: itself, its causes and its
 * suppressed exceptions. A sign that the database is unreachable anywhere wins (the transaction did
 * not commit, and the client should retry); otherwise the first recognised failure decides.
 */
public final class StoreErrors {
  /** How many exceptions of one failure's graph are looked at, at most. */
  private static final int MAX_VISITED = 32;

  private StoreErrors() {}

  /** Maps any failure from the store to a {@link DispatchException}. */
  public static DispatchException classify(Throwable error) {
    if (error instanceof DispatchException dispatch) {
      return dispatch;
    }
    DispatchException first = null;
    Iterable<Throwable> graph = graph(error);
    // the driver wraps a failed connect in a resource exception: say why it failed
    for (Throwable each : graph) {
      if (each instanceof java.net.ConnectException) {
        return DispatchException.unavailable(
            "cannot connect to the database (connection refused): check host and port; retry",
            error);
      }
      if (each instanceof java.net.UnknownHostException) {
        return DispatchException.unavailable(
            "cannot connect to the database (unknown host): check the host name", error);
      }
    }
    for (Throwable each : graph) {
      DispatchException known = recognise(each, error);
      if (known != null && known.kind() == ErrorKind.UNAVAILABLE) {
        return known;
      }
      if (first == null) {
        first = known;
      }
    }
    return first != null ? first : DispatchException.internal("unexpected store failure", error);
  }

  /**
   * Whether the failure is r2dbc-pool's "connection validation failed": the pool found the
   * connection it was about to hand out closed (a database restart) and evicted it.
   */
  public static boolean isStaleConnection(Throwable error) {
    return error instanceof R2dbcNonTransientResourceException resource
        && resource.getSqlState() == null
        && "Connection validation failed".equals(resource.getMessage());
  }

  /** Whether the failure means "retry the same transaction" (serialization failure, deadlock). */
  public static boolean isRetryable(Throwable error) {
    return error instanceof DispatchException dispatch && dispatch.kind() == ErrorKind.ABORTED;
  }

  /** The classification of one exception of the graph, or null when it says nothing. */
  private static DispatchException recognise(Throwable each, Throwable whole) {
    if (each instanceof DispatchException dispatch) {
      return dispatch;
    }
    if (each instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
      return bySqlState(r2dbc.getSqlState(), whole);
    }
    if (each instanceof R2dbcTimeoutException || each instanceof TimeoutException) {
      return DispatchException.unavailable("the database did not answer in time; retry", whole);
    }
    if (each instanceof R2dbcTransientResourceException
        || each instanceof R2dbcNonTransientResourceException
        || each instanceof IOException
        || each instanceof java.nio.channels.ClosedChannelException) {
      return DispatchException.unavailable("the database is unavailable; retry", whole);
    }
    return null;
  }

  private static DispatchException bySqlState(String state, Throwable error) {
    return switch (state) {
      // serialization_failure, deadlock_detected
      case "40001", "40P01" ->
          DispatchException.aborted("a concurrent change conflicted; retry", error);
      // lock_not_available (lock_timeout)
      case "55P03" ->
          DispatchException.aborted("the database gave up waiting for a lock; retry", error);
      // query_canceled (statement_timeout)
      case "57014" ->
          DispatchException.unavailable(
              "the database did not finish the statement in time; retry", error);
      // idle_in_transaction_session_timeout: the server closed the session
      case "25P03" ->
          DispatchException.unavailable("the database ended an idle transaction; retry", error);
      // invalid_catalog_name: the database named in the settings does not exist
      case "3D000" ->
          DispatchException.unavailable(
              "the database does not exist (3D000): check the database name in the settings",
              error);
      // invalid_password
      case "28P01" ->
          DispatchException.unavailable(
              "the database refused the password (28P01): check the credentials", error);
      // invalid_authorization_specification: no pg_hba.conf entry, unknown role
      case "28000" ->
          DispatchException.unavailable(
              "the database refused the connection (28000): check the user and pg_hba.conf", error);
      // too_many_connections, admin/crash shutdown, cannot_connect_now
      case "53300", "57P01", "57P02", "57P03" ->
          DispatchException.unavailable("the database is unavailable; retry", error);
      default -> byClass(state, error);
    };
  }

  private static DispatchException byClass(String state, Throwable error) {
    // class 08: connection exception; class 53: insufficient resources
    if (state.startsWith("08") || state.startsWith("53")) {
      return DispatchException.unavailable("the database is unavailable; retry", error);
    }
    return DispatchException.internal("database error " + state, error);
  }

  /** The failure, its causes and suppressed exceptions, breadth first, each once, bounded. */
  private static Iterable<Throwable> graph(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> pending = new ArrayDeque<>();
    java.util.List<Throwable> order = new java.util.ArrayList<>();
    pending.add(error);
    while (!pending.isEmpty() && order.size() < MAX_VISITED) {
      Throwable each = pending.poll();
      if (each == null || !seen.add(each)) {
        continue;
      }
      order.add(each);
      if (each.getCause() != null) {
        pending.add(each.getCause());
      }
      Collections.addAll(pending, each.getSuppressed());
    }
    return order;
  }
}
