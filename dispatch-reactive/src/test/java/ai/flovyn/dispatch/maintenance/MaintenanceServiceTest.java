package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The loop of one maintenance service, over scripted chores (no database involved). */
class MaintenanceServiceTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DispatchMetrics metrics = new DispatchMetrics(registry);

  /** A chore whose n-th run (from 1) does what {@code script} says. */
  private record Scripted(String name, AtomicInteger runs, IntFunction<Mono<Integer>> script)
      implements Chore {
    Scripted(String name, IntFunction<Mono<Integer>> script) {
      this(name, new AtomicInteger(), script);
    }

    @Override
    public Mono<Integer> run(Instant now, int limit) {
      return Mono.defer(() -> script.apply(runs.incrementAndGet()));
    }

    @Override
    public Mono<Instant> nextDue(Instant now) {
      return Mono.empty();
    }
  }

  private MaintenanceService service(Chore chore, Duration maxSleep) {
    return new MaintenanceService(chore, 10, maxSleep, Clock.systemUTC(), metrics);
  }

  private double runs(String chore, String outcome) {
    var counter =
        registry
            .find("dispatch_maintenance_runs")
            .tags("chore", chore, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aFailingChoreIsCountedAndRetriedWhileAnotherGoesOn() throws Exception {
    Scripted failing =
        new Scripted(
            "failing",
            n -> n <= 2 ? Mono.error(new IllegalStateException("boom " + n)) : Mono.just(1));
    Scripted healthy = new Scripted("healthy", n -> Mono.just(0));
    try (MaintenanceService broken = service(failing, Duration.ofMillis(20));
        MaintenanceService fine = service(healthy, Duration.ofMillis(20))) {
      broken.start();
      fine.start();

      Await.until(() -> runs("failing", "ok") >= 1, "the failing chore to recover");
      Await.until(() -> healthy.runs().get() >= 5, "the healthy chore to keep running");
    }
    assertEquals(2, runs("failing", "error"));
    assertTrue(
        registry.get("dispatch_maintenance_items").tag("chore", "failing").counter().count() >= 1);
  }

  @Test
  void aFullBatchRunsAgainAtOnce() throws Exception {
    // a full batch (the limit, 10) means more may be due: no sleep of an hour in between
    Scripted backlog = new Scripted("backlog", n -> Mono.just(n <= 3 ? 10 : 0));
    try (MaintenanceService service = service(backlog, Duration.ofHours(1))) {
      service.start();

      Await.until(() -> backlog.runs().get() == 4, "the backlog drained");
    }
    assertEquals(30, registry.get("dispatch_maintenance_items").counter().count());
  }

  @Test
  void somethingDueSoonerWakesASleepingService() throws Exception {
    Scripted idle = new Scripted("idle", n -> Mono.just(0));
    try (MaintenanceService service = service(idle, Duration.ofHours(1))) {
      service.start();
      Await.until(() -> idle.runs().get() == 1, "the first run");

      service.dueAt(Instant.now());

      Await.until(() -> idle.runs().get() >= 2, "a run woken before the hour");
    }
  }

  @Test
  void aSoonerInstantReplacesALaterOneAskedFirst() throws Exception {
    Scripted idle = new Scripted("asked", n -> Mono.just(0));
    try (MaintenanceService service = service(idle, Duration.ofHours(1))) {
      service.start();
      Await.until(() -> idle.runs().get() == 1, "the first run");
      service.dueAt(Instant.now().plus(Duration.ofMinutes(30)));

      service.dueAt(Instant.now());

      Await.until(() -> idle.runs().get() >= 2, "a run woken by the sooner instant");
    }
  }

  @Test
  void everyRunIsSignalledWithItsItemsOrItsError() throws Exception {
    Scripted flaky =
        new Scripted(
            "flaky", n -> n == 1 ? Mono.error(new IllegalStateException("boom")) : Mono.just(3));
    try (MaintenanceService service = service(flaky, Duration.ofMillis(20))) {
      CompletableFuture<List<MaintenanceService.Run>> two =
          service.runs().take(2).collectList().toFuture();
      service.start();

      List<MaintenanceService.Run> runs = two.get(30, TimeUnit.SECONDS);
      assertEquals("boom", runs.get(0).error().getMessage());
      assertEquals(new MaintenanceService.Run("flaky", 3, null), runs.get(1));
    }
  }

  @Test
  void aServiceStartedAfterASleepRunsFirstWhenWoken() throws Exception {
    Scripted sleeper = new Scripted("sleeper", n -> Mono.just(n));
    try (MaintenanceService service = service(sleeper, Duration.ofHours(1))) {
      CompletableFuture<MaintenanceService.Run> first = service.runs().next().toFuture();
      service.startAfterSleep();
      assertEquals(0, sleeper.runs().get(), "asleep for the hour");

      service.dueAt(Instant.now());

      assertEquals(new MaintenanceService.Run("sleeper", 1, null), first.get(30, TimeUnit.SECONDS));
    }
  }
}
