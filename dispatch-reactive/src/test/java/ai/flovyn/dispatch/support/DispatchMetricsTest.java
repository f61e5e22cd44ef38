package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.store.WorkSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }
}
