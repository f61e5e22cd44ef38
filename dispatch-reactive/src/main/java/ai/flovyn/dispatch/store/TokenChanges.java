package ai.flovyn.dispatch.store;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Token changes announced on {@link TokenStore#CHANNEL}, from a connection of its own in {@code
 * LISTEN}. It does not check its connection like the work listener does: the token snapshot is
 * reloaded periodically anyway, so a silently lost connection only delays a change to that bound.
 */
public final class TokenChanges {
  private TokenChanges() {}

  /**
   * Emits the lookup id of each created or revoked token, and an empty string whenever the listen
   * connection (re)starts, because changes sent while it was away are lost; reconnects forever
   * until cancelled.
   */
  public static Flux<String> listen(ConnectionFactory connections) {
    return Flux.usingWhen(Mono.from(connections.create()), TokenChanges::listen, Connection::close)
        .retryWhen(
            Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(5))
                .transientErrors(true))
        .repeat();
  }

  private static Flux<String> listen(Connection connection) {
    PostgresqlConnection postgres = postgres(connection);
    return Flux.from(postgres.createStatement("LISTEN " + TokenStore.CHANNEL).execute())
        .flatMap(result -> result.getRowsUpdated())
        .thenMany(
            Flux.just("")
                .concatWith(
                    postgres
                        .getNotifications()
                        .map(notification -> String.valueOf(notification.getParameter()))));
  }

  private static PostgresqlConnection postgres(Connection connection) {
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
}
