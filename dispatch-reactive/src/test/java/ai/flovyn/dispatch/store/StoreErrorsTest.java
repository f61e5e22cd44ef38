package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/** The SQLSTATE → error kind mapping, one case per code, and failures that arrive wrapped. */
class StoreErrorsTest {

  @ParameterizedTest(name = "{0} ({2}) is {1}")
  @CsvSource({
    "40001, ABORTED, serialization_failure",
    "40P01, ABORTED, deadlock_detected",
    "55P03, ABORTED, lock_not_available (lock_timeout)",
    "57014, UNAVAILABLE, query_canceled (statement_timeout)",
    "25P03, UNAVAILABLE, idle_in_transaction_session_timeout",
    "53300, UNAVAILABLE, too_many_connections",
    "53100, UNAVAILABLE, disk_full",
    "57P01, UNAVAILABLE, admin_shutdown",
    "57P02, UNAVAILABLE, crash_shutdown",
    "57P03, UNAVAILABLE, cannot_connect_now",
    "3D000, UNAVAILABLE, invalid_catalog_name (no such database)",
    "28P01, UNAVAILABLE, invalid_password",
    "28000, UNAVAILABLE, invalid_authorization_specification",
    "08000, UNAVAILABLE, connection_exception",
    "08001, UNAVAILABLE, sqlclient_unable_to_establish_sqlconnection",
    "08006, UNAVAILABLE, connection_failure",
    "22021, INTERNAL, character_not_in_repertoire",
    "22003, INTERNAL, numeric_value_out_of_range",
    "23505, INTERNAL, unique_violation",
    "42601, INTERNAL, syntax_error",
  })
  void sqlStateMapsToKind(String state, ErrorKind kind, String name) {
    assertEquals(kind, StoreErrors.classify(new R2dbcBadGrammarException(name, state)).kind());
  }

  @Test
  void missingDatabaseSaysSoWithoutTheServerMessage() {
    DispatchException error =
        StoreErrors.classify(
            new R2dbcNonTransientResourceException("database \"nope\" does not exist", "3D000"));
    assertEquals(ErrorKind.UNAVAILABLE, error.kind());
    assertEquals(
        "the database does not exist (3D000): check the database name in the settings",
        error.getMessage());
  }

  @Test
  void wrongPasswordSaysSo() {
    DispatchException error =
        StoreErrors.classify(
            new R2dbcNonTransientResourceException("password authentication failed", "28P01"));
    assertEquals(ErrorKind.UNAVAILABLE, error.kind());
    assertTrue(error.getMessage().contains("password"), error.getMessage());
  }

  @Test
  void refusedConnectionSaysSo() {
    DispatchException error =
        StoreErrors.classify(
            new R2dbcNonTransientResourceException(
                "Cannot connect", new ConnectException("Connection refused")));
    assertEquals(ErrorKind.UNAVAILABLE, error.kind());
    assertTrue(error.getMessage().contains("connection refused"), error.getMessage());
  }

  @Test
  void internalErrorsNameOnlyTheSqlStateNeverTheServerMessage() {
    DispatchException error =
        StoreErrors.classify(new R2dbcDataIntegrityViolationException("secret SQL text", "23505"));
    assertEquals("database error 23505", error.getMessage());
  }

  @Test
  void rollbackFailingOnAClosedConnectionIsUnavailable() {
    // the shape Reactor gives it: "Async resource cleanup failed after onError" with the rollback's
    // error as the cause and the original error suppressed
    Throwable wrapped =
        Mono.usingWhen(
                Mono.just("connection"),
                connection -> Mono.error(new R2dbcBadGrammarException("boom", "42601")),
                connection -> Mono.empty(),
                (connection, error) ->
                    Mono.error(
                        new R2dbcNonTransientResourceException("connection closed", "08006")),
                connection -> Mono.empty())
            .materialize()
            .block(Duration.ofSeconds(5))
            .getThrowable();
    assertTrue(wrapped.getMessage().contains("cleanup"), wrapped.getMessage());
    assertEquals(ErrorKind.UNAVAILABLE, StoreErrors.classify(wrapped).kind());
  }

  @Test
  void connectionLossInASuppressedExceptionIsUnavailable() {
    IllegalStateException outer = new IllegalStateException("something else failed");
    outer.addSuppressed(new R2dbcNonTransientResourceException("terminating", "57P01"));
    assertEquals(ErrorKind.UNAVAILABLE, StoreErrors.classify(outer).kind());
  }

  @Test
  void sqlStateDeepInTheCauseChainDecides() {
    Throwable wrapped =
        new RuntimeException(
            "outer", new IllegalStateException("middle", new R2dbcRollbackException("x", "40001")));
    assertEquals(ErrorKind.ABORTED, StoreErrors.classify(wrapped).kind());
  }

  @Test
  void networkFailuresAreUnavailable() {
    assertEquals(
        ErrorKind.UNAVAILABLE,
        StoreErrors.classify(new RuntimeException(new ConnectException("refused"))).kind());
    assertEquals(ErrorKind.UNAVAILABLE, StoreErrors.classify(new ClosedChannelException()).kind());
    assertEquals(ErrorKind.UNAVAILABLE, StoreErrors.classify(new IOException("reset")).kind());
    assertEquals(
        ErrorKind.UNAVAILABLE, StoreErrors.classify(new R2dbcTransientResourceException()).kind());
    assertEquals(
        ErrorKind.UNAVAILABLE, StoreErrors.classify(new R2dbcTimeoutException("slow")).kind());
    assertEquals(ErrorKind.UNAVAILABLE, StoreErrors.classify(new TimeoutException()).kind());
  }

  @Test
  void dispatchExceptionsPassThroughUnchanged() {
    DispatchException notFound = DispatchException.notFound("gone");
    assertSame(notFound, StoreErrors.classify(notFound));
    assertSame(notFound, StoreErrors.classify(new RuntimeException(notFound)));
  }

  @Test
  void unknownFailuresAreInternalAndCyclesEnd() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    a.addSuppressed(b);
    assertEquals(ErrorKind.INTERNAL, StoreErrors.classify(a).kind());
  }

  @Test
  void onlyThePoolsFailedValidationCountsAsAStaleConnection() {
    assertTrue(
        StoreErrors.isStaleConnection(
            new R2dbcNonTransientResourceException("Connection validation failed")));
    assertEquals(
        false,
        StoreErrors.isStaleConnection(
            new R2dbcNonTransientResourceException("Connection refused", "08001")));
    assertEquals(false, StoreErrors.isStaleConnection(new ConnectException("refused")));
  }

  @Test
  void onlyAbortedIsRetried() {
    assertTrue(
        StoreErrors.isRetryable(StoreErrors.classify(new R2dbcRollbackException("x", "40P01"))));
    assertEquals(
        false,
        StoreErrors.isRetryable(
            StoreErrors.classify(new R2dbcBadGrammarException("timeout", "57014"))));
  }
}
