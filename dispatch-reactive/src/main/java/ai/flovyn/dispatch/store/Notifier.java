package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.Collection;
import reactor.core.publisher.Mono;

/**
 * Announces new work on the {@value #CHANNEL} channel. PostgreSQL delivers a notification only when
 * the transaction commits, so a poller is never woken for work it cannot see yet.
 */
public final class Notifier {
  /** The LISTEN/NOTIFY channel every server instance listens on. */
  public static final String CHANNEL = "dispatch_work";

  private static final String NOTIFY =
      "SELECT pg_notify('" + CHANNEL + "', p) FROM unnest($1::text[]) AS p";

  private final Connection connection;

  Notifier(Connection connection) {
    this.connection = connection;
  }

  /** Queues one notification per payload (see {@link WorkSignal#payload}). */
  public Mono<Void> notify(Collection<String> payloads) {
    return payloads.isEmpty()
        ? Mono.empty()
        : Sql.update(connection, NOTIFY, (Object) payloads.toArray(String[]::new)).then();
  }
}
