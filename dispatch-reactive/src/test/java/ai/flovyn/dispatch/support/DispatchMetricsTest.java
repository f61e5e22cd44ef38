package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.store.WorkSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Meters kept by name and tags count each call under the tags it names, registered once. */
class DispatchMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DispatchMetrics metrics = new DispatchMetrics(registry);

  @Test
  void countersAddUpPerTagCombination() {
    metrics.taskFinished("completed");
    metrics.taskFinished("completed");
    metrics.taskFinished("failed");
    metrics.taskSubmitted("tenant-a", "email", "q", 3);
    metrics.taskSubmitted("tenant-a", "email", "q", 2);
    metrics.taskSubmitted("tenant-b", "email", "q", 1);

    assertEquals(2, count("dispatch_task_attempts_finished", "outcome", "completed"));
    assertEquals(1, count("dispatch_task_attempts_finished", "outcome", "failed"));
    assertEquals(
        5,
        registry
            .get("dispatch_tasks_submitted")
            .tags("tenant_id", "tenant-a", "task_type", "email", "queue", "q")
            .counter()
            .count());
    assertEquals(2, registry.find("dispatch_tasks_submitted").counters().size());
  }

  @Test
  void claimStatementsAreCountedByKindAndOutcome() {
    StepVerifier.create(metrics.countClaim(Mono.just("task"), WorkSignal.Kind.TASK))
        .expectNext("task")
        .expectComplete()
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(metrics.countClaim(Mono.<String>empty(), WorkSignal.Kind.TASK))
        .expectComplete()
        .verify(Duration.ofSeconds(5));

    assertEquals(
        1,
        registry
            .get("dispatch_claim_statements")
            .tags("kind", "task", "outcome", "claimed")
            .counter()
            .count());
    assertEquals(
        1,
        registry
            .get("dispatch_claim_statements")
            .tags("kind", "task", "outcome", "empty")
            .counter()
            .count());
  }

  @Test
  void pollsAndBatchesAreTimedByOutcome() {
    StepVerifier.create(metrics.timePoll(Mono.just(1), "task"))
        .expectNext(1)
        .expectComplete()
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(metrics.timePoll(Mono.empty(), "task"))
        .expectComplete()
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(metrics.timeBatch(Mono.just("x"), 1, value -> "replayed"))
        .expectNext("x")
        .expectComplete()
        .verify(Duration.ofSeconds(5));

    assertEquals(
        1,
        registry
            .get("dispatch_poll_wait")
            .tags("kind", "task", "outcome", "claimed")
            .timer()
            .count());
    assertEquals(
        1,
        registry
            .get("dispatch_poll_wait")
            .tags("kind", "task", "outcome", "empty")
            .timer()
            .count());
    assertEquals(
        1, registry.get("dispatch_command_batches").tag("outcome", "replayed").timer().count());
  }

  @Test
  void latenciesArePrometheusHistogramsWithSixteenBuckets() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DispatchMetrics exported = new DispatchMetrics(prometheus);
    StepVerifier.create(exported.timeBatch(Mono.just("x"), 3, value -> "ok"))
        .expectNext("x")
        .expectComplete()
        .verify(Duration.ofSeconds(5));
    DispatchMetrics.latencyHistogram("dispatch_grpc_server_calls")
        .tags("method", "m", "status", "OK")
        .register(prometheus)
        .record(Duration.ofMillis(7));

    String page = prometheus.scrape();
    List<String> buckets =
        page.lines()
            .filter(line -> line.startsWith("dispatch_grpc_server_calls_seconds_bucket{"))
            .toList();
    assertEquals(16, buckets.size(), page);
    assertTrue(
        buckets.contains(
            "dispatch_grpc_server_calls_seconds_bucket{method=\"m\",status=\"OK\",le=\"0.005\"} 0"),
        page);
    assertTrue(
        buckets.contains(
            "dispatch_grpc_server_calls_seconds_bucket{method=\"m\",status=\"OK\",le=\"0.01\"} 1"),
        page);
    assertTrue(page.contains("# TYPE dispatch_command_batches_seconds histogram"), page);
    assertTrue(
        page.contains("dispatch_command_batches_seconds_bucket{outcome=\"ok\",le=\"+Inf\"} 1"),
        page);
    assertTrue(page.contains("dispatch_command_batch_size_bucket{le=\"4.0\"} 1"), page);
  }

  @Test
  void countersTheAlertsDivideByReadZeroBeforeTheFirstEvent() {
    assertEquals(0, count("dispatch_task_attempts_finished", "outcome", "failed"));
    assertEquals(0, count("dispatch_workflows_finished", "status", "FAILED"));
    assertEquals(0, count("dispatch_workflows_finished", "status", "COMPLETED"));
    metrics.workflowFinished("FAILED");
    assertEquals(1, count("dispatch_workflows_finished", "status", "FAILED"));
  }

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }
}
