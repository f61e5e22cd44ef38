package ai.flovyn.dispatch.store;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Holds one connection in {@code LISTEN} on the work channel and turns every notification (from any
 * server instance on the database) into a {@link WorkSignal}. It reconnects by itself and then
 * emits {@link WorkSignal#ANY}, because notifications sent while it was away are lost.
 */
public final class NotificationListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);

  private final Sinks.Many<WorkSignal> sink = Sinks.many().multicast().directBestEffort();
  private final Disposable subscription;

  private NotificationListener(ConnectionFactory connections) {
    this.subscription =
        Flux.usingWhen(Mono.from(connections.create()), this::listen, Connection::close)
            .doOnError(error -> log.warn("work listener lost its connection: {}", error.toString()))
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                    .maxBackoff(Duration.ofSeconds(5)))
            .repeat()
            .subscribe(signal -> sink.tryEmitNext(signal));
  }

  /** Starts listening on a connection of its own taken from {@code connections}. */
  public static NotificationListener start(ConnectionFactory connections) {
    return new NotificationListener(connections);
  }

  /** Every signal, hot: subscribers see what arrives after they subscribe. */
  public Flux<WorkSignal> signals() {
    return sink.asFlux();
  }

  private Flux<WorkSignal> listen(Connection connection) {
    PostgresqlConnection postgres = unwrap(connection);
    return postgres
        .createStatement("LISTEN " + Notifier.CHANNEL)
        .execute()
        .flatMap(result -> result.getRowsUpdated())
        .thenMany(
            Flux.just(WorkSignal.ANY)
                .concatWith(
                    postgres
                        .getNotifications()
                        .map(
                            notification ->
                                WorkSignal.parse(String.valueOf(notification.getParameter())))
                        .filter(Objects::nonNull)));
  }

  private static PostgresqlConnection unwrap(Connection connection) {
    Object current = connection;
    while (!(current instanceof PostgresqlConnection) && current instanceof Wrapped<?> wrapped) {
      current = wrapped.unwrap();
    }
    if (current instanceof PostgresqlConnection postgres) {
      return postgres;
    }
    throw new IllegalStateException(
        "LISTEN needs an r2dbc-postgresql connection, got " + connection.getClass().getName());
  }

  @Override
  public void close() {
    subscription.dispose();
    sink.tryEmitComplete();
  }
}
