package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies database failures once, by SQLSTATE, into the domain's error kinds. Messages never
 * carry SQL text: the cause stays attached for the log.
 */
public final class StoreErrors {
  private StoreErrors() {}

  /** Maps any failure from the store to a {@link DispatchException}. */
  public static DispatchException classify(Throwable error) {
    if (error instanceof DispatchException dispatch) {
      return dispatch;
    }
    if (error instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
      return bySqlState(r2dbc.getSqlState(), r2dbc);
    }
    if (error instanceof R2dbcTimeoutException || error instanceof TimeoutException) {
      return DispatchException.unavailable("the database did not answer in time; retry", error);
    }
    if (error instanceof R2dbcTransientResourceException
        || error instanceof R2dbcNonTransientResourceException
        || error instanceof IOException
        || isConnectionFailure(error)) {
      return DispatchException.unavailable("the database is unavailable; retry", error);
    }
    return DispatchException.internal("unexpected store failure", error);
  }

  /** Whether the failure means "retry the same transaction" (serialization failure, deadlock). */
  public static boolean isRetryable(Throwable error) {
    return error instanceof DispatchException dispatch && dispatch.kind() == ErrorKind.ABORTED;
  }

  private static DispatchException bySqlState(String state, R2dbcException error) {
    return switch (state) {
      // serialization_failure, deadlock_detected
      case "40001", "40P01" ->
          DispatchException.aborted("a concurrent change conflicted; retry", error);
      // lock_not_available, query_canceled (statement timeout)
      case "55P03", "57014" ->
          DispatchException.aborted("the database gave up waiting for a lock; retry", error);
      // too_many_connections, admin/crash shutdown, cannot_connect_now
      case "53300", "57P01", "57P02", "57P03" ->
          DispatchException.unavailable("the database is unavailable; retry", error);
      default -> byClass(state, error);
    };
  }

  private static DispatchException byClass(String state, R2dbcException error) {
    // class 08: connection exception; class 53: insufficient resources
    if (state.startsWith("08") || state.startsWith("53")) {
      return DispatchException.unavailable("the database is unavailable; retry", error);
    }
    return DispatchException.internal("database error " + state, error);
  }

  private static boolean isConnectionFailure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException
          || cause instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
    }
    return false;
  }
}
