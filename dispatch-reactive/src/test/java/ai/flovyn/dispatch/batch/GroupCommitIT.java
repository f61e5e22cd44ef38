package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * When a second shared transaction of command batches starts beside a running one: only when a full
 * group waits, by batches or by commands (real transactions; the batches' own work is held by the
 * test).
 */
class GroupCommitIT {
  private static TestDatabase db;
  private static Transactor transactor;

  // the batches whose work started, in order, and the release of each
  private final List<UUID> started = new ArrayList<>();
  // the transaction each batch ran in: batches of one group share it
  private final Map<UUID, Tx> transactions = new ConcurrentHashMap<>();
  private final Map<UUID, Sinks.Empty<Void>> releases = new ConcurrentHashMap<>();

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    transactor = new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory()));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  private synchronized Mono<BatchApplication.Applied> held(Tx tx, BatchPlan plan) {
    UUID id = plan.batch().workflowExecutionId();
    started.add(id);
    transactions.put(id, tx);
    Sinks.Empty<Void> release = Sinks.empty();
    releases.put(id, release);
    return release
        .asMono()
        .thenReturn(new BatchApplication.Applied(null, List.of(), List.of(), null, null));
  }

  private synchronized List<UUID> started() {
    return List.copyOf(started);
  }

  private static BatchPlan plan(UUID workflow, int commands) {
    List<Command> timers =
        IntStream.range(0, commands)
            .mapToObj(i -> (Command) new Command.StartTimer("t" + i, 1000))
            .toList();
    return BatchPlan.of(
        new CommandBatch(workflow, timers, RequestedStatus.RUNNING), Scope.unrestricted());
  }

  // workflow ids in increasing order: a group runs its batches sorted by workflow id
  private static UUID workflow(int n) {
    return new UUID(0, n);
  }

  // two committers, groups of two batches, each batch's work held by the test
  private CommandBatchGroups groupsOfTwo() {
    return new CommandBatchGroups(
        transactor,
        CommandBatchGroups.Applier.each(this::held),
        2,
        2,
        100,
        new DispatchMetrics(new SimpleMeterRegistry()));
  }

  @Test
  void aSecondTransactionStartsBesideTheRunningOneOnlyWhenAFullGroupWaits() throws Exception {
    CommandBatchGroups groups = groupsOfTwo();

    CompletableFuture<BatchApplication.Applied> first =
        groups.submit(plan(workflow(1), 1)).toFuture();
    Await.until(() -> started().size() == 1, "the first batch's transaction to start");
    groups.submit(plan(workflow(2), 1)).subscribe();
    groups.submit(plan(workflow(3), 1)).subscribe();
    Await.until(() -> started().size() == 2, "a full group (two batches) to start beside it");
    assertEquals(List.of(workflow(1), workflow(2)), started());

    releases.get(workflow(1)).tryEmitEmpty();
    first.get(30, TimeUnit.SECONDS);
    releases.get(workflow(2)).tryEmitEmpty();
    Await.until(() -> started().size() == 3, "the second batch of the second group");
    releases.get(workflow(3)).tryEmitEmpty();
    assertEquals(
        transactions.get(workflow(2)),
        transactions.get(workflow(3)),
        "the second batch waited for a full group instead of starting a transaction of its own");
  }

  @Test
  void oneWaitingBatchOfAFullGroupsCommandsStartsBesideTheRunningOne() throws Exception {
    CommandBatchGroups groups = groupsOfTwo();

    groups.submit(plan(workflow(11), 1)).subscribe();
    Await.until(() -> started().size() == 1, "the first batch's transaction to start");
    // a group holds at most 4 commands per batch it may hold: 8 here
    groups.submit(plan(workflow(12), 8)).subscribe();
    Await.until(() -> started().size() == 2, "a batch of a full group's commands to start");
    assertEquals(List.of(workflow(11), workflow(12)), started());
    releases.values().forEach(Sinks.Empty::tryEmitEmpty);
  }
}
