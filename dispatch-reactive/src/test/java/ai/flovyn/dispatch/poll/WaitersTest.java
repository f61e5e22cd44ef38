package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The registry of waiting polls against a scripted claimer: which polls each claim statement is
 * for, who gets what it claims, and what is handed back.
 */
class WaitersTest {
  private static final WorkSignal KEY = new WorkSignal(WorkSignal.Kind.TASK, "t", "q");
  private static final Duration LONG = Duration.ofSeconds(60);

  /** An item a scripted claim statement took for the worker at {@code slot}. */
  record Item(int slot, String name) {}

  /** A claim statement in flight: the workers it is for, and its result to script. */
  record Statement(List<String> workers, Sinks.One<List<Item>> result) {
    void answer(Item... items) {
      result.tryEmitValue(List.of(items));
    }
  }

  private final Sinks.Many<WorkSignal> signals = Sinks.many().multicast().directBestEffort();
  private final Sinks.Empty<Void> stopping = Sinks.empty();
  private final Waiters<Item> waiters =
      new Waiters<>(Item.class, signals.asFlux(), stopping.asMono());
  // the same registry lingering 1 ms on busy queues, on virtual time
  private static final Duration LINGER = Duration.ofMillis(1);
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private final Waiters<Item> lingering =
      new Waiters<>(
          Item.class,
          signals.asFlux(),
          stopping.asMono(),
          LINGER,
          time,
          () -> time.now(TimeUnit.NANOSECONDS));
  private final List<Statement> statements = new ArrayList<>();
  private final List<Item> released = new ArrayList<>();
  private final Waiters.Claimer<Item> claimer =
      new Waiters.Claimer<>(
          workers -> {
            Sinks.One<List<Item>> result = Sinks.one();
            synchronized (statements) {
              statements.add(new Statement(workers, result));
            }
            return result.asMono();
          },
          Item::slot,
          items -> {
            synchronized (released) {
              released.addAll(items);
            }
            return Mono.empty();
          });

  @Test
  void pollsArrivingDuringAClaimAreServedTogetherByTheNextStatement() throws Exception {
    CompletableFuture<Item> a = poll("a", LONG);
    CompletableFuture<Item> b = poll("b", LONG);
    CompletableFuture<Item> c = poll("c", LONG);
    assertEquals(List.of("a"), statement(0).workers());

    statement(0).answer();

    assertEquals(List.of("a", "b", "c"), statement(1).workers(), "the oldest poll first");
    statement(1).answer();
    assertEquals(2, statements(), "no statement until a signal comes");
    assertFalse(a.isDone() || b.isDone() || c.isDone());
  }

  @Test
  void aSignalRunsOneStatementForAllWaitingPollsAndWakesOnlyThoseItFoundWorkFor() throws Exception {
    CompletableFuture<Item> a = poll("a", LONG);
    statement(0).answer();
    CompletableFuture<Item> b = poll("b", LONG);
    statement(1).answer();

    signals.tryEmitNext(KEY);
    assertEquals(List.of("a", "b"), statement(2).workers());
    statement(2).answer(new Item(0, "x"));

    assertEquals("x", a.get(5, TimeUnit.SECONDS).name());
    assertFalse(b.isDone(), "the other poll keeps waiting");
    assertEquals(3, statements());
  }

  @Test
  void aSignalForAnotherQueueRunsNothing() throws Exception {
    poll("a", LONG);
    statement(0).answer();

    signals.tryEmitNext(new WorkSignal(WorkSignal.Kind.TASK, "t", "other"));
    signals.tryEmitNext(new WorkSignal(WorkSignal.Kind.WORKFLOW, "t", "q"));

    assertEquals(1, statements());
    signals.tryEmitNext(WorkSignal.ANY);
    assertEquals(List.of("a"), statement(1).workers(), "after a reconnect every group re-checks");
  }

  @Test
  void aSignalDuringAStatementRunsOneMoreStatementAfterIt() throws Exception {
    CompletableFuture<Item> a = poll("a", LONG);
    signals.tryEmitNext(KEY);
    signals.tryEmitNext(KEY);

    statement(0).answer();
    assertEquals(List.of("a"), statement(1).workers(), "the statement may have looked too early");
    statement(1).answer(new Item(0, "x"));

    assertEquals("x", a.get(5, TimeUnit.SECONDS).name());
    assertEquals(2, statements());
  }

  @Test
  void pollsWithDifferentFiltersClaimWithTheirOwnStatements() throws Exception {
    List<List<String>> gpuStatements = new ArrayList<>();
    Waiters.Claimer<Item> gpu =
        new Waiters.Claimer<>(
            workers -> {
              gpuStatements.add(workers);
              return Mono.just(List.of());
            },
            Item::slot,
            items -> Mono.empty());
    poll("plain", LONG);
    waiters.await(KEY, "gpu", gpu, "g", LONG).toFuture();

    assertEquals(List.of("plain"), statement(0).workers());
    assertEquals(List.of(List.of("g")), gpuStatements);
  }

  @Test
  void anItemClaimedForAPollCancelledDuringTheStatementIsHandedBackAndClaimedForTheNext()
      throws Exception {
    Disposable gone = waiters.await(KEY, "", claimer, "gone", LONG).subscribe();
    statement(0).answer();
    CompletableFuture<Item> next = poll("next", LONG);
    statement(1).answer();
    signals.tryEmitNext(KEY);
    assertEquals(List.of("gone", "next"), statement(2).workers());

    gone.dispose();
    statement(2).answer(new Item(0, "x"));

    assertEquals(List.of(new Item(0, "x")), released(), "handed back, not swallowed");
    assertEquals(List.of("next"), statement(3).workers(), "and claimed again for who waits");
    statement(3).answer(new Item(0, "x"));
    assertEquals("x", next.get(5, TimeUnit.SECONDS).name());
  }

  @Test
  void anItemOnItsWayToAPollCancelledAfterTheStatementIsHandedBack() throws Exception {
    List<Disposable> second = new ArrayList<>();
    // delivering the first item cancels the second poll, whose item is already assigned to it
    CompletableFuture<Item> first =
        waiters
            .await(KEY, "", claimer, "first", LONG)
            .doOnNext(item -> second.get(0).dispose())
            .toFuture();
    second.add(waiters.await(KEY, "", claimer, "second", LONG).subscribe());
    statement(0).answer();
    statement(1).answer();
    signals.tryEmitNext(KEY);
    assertEquals(List.of("first", "second"), statement(2).workers());

    statement(2).answer(new Item(0, "x"), new Item(1, "y"));

    assertEquals("x", first.get(5, TimeUnit.SECONDS).name());
    assertEquals(List.of(new Item(1, "y")), released(), "discarded, then handed back");
  }

  @Test
  void aCancelledPollThatIsNotInAStatementLeavesTheGroup() throws Exception {
    Disposable gone = waiters.await(KEY, "", claimer, "gone", LONG).subscribe();
    statement(0).answer();
    gone.dispose();

    signals.tryEmitNext(KEY);

    assertEquals(1, statements(), "nobody waits: no statement");
    assertEquals(0, waiters.waiting());
  }

  @Test
  void aPollWithATimeoutOfZeroClaimsOnceAndTakesWhatThatClaimFinds() throws Exception {
    CompletableFuture<Item> empty = poll("a", Duration.ZERO);
    statement(0).answer();
    assertNull(empty.get(5, TimeUnit.SECONDS));

    CompletableFuture<Item> served = poll("b", Duration.ZERO);
    statement(1).answer(new Item(0, "x"));
    assertEquals("x", served.get(5, TimeUnit.SECONDS).name());
  }

  @Test
  void moreWaitingPollsThanOneStatementServesAreServedByTheNextStatement() throws Exception {
    List<CompletableFuture<Item>> polls = new ArrayList<>();
    polls.add(poll("p0", LONG));
    IntStream.rangeClosed(1, Waiters.MAX_ROUND).forEach(i -> polls.add(poll("p" + i, LONG)));
    statement(0).answer();
    assertEquals(Waiters.MAX_ROUND, statement(1).workers().size());

    statement(1)
        .answer(
            IntStream.range(0, Waiters.MAX_ROUND)
                .mapToObj(i -> new Item(i, "x" + i))
                .toArray(Item[]::new));

    assertEquals(List.of("p" + Waiters.MAX_ROUND), statement(2).workers(), "a full statement");
    assertTrue(polls.get(0).isDone());
    assertFalse(polls.get(Waiters.MAX_ROUND).isDone());
  }

  @Test
  void aFailedStatementFailsThePollsItWasFor() throws Exception {
    CompletableFuture<Item> a = poll("a", LONG);
    statement(0).result().tryEmitError(new IllegalStateException("database down"));

    ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> a.get(5, TimeUnit.SECONDS));
    assertEquals("database down", failed.getCause().getMessage());
    assertEquals(0, waiters.waiting());
  }

  @Test
  void stoppingEndsEveryPollAfterItsClaimStatement() throws Exception {
    CompletableFuture<Item> waiting = poll("waiting", LONG);
    statement(0).answer();
    signals.tryEmitNext(KEY);
    CompletableFuture<Item> late = poll("late", LONG);
    assertEquals(List.of("waiting"), statement(1).workers());

    stopping.tryEmitEmpty();
    statement(1).answer();

    assertNull(waiting.get(5, TimeUnit.SECONDS));
    assertEquals(List.of("late"), statement(2).workers(), "a poll gets its one claim");
    statement(2).answer();
    assertNull(late.get(5, TimeUnit.SECONDS));
  }

  @Test
  void pollsOfABusyQueueArrivingWithinTheLingerShareOneStatement() throws Exception {
    busyQueue();
    CompletableFuture<Item> b = lingeringPoll("b");
    time.advanceTimeBy(Duration.ofNanos(300_000));
    CompletableFuture<Item> c = lingeringPoll("c");
    time.advanceTimeBy(Duration.ofNanos(300_000));
    CompletableFuture<Item> d = lingeringPoll("d");
    assertEquals(1, statements(), "the polls wait for company");

    time.advanceTimeBy(Duration.ofNanos(400_000));

    assertEquals(List.of("b", "c", "d"), statement(1).workers(), "one statement, oldest first");
    statement(1).answer(new Item(0, "x"), new Item(1, "y"), new Item(2, "z"));
    assertEquals("x", b.get(5, TimeUnit.SECONDS).name());
    assertEquals("y", c.get(5, TimeUnit.SECONDS).name());
    assertEquals("z", d.get(5, TimeUnit.SECONDS).name());
  }

  @Test
  void aLingerEndsWhenTheOldestPollHasWaitedItOutNotLater() throws Exception {
    busyQueue();
    lingeringPoll("b");
    time.advanceTimeBy(Duration.ofNanos(900_000));
    lingeringPoll("c");

    time.advanceTimeBy(Duration.ofNanos(100_000));

    assertEquals(List.of("b", "c"), statement(1).workers(), "b waited 1 ms, c only 0.1 ms");
  }

  @Test
  void pollsArrivingFurtherApartThanTheLingerClaimAtOnce() throws Exception {
    CompletableFuture<Item> a = lingeringPoll("a");
    statement(0).answer(new Item(0, "x"));
    assertEquals("x", a.get(5, TimeUnit.SECONDS).name());
    time.advanceTimeBy(Duration.ofMillis(5));

    lingeringPoll("b");

    assertEquals(List.of("b"), statement(1).workers(), "a lone worker's poll does not wait");
  }

  @Test
  void aQueueWhoseLastStatementFoundTooLittleClaimsAtOnce() throws Exception {
    lingeringPoll("a");
    time.advanceTimeBy(Duration.ofNanos(100_000));
    lingeringPoll("b");
    statement(0).answer();
    assertEquals(List.of("a", "b"), statement(1).workers());
    statement(1).answer(new Item(0, "x"));
    time.advanceTimeBy(Duration.ofNanos(100_000));

    lingeringPoll("c");

    assertEquals(List.of("b", "c"), statement(2).workers(), "a queue that ran dry: no linger");
  }

  @Test
  void aLingeringPollCancelledLeavesNothingToClaim() throws Exception {
    busyQueue();
    Disposable gone = lingering.await(KEY, "", claimer, "gone", LONG).subscribe();
    gone.dispose();

    time.advanceTimeBy(LINGER);

    assertEquals(1, statements(), "nobody waits at the linger's end: no statement");
    assertEquals(0, lingering.waiting());
  }

  @Test
  void stoppingEndsALingerAtOnce() throws Exception {
    busyQueue();
    CompletableFuture<Item> b = lingeringPoll("b");
    assertEquals(1, statements());

    stopping.tryEmitEmpty();

    assertEquals(List.of("b"), statement(1).workers(), "claimed without waiting out the linger");
    statement(1).answer();
    assertNull(b.get(5, TimeUnit.SECONDS));
  }

  /** One poll served by a full statement, then one more arriving soon after: a busy queue. */
  private void busyQueue() throws Exception {
    CompletableFuture<Item> a = lingeringPoll("a");
    statement(0).answer(new Item(0, "first"));
    assertEquals("first", a.get(5, TimeUnit.SECONDS).name());
    time.advanceTimeBy(Duration.ofNanos(100_000));
  }

  private CompletableFuture<Item> lingeringPoll(String worker) {
    return lingering.await(KEY, "", claimer, worker, LONG).toFuture();
  }

  private CompletableFuture<Item> poll(String worker, Duration timeout) {
    return waiters.await(KEY, "", claimer, worker, timeout).toFuture();
  }

  private Statement statement(int index) {
    synchronized (statements) {
      assertTrue(statements.size() > index, "statement " + index + " has run");
      return statements.get(index);
    }
  }

  private int statements() {
    synchronized (statements) {
      return statements.size();
    }
  }

  private List<Item> released() {
    synchronized (released) {
      return List.copyOf(released);
    }
  }
}
