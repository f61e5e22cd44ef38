package ai.flovyn.dispatch.store;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Holds one connection in {@code LISTEN} on the work channel and turns every notification (from any
 * server instance on the database) into a {@link WorkSignal}. It checks the connection
 * periodically, reconnects by itself and then emits {@link WorkSignal#ANY}, because notifications
 * sent while it was away are lost.
 */
public final class NotificationListener implements AutoCloseable {
  /** How often the connection is checked when the caller does not say. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(15);

  /** How long a check may take before the connection counts as lost, when not said. */
  public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
  private static final String CHECK = "SELECT 1";
  // a half-open socket may never answer the Terminate message either: do not wait on it for good
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Sinks.Many<WorkSignal> sink = Sinks.many().multicast().directBestEffort();
  private final Duration checkInterval;
  private final Duration checkTimeout;
  // the checks' timers get a thread of their own, never a Netty event loop or a shared scheduler
  private final Scheduler checks = Schedulers.newSingle("dispatch-listener-check", true);
  private final AtomicLong connections = new AtomicLong();
  private final AtomicBoolean connected = new AtomicBoolean();
  // connections taken and not yet closed: a stop waits for them, so that the database may stop
  // right after without cutting a connection this listener still holds
  private final AtomicInteger held = new AtomicInteger();
  private final Sinks.Empty<Void> released = Sinks.empty();
  private volatile boolean stopping;
  private final Sinks.Empty<Void> firstListen = Sinks.empty();
  private final Disposable subscription;

  private NotificationListener(
      ConnectionFactory factory, Duration checkInterval, Duration checkTimeout) {
    this.checkInterval = checkInterval;
    this.checkTimeout = checkTimeout;
    this.subscription =
        Flux.usingWhen(
                Mono.from(factory.create()).doOnNext(connection -> held.incrementAndGet()),
                this::listen,
                connection -> release(close(connection)),
                (connection, error) -> release(discard(connection)),
                connection -> release(close(connection)))
            .doFinally(signal -> connected.set(false))
            .doOnError(error -> log.warn("work listener lost its connection: {}", error.toString()))
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                    .maxBackoff(Duration.ofSeconds(5))
                    .transientErrors(true))
            .repeat()
            .subscribe(
                signal -> sink.tryEmitNext(signal),
                error -> log.error("work listener stopped", error));
  }

  /** Starts listening on a connection of its own taken from {@code connections}. */
  public static NotificationListener start(ConnectionFactory connections) {
    return start(connections, DEFAULT_CHECK_INTERVAL, DEFAULT_CHECK_TIMEOUT);
  }

  /**
   * Starts listening on a connection of its own taken from {@code connections}, running a {@code
   * SELECT 1} on it every {@code checkInterval}; one that takes longer than {@code checkTimeout} (a
   * half-open connection answers nothing) closes the connection and opens another.
   */
  public static NotificationListener start(
      ConnectionFactory connections, Duration checkInterval, Duration checkTimeout) {
    return new NotificationListener(connections, checkInterval, checkTimeout);
  }

  /** Every signal, hot: subscribers see what arrives after they subscribe. */
  public Flux<WorkSignal> signals() {
    return sink.asFlux();
  }

  /** Completes once the connection is in LISTEN for the first time (notifications now arrive). */
  public Mono<Void> firstListening() {
    return firstListen.asMono();
  }

  /** Whether the connection is in LISTEN now (false while it is lost and being replaced). */
  public boolean connected() {
    return connected.get();
  }

  /** How many times a lost connection was replaced by a new one in LISTEN. */
  public long reconnects() {
    return Math.max(0, connections.get() - 1);
  }

  private Flux<WorkSignal> listen(Connection connection) {
    PostgresqlConnection postgres = unwrap(connection);
    return execute(postgres, "LISTEN " + Notifier.CHANNEL)
        .doOnSuccess(ignored -> listening())
        .thenMany(Flux.just(WorkSignal.ANY).concatWith(notifications(postgres)))
        .mergeWith(checks(postgres));
  }

  private void listening() {
    connected.set(true);
    firstListen.tryEmitEmpty();
    if (connections.incrementAndGet() > 1) {
      log.info("work listener reconnected; every waiting poll checks its queue once");
    }
  }

  private static Flux<WorkSignal> notifications(PostgresqlConnection postgres) {
    return postgres
        .getNotifications()
        .map(notification -> WorkSignal.parse(String.valueOf(notification.getParameter())))
        .filter(Objects::nonNull);
  }

  /** Never emits; errors when a check does not answer within the timeout. */
  private Flux<WorkSignal> checks(PostgresqlConnection postgres) {
    return Flux.interval(checkInterval, checks)
        .onBackpressureDrop()
        .concatMap(tick -> check(postgres))
        .thenMany(Flux.empty());
  }

  private Mono<Void> check(PostgresqlConnection postgres) {
    return execute(postgres, CHECK)
        .timeout(
            checkTimeout,
            Mono.error(
                () ->
                    new IllegalStateException(
                        "the LISTEN connection did not answer a check within " + checkTimeout)),
            checks);
  }

  private static Mono<Void> execute(PostgresqlConnection postgres, String sql) {
    return postgres
        .createStatement(sql)
        .execute()
        .flatMap(result -> result.getRowsUpdated())
        .then();
  }

  /**
   * Closes the physical connection before handing back {@code connection}: when it came from a
   * pool, the pool then sees it closed and drops it instead of lending out a dead socket.
   */
  private static Mono<Void> discard(Connection connection) {
    Object physical = innermost(connection);
    return physical == connection || !(physical instanceof Connection inner)
        ? close(connection)
        : close(inner).then(close(connection));
  }

  private static Mono<Void> close(Connection connection) {
    return Mono.from(connection.close())
        .timeout(CLOSE_TIMEOUT)
        .onErrorResume(
            error -> {
              log.warn("work listener could not close its old connection: {}", error.toString());
              return Mono.empty();
            });
  }

  private static Object innermost(Connection connection) {
    Object current = connection;
    while (!(current instanceof PostgresqlConnection) && current instanceof Wrapped<?> wrapped) {
      current = wrapped.unwrap();
    }
    return current;
  }

  private static PostgresqlConnection unwrap(Connection connection) {
    if (innermost(connection) instanceof PostgresqlConnection postgres) {
      return postgres;
    }
    throw new IllegalStateException(
        "LISTEN needs an r2dbc-postgresql connection, got " + connection.getClass().getName());
  }

  private Mono<Void> release(Mono<Void> closing) {
    return closing.doFinally(
        signal -> {
          if (held.decrementAndGet() == 0 && stopping) {
            released.tryEmitEmpty();
          }
        });
  }

  /**
   * Stops listening and closes the connection: completes once it is closed (at most the close
   * timeout), so that whoever stops the database next does not cut it; never errors.
   *
   * @return a Mono completing empty once the connection is closed
   */
  public Mono<Void> closeGracefully() {
    return Mono.defer(
        () -> {
          stopping = true;
          subscription.dispose();
          checks.dispose();
          sink.tryEmitComplete();
          if (held.get() == 0) {
            released.tryEmitEmpty();
          }
          return released.asMono().timeout(CLOSE_TIMEOUT, Mono.empty());
        });
  }

  /** {@link #closeGracefully()}, waiting for it; not from a Reactor thread. */
  @Override
  public void close() {
    closeGracefully().block();
  }
}
