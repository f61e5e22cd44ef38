package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Groups form from what queued while the previous group ran, bounded by count and by weight; each
 * request gets its own answer (the engine of command batches and task outcomes alike).
 */
class CoalescerTest {
  /** Runs groups only when the test lets them finish, and records what each held. */
  private static final class HeldGroups {
    final List<List<Integer>> groups = new ArrayList<>();
    final List<Sinks.Empty<Void>> releases = new ArrayList<>();

    synchronized Mono<List<Coalescer.Answer<String>>> run(List<Integer> group) {
      groups.add(group);
      Sinks.Empty<Void> release = Sinks.empty();
      releases.add(release);
      return release
          .asMono()
          .then(
              Mono.fromCallable(
                  () ->
                      group.stream()
                          .map(
                              n ->
                                  n < 0
                                      ? Coalescer.Answer.<String>failed(
                                          DispatchException.notFound("no " + n))
                                      : Coalescer.Answer.of(n == 0 ? null : "done " + n))
                          .toList()));
    }

    synchronized void release(int group) {
      releases.get(group).tryEmitEmpty();
    }

    synchronized List<List<Integer>> groups() {
      return List.copyOf(groups);
    }
  }

  @Test
  void requestsArrivingWhileAGroupRunsAreServedTogetherInTheNextEachWithItsOwnAnswer()
      throws Exception {
    HeldGroups held = new HeldGroups();
    Coalescer<Integer, String> coalescer = new Coalescer<>(held::run, 1, 3, 100, "tests", n -> {});

    CompletableFuture<String> lone = coalescer.submit(1).toFuture();
    assertEquals(List.of(List.of(1)), held.groups(), "a lone request starts at once");
    List<CompletableFuture<String>> waiting =
        List.of(2, -3, 0, 5).stream().map(n -> coalescer.submit(n).toFuture()).toList();
    assertEquals(4, coalescer.queued());
    held.release(0);

    assertEquals("done 1", lone.get(10, TimeUnit.SECONDS));
    assertEquals(
        List.of(List.of(1), List.of(2, -3, 0)),
        held.groups(),
        "the next group takes what queued, at most three");
    assertEquals(1, coalescer.queued());
    held.release(1);
    assertEquals("done 2", waiting.get(0).get(10, TimeUnit.SECONDS));
    StepVerifier.create(Mono.fromFuture(waiting.get(1)))
        .expectErrorMatches(
            e -> e instanceof DispatchException d && d.kind() == ErrorKind.NOT_FOUND)
        .verify(Duration.ofSeconds(10));
    assertEquals(null, waiting.get(2).get(10, TimeUnit.SECONDS), "a null answer completes empty");
    assertEquals(List.of(5), held.groups().get(2));
    held.release(2);
    assertEquals("done 5", waiting.get(3).get(10, TimeUnit.SECONDS));
    assertEquals(0, coalescer.queued());
  }

  @Test
  void aSecondGroupStartsBesideTheRunningOneOnlyWhenAFullGroupWaits() throws Exception {
    HeldGroups held = new HeldGroups();
    Coalescer<Integer, String> coalescer = new Coalescer<>(held::run, 2, 2, 100, "tests", n -> {});

    CompletableFuture<String> first = coalescer.submit(1).toFuture();
    coalescer.submit(2).subscribe();
    assertEquals(
        List.of(List.of(1)), held.groups(), "with a runner free, a lone waiting request waits");
    coalescer.submit(3).subscribe();
    assertEquals(
        List.of(List.of(1), List.of(2, 3)), held.groups(), "a full group starts beside it");
    coalescer.submit(4).subscribe();
    coalescer.submit(5).subscribe();
    assertEquals(2, held.groups().size(), "never more than two groups at once");
    assertEquals(2, coalescer.queued());

    held.release(0);
    assertEquals("done 1", first.get(10, TimeUnit.SECONDS));
    assertEquals(List.of(4, 5), held.groups().get(2), "the freed runner takes what waits");
  }

  @Test
  void oneWaitingRequestOfAFullGroupsWeightStartsBesideTheRunningOne() {
    HeldGroups held = new HeldGroups();
    // two runners; a group holds two requests or a weight of 8 (a request weighs its number)
    Coalescer<Integer, String> coalescer =
        new Coalescer<>(held::run, 2, 2, 100, n -> n, 8, null, "tests", n -> {});

    coalescer.submit(1).subscribe();
    coalescer.submit(8).subscribe();

    assertEquals(
        List.of(List.of(1), List.of(8)),
        held.groups(),
        "a lone request of a full group's weight starts beside the running group");
  }

  @Test
  void aGroupStopsTakingRequestsOnceItsWeightIsReached() throws Exception {
    HeldGroups held = new HeldGroups();
    Coalescer<Integer, String> coalescer =
        new Coalescer<>(held::run, 1, 4, 100, n -> n, 8, null, "tests", n -> {});

    CompletableFuture<String> first = coalescer.submit(1).toFuture();
    List<CompletableFuture<String>> waiting =
        List.of(5, 4, 2).stream().map(n -> coalescer.submit(n).toFuture()).toList();
    held.release(0);
    assertEquals("done 1", first.get(10, TimeUnit.SECONDS));
    assertEquals(List.of(5, 4), held.groups().get(1), "5 + 4 reached the weight of 8");
    held.release(1);
    assertEquals("done 4", waiting.get(1).get(10, TimeUnit.SECONDS));
    assertEquals(List.of(2), held.groups().get(2));
    held.release(2);
    assertEquals("done 2", waiting.get(2).get(10, TimeUnit.SECONDS));
  }

  @Test
  void aGroupRunsInItsOrderKeepingArrivalOrderAmongEqualsAndEachAnswerFindsItsRequest()
      throws Exception {
    HeldGroups held = new HeldGroups();
    List<Integer> ran = new CopyOnWriteArrayList<>();
    // ordered by tens, as batches by workflow: 12 and 11 rank equal
    Coalescer<Integer, String> coalescer =
        new Coalescer<>(
            held::run,
            1,
            3,
            100,
            n -> 1,
            3,
            Comparator.comparing((Integer n) -> n / 10),
            "tests",
            ran::add);

    CompletableFuture<String> first = coalescer.submit(30).toFuture();
    Map<Integer, CompletableFuture<String>> waiting = new LinkedHashMap<>();
    for (int n : List.of(21, 12, 11)) {
      waiting.put(n, coalescer.submit(n).toFuture());
    }
    held.release(0);
    assertEquals("done 30", first.get(10, TimeUnit.SECONDS));
    assertEquals(List.of(12, 11, 21), held.groups().get(1));
    held.release(1);
    for (var each : waiting.entrySet()) {
      assertEquals("done " + each.getKey(), each.getValue().get(10, TimeUnit.SECONDS));
    }
    assertEquals(List.of(1, 3), ran, "the size of each group that ran");
  }

  @Test
  void aGroupThatErrorsFailsEachOfItsRequests() {
    Coalescer<Integer, String> coalescer =
        new Coalescer<>(
            group -> Mono.error(DispatchException.unavailable("database away", null)),
            1,
            8,
            100,
            "tests",
            n -> {});

    StepVerifier.create(coalescer.submit(1))
        .expectErrorMatches(
            e -> e instanceof DispatchException d && d.kind() == ErrorKind.UNAVAILABLE)
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void tooManyWaitingRequestsAreRefusedWithResourceExhausted() {
    HeldGroups held = new HeldGroups();
    Coalescer<Integer, String> coalescer = new Coalescer<>(held::run, 1, 8, 2, "tests", n -> {});
    coalescer.submit(1).subscribe();
    coalescer.submit(2).subscribe();
    coalescer.submit(3).subscribe();

    StepVerifier.create(coalescer.submit(4))
        .expectErrorMatches(
            e ->
                e instanceof DispatchException d
                    && d.kind() == ErrorKind.RESOURCE_EXHAUSTED
                    && d.getMessage().contains("tests"))
        .verify(Duration.ofSeconds(10));
    assertEquals(2, coalescer.queued(), "the refused request did not queue");
  }
}
