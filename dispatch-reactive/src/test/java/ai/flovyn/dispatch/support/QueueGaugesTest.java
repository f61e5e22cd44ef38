package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.flovyn.dispatch.store.QueueBacklog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The backlog gauges follow the last refresh: queues come and go, ages grow between refreshes. */
class QueueGaugesTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();
  private final QueueGauges gauges = new QueueGauges(registry, nanos::get);

  @Test
  void aQueueThatEmptiesLosesItsSeries() {
    gauges.refresh(
        List.of(
            new QueueBacklog("task", "acme", "email", 12, 30.0),
            new QueueBacklog("workflow", "acme", "checkout", 3, 0.0)));
    assertEquals(12, gauge("dispatch_queue_depth", "task", "email").value());
    assertEquals(3, gauge("dispatch_queue_depth", "workflow", "checkout").value());

    gauges.refresh(List.of(new QueueBacklog("task", "acme", "email", 4, 1.0)));

    assertEquals(4, gauge("dispatch_queue_depth", "task", "email").value());
    assertNull(find("dispatch_queue_depth", "workflow", "checkout"));
    assertNull(find("dispatch_queue_oldest_age_seconds", "workflow", "checkout"));
  }

  @Test
  void theAgeGrowsWithTheTimeSinceTheRefresh() {
    gauges.refresh(
        List.of(
            new QueueBacklog("task", "acme", "email", 1, 30.0),
            new QueueBacklog("task", "acme", "backoff", 2, 0.0)));
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(15));

    assertEquals(45.0, gauge("dispatch_queue_oldest_age_seconds", "task", "email").value());
    // nothing claimable: the items wait for their backoff, not for a poll
    assertEquals(0.0, gauge("dispatch_queue_oldest_age_seconds", "task", "backoff").value());
  }

  private Gauge gauge(String name, String kind, String queue) {
    return registry.get(name).tags("kind", kind, "tenant_id", "acme", "queue", queue).gauge();
  }

  private Gauge find(String name, String kind, String queue) {
    return registry.find(name).tags("kind", kind, "tenant_id", "acme", "queue", queue).gauge();
  }
}
