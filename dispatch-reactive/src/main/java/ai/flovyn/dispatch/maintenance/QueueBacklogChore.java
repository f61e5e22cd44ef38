package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.time.Duration;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Refreshes the backlog gauges (depth and oldest age of every queue with PENDING work) from one
 * statement every 15 s, so that a scrape reads memory and never the tables. The statement reads the
 * partial indexes of PENDING rows: its cost follows the backlog, not the tables' size.
 */
final class QueueBacklogChore implements Chore {
  /** How often the gauges are refreshed (at most the sweep interval, which caps every sleep). */
  static final Duration REFRESH = Duration.ofSeconds(15);

  // series per (kind, tenant, queue): the deepest queues are shown, the rest are not
  private static final int MAX_QUEUES = 500;

  private final Transactor transactor;
  private final DispatchMetrics metrics;

  QueueBacklogChore(Transactor transactor, DispatchMetrics metrics) {
    this.transactor = transactor;
    this.metrics = metrics;
  }

  @Override
  public String name() {
    return "queue_backlog";
  }

  /** Emits 0: a refresh handles no items, and a full batch would make the service run again. */
  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return transactor
        .autocommit(tx -> tx.lists().queueBacklog(MAX_QUEUES).collectList())
        .doOnNext(metrics::queueBacklog)
        .thenReturn(0);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return Mono.just(now.plus(REFRESH));
  }
}
