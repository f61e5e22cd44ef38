package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Sends committed work announcements with {@code pg_notify}, outside the data transactions:
 * PostgreSQL serialises the commits of notifying transactions on one lock, held through the WAL
 * flush, so notifying inside them would cap commits at one per flush. Sending is naturally batched:
 * one statement at a time carries everything announced while the previous one ran.
 */
public final class Announcer {
  private static final Logger log = LoggerFactory.getLogger(Announcer.class);
  private static final String NOTIFY =
      "SELECT pg_notify('" + Notifier.CHANNEL + "', p) FROM unnest($1::text[]) AS p";

  private final ConnectionFactory connections;
  private final Queue<String> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();

  public Announcer(ConnectionFactory connections) {
    this.connections = connections;
  }

  /** Queues announcements for the next notify statement. */
  void announce(Collection<String> payloads) {
    if (payloads.isEmpty()) {
      return;
    }
    pending.addAll(payloads);
    drain();
  }

  private void drain() {
    while (!pending.isEmpty() && sending.compareAndSet(false, true)) {
      Set<String> batch = new LinkedHashSet<>();
      String next;
      while ((next = pending.poll()) != null) {
        batch.add(next);
      }
      if (batch.isEmpty()) {
        sending.set(false);
        continue;
      }
      send(batch)
          .doFinally(
              signal -> {
                sending.set(false);
                drain();
              })
          .subscribe(
              null, error -> log.warn("cannot send work announcements: {}", error.toString()));
      return;
    }
  }

  private Mono<Void> send(Set<String> batch) {
    return Mono.usingWhen(
        Mono.from(connections.create()),
        connection -> Sql.update(connection, NOTIFY, (Object) batch.toArray(String[]::new)).then(),
        Connection::close);
  }
}
