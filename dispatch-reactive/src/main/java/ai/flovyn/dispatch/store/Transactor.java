package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The one way the pipeline reaches the database: it hands over a unit of work on a {@link Tx} and
 * never sees a connection. Transactions commit on success and roll back on error and on cancel;
 * failures come out classified by {@link StoreErrors}.
 */
public final class Transactor {
  private static final int RETRIES = 3;

  /** More than any pool holds: each retry evicts one stale connection. */
  private static final int STALE_RETRIES = 256;

  private final ConnectionFactory connections;
  private final Announcer announcer;

  /** A transactor whose units of work announce new work through {@code announcer} on commit. */
  public Transactor(ConnectionFactory connections, Announcer announcer) {
    this.connections = connections;
    this.announcer = announcer;
  }

  /**
   * Runs {@code work} in one transaction and emits its value after the commit. A serialization
   * failure or deadlock reruns the whole unit (at most {@value #RETRIES} times); other failures
   * roll back and error with a classified {@link ai.flovyn.dispatch.domain.DispatchException}.
   */
  public <T> Mono<T> inTransaction(Function<Tx, Mono<T>> work) {
    return Mono.usingWhen(
            connection(), connection -> transaction(connection, work, announcer), Connection::close)
        .onErrorMap(error -> !(error instanceof Rollback), StoreErrors::classify)
        .retryWhen(conflicts());
  }

  /**
   * Runs one statement's worth of work in autocommit mode (no BEGIN/COMMIT round trips): for work
   * that is atomic as a single statement, such as a claim. Failures come out classified.
   */
  public <T> Mono<T> autocommit(Function<Tx, Mono<T>> work) {
    return Mono.usingWhen(
            connection(), connection -> work.apply(new Tx(connection)), Connection::close)
        .onErrorMap(StoreErrors::classify);
  }

  /**
   * Runs {@code work} in autocommit mode, each statement its own transaction (no BEGIN/COMMIT round
   * trips), then sends its announcements and emits its value. For units whose writes are single
   * statements that either commit whole or write nothing, so that rerunning the unit after any of
   * them failed redoes nothing: a serialization failure or deadlock reruns it like {@link
   * #inTransaction} (at most {@value #RETRIES} times); failures come out classified.
   */
  public <T> Mono<T> inStatements(Function<Tx, Mono<T>> work) {
    return Mono.usingWhen(
            connection(),
            connection -> {
              Tx tx = new Tx(connection);
              return work.apply(tx)
                  .doOnSuccess(value -> announcer.announce(tx.notifier().payloads()));
            },
            Connection::close)
        .onErrorMap(StoreErrors::classify)
        .retryWhen(conflicts());
  }

  // serialization failures and deadlocks rerun the unit; the last failure comes out as it was
  private static Retry conflicts() {
    return Retry.backoff(RETRIES, Duration.ofMillis(10))
        .filter(StoreErrors::isRetryable)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }

  /** Runs a read on one connection in autocommit mode; failures come out classified. */
  public <T> Flux<T> read(Function<Tx, Flux<T>> work) {
    return Flux.usingWhen(
            connection(), connection -> work.apply(new Tx(connection)), Connection::close)
        .onErrorMap(StoreErrors::classify);
  }

  /**
   * A connection from the factory. A pool (r2dbc-pool) checks each connection it hands out and
   * evicts a closed one, but retries only once; after a database restart it may hold several closed
   * connections, so a failed check is retried here until a good one comes (each retry costs no
   * round trip), and the first call after recovery succeeds.
   */
  private Mono<Connection> connection() {
    return Mono.<Connection>from(connections.create())
        .retryWhen(Retry.max(STALE_RETRIES).filter(StoreErrors::isStaleConnection));
  }

  /**
   * Thrown by a unit of work to roll its transaction back on purpose; it reaches the caller as it
   * is, neither classified nor retried.
   */
  public static class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Rollback(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private static <T> Mono<T> transaction(
      Connection connection, Function<Tx, Mono<T>> work, Announcer announcer) {
    return Mono.usingWhen(
        Mono.from(connection.beginTransaction()).thenReturn(new Tx(connection)),
        work,
        tx ->
            Mono.from(connection.commitTransaction())
                .then(Mono.fromRunnable(() -> announcer.announce(tx.notifier().payloads()))),
        (tx, error) -> Mono.from(connection.rollbackTransaction()),
        tx -> Mono.from(connection.rollbackTransaction()));
  }
}
