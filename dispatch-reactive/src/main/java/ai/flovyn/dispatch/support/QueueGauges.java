package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.store.QueueBacklog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The backlog gauges, {@code dispatch_queue_depth} and {@code dispatch_queue_oldest_age_seconds} by
 * kind, tenant and queue, set from the last refresh: a queue that emptied loses its series, so that
 * the number of series follows the queues with work waiting, not every queue ever seen. The age
 * grows between refreshes as the time since the refresh passes, so that an alert on it does not
 * wait for the next refresh to see a stuck queue grow older.
 */
final class QueueGauges {
  private final MeterRegistry registry;
  private final LongSupplier nanos;
  private final Map<Tags, Backlog> shown = new HashMap<>();

  /** One queue's values, which its two gauges read. */
  private static final class Backlog {
    private volatile long depth;
    private volatile double ageAtRefresh;
    private volatile long refreshedAtNanos;
    private Gauge depthGauge;
    private Gauge ageGauge;
  }

  QueueGauges(MeterRegistry registry, LongSupplier nanos) {
    this.registry = registry;
    this.nanos = nanos;
  }

  /** Shows {@code rows} and removes the series of every queue not among them. */
  synchronized void refresh(List<QueueBacklog> rows) {
    long now = nanos.getAsLong();
    Map<Tags, Backlog> previous = new HashMap<>(shown);
    shown.clear();
    for (QueueBacklog row : rows) {
      Tags tags = Tags.of("kind", row.kind(), "tenant_id", row.tenantId(), "queue", row.queue());
      Backlog backlog = previous.remove(tags);
      if (backlog == null) {
        backlog = register(tags);
      }
      backlog.depth = row.depth();
      backlog.ageAtRefresh = row.oldestAgeSeconds();
      backlog.refreshedAtNanos = now;
      shown.put(tags, backlog);
    }
    for (Backlog gone : previous.values()) {
      registry.remove(gone.depthGauge);
      registry.remove(gone.ageGauge);
    }
  }

  private Backlog register(Tags tags) {
    Backlog backlog = new Backlog();
    backlog.depthGauge =
        Gauge.builder("dispatch_queue_depth", backlog, b -> b.depth)
            .description("PENDING items by kind, tenant and queue, at the last refresh")
            .tags(tags)
            .strongReference(true)
            .register(registry);
    backlog.ageGauge =
        Gauge.builder("dispatch_queue_oldest_age_seconds", backlog, this::age)
            .description("how long the oldest claimable PENDING item has waited for a poll")
            .tags(tags)
            .strongReference(true)
            .register(registry);
    return backlog;
  }

  private double age(Backlog backlog) {
    // a queue whose PENDING items all wait for a backoff has nothing claimable: it does not age
    if (backlog.ageAtRefresh <= 0) {
      return 0;
    }
    long since = nanos.getAsLong() - backlog.refreshedAtNanos;
    return backlog.ageAtRefresh + (double) since / TimeUnit.SECONDS.toNanos(1);
  }
}
