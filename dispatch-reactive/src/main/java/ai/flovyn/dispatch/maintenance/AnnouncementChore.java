package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * Tells pollers of the queues where a retried task or a released workflow became visible since the
 * last run (the first run announces all that are visible, e.g. after a restart). Visibility is
 * decided by the database's clock, as the claims read it, so this chore ignores the services'
 * clock: a test clock moved ahead could otherwise announce a row before it can be claimed.
 */
final class AnnouncementChore implements Chore {
  private final Transactor transactor;
  // the database's time of the last run: what became visible after it is new
  private final AtomicReference<Instant> since = new AtomicReference<>(Instant.EPOCH);

  AnnouncementChore(Transactor transactor) {
    this.transactor = transactor;
  }

  @Override
  public String name() {
    return "announcements";
  }

  /**
   * Announces every queue with something newly visible; emits 0, so it never runs again at once.
   */
  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return transactor
        .inTransaction(
            tx ->
                tx.sweeps()
                    .databaseNow()
                    .flatMap(
                        databaseNow ->
                            tx.sweeps()
                                .visibleSince(since.get())
                                .map(WorkSignal::payload)
                                .collect(Collectors.toCollection(LinkedHashSet::new))
                                .flatMap(payloads -> tx.notifier().notify((Set<String>) payloads))
                                .thenReturn(databaseNow)))
        .doOnNext(since::set)
        .thenReturn(0);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return transactor
        .autocommit(tx -> tx.sweeps().nextVisible(since.get()))
        .map(delay -> now.plus(delay));
  }
}
