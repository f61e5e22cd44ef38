package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Polls on a busy queue linger to share claim statements ({@link DispatchOptions#claimLinger}):
 * fewer statements per task, and still no task handed out twice (two instances, concurrent polls),
 * order_key order kept, worker pools respected, and another queue or tenant never held up.
 */
class ClaimLingerIT {
  private static final String TENANT = "acme";
  private static final Duration BLOCK = Duration.ofSeconds(30);
  // long enough that only a full round (Waiters.MAX_ROUND polls) or a stop ends a linger in these
  // tests, so that what shares a statement does not depend on the machine's speed
  private static final Duration LONG_LINGER = Duration.ofMinutes(5);

  private static TestDatabase db;
  private final List<Dispatch> instances = new ArrayList<>();
  private final AtomicInteger claimStatements = new AtomicInteger();

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @AfterEach
  void stop() {
    instances.forEach(Dispatch::close);
  }

  @Test
  void aFullRoundOfLingeringPollsOnABusyQueueCostsOneClaimStatement() throws Exception {
    Dispatch dispatch = instance(LONG_LINGER);
    String queue = "one-statement";
    List<UUID> tasks = submit(queue, Waiters.MAX_ROUND + 1, null);
    // the first poll finds a fresh group and claims at once; it filled its slot: a busy queue
    assertEquals(tasks.get(0), poll(dispatch, queue, null, "first").block(BLOCK).id());
    int before = claimStatements.get();

    List<CompletableFuture<ClaimedTask>> polls = new ArrayList<>();
    for (int i = 0; i < Waiters.MAX_ROUND; i++) {
      polls.add(poll(dispatch, queue, null, "w-" + i).toFuture());
    }

    for (int i = 0; i < polls.size(); i++) {
      assertEquals(
          tasks.get(i + 1),
          polls.get(i).get(30, TimeUnit.SECONDS).id(),
          "the n-th oldest poll gets the n-th task in order_key order");
    }
    assertEquals(1, claimStatements.get() - before, "one statement for a full round of polls");
    assertEquals(
        (long) Waiters.MAX_ROUND + 1,
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE queue = ? AND status = 'RUNNING'"
                + " AND execution_count = 1",
            queue),
        "every task claimed once, on its first attempt");
  }

  @Test
  void lingeringPollsOfOneQueueHoldUpNeitherAnotherQueueNorAnotherTenant() throws Exception {
    Dispatch dispatch = instance(LONG_LINGER);
    String busy = "busy";
    submit(busy, 3, null);
    poll(dispatch, busy, null, "first").block(BLOCK);
    CompletableFuture<ClaimedTask> lingering = poll(dispatch, busy, null, "lingers").toFuture();
    UUID elsewhere = submit("other-queue", 1, null).get(0);
    UUID otherTenant = submitFor("globex", busy, null);

    assertEquals(elsewhere, poll(dispatch, "other-queue", null, "w").block(BLOCK).id());
    assertEquals(
        otherTenant,
        dispatch.pollTask(Scope.unrestricted(), "globex", busy, null, "w", BLOCK).block(BLOCK).id(),
        "the same queue name of another tenant is a group of its own");
    assertFalse(lingering.isDone(), "the busy queue's poll still waits for company");

    dispatch.stopSubscriptions();

    assertEquals(
        "lingers",
        db.rows(
                "SELECT worker_id FROM task_executions WHERE id = ?",
                lingering.get(30, TimeUnit.SECONDS).id())
            .get(0)
            .get("worker_id"),
        "a stopping instance claims for its lingering polls at once");
  }

  @Test
  void aLingeringPollOfAWorkerPoolIsGivenOnlyItsPoolsTasks() throws Exception {
    Dispatch dispatch = instance(LONG_LINGER);
    String queue = "pooled";
    List<UUID> gpu = submit(queue, 2, "gpu");
    List<UUID> open = submit(queue, 2, null);
    assertEquals(gpu.get(0), poll(dispatch, queue, "gpu", "g0").block(BLOCK).id());
    CompletableFuture<ClaimedTask> gpuPoll = poll(dispatch, queue, "gpu", "g1").toFuture();
    assertEquals(
        open.get(0),
        poll(dispatch, queue, null, "plain").block(BLOCK).id(),
        "a poll outside the pool skips its tasks");

    dispatch.stopSubscriptions();

    assertEquals(gpu.get(1), gpuPoll.get(30, TimeUnit.SECONDS).id());
  }

  @Test
  void concurrentPollsOnTwoInstancesNeverGetTheSameTaskAndShareStatements() throws Exception {
    Dispatch one = instance(DispatchOptions.DEFAULT_CLAIM_LINGER);
    Dispatch two = instance(DispatchOptions.DEFAULT_CLAIM_LINGER);
    String queue = "contended";
    int count = 400;
    Set<UUID> submitted = new HashSet<>(submit(queue, count, null));

    // 8 workers per instance, each polling and completing until its poll comes back empty
    List<ClaimedTask> handedOut =
        Flux.range(0, 16)
            .flatMap(worker -> worker(worker % 2 == 0 ? one : two, queue, "w-" + worker), 16)
            .collectList()
            .block(Duration.ofMinutes(2));

    Set<UUID> ids = new HashSet<>();
    handedOut.forEach(task -> ids.add(task.id()));
    assertEquals(count, handedOut.size());
    assertEquals(count, ids.size(), "no task handed out twice");
    assertEquals(submitted, ids);
    assertEquals(
        List.of(Map.of("attempts", (long) count)),
        db.rows(
            "SELECT count(*) AS attempts FROM task_attempts a JOIN task_executions t"
                + " ON t.id = a.task_execution_id WHERE t.queue = ?",
            queue),
        "one attempt per task: none claimed twice");
  }

  /** A worker's loop: poll (no wait), complete, again, until a poll finds nothing. */
  private static Flux<ClaimedTask> worker(Dispatch dispatch, String queue, String worker) {
    return Mono.defer(() -> poll(dispatch, queue, null, worker, Duration.ZERO))
        .flatMap(
            task ->
                dispatch
                    .completeTask(Scope.unrestricted(), task.id(), new byte[] {1})
                    .thenReturn(Optional.of(task)))
        .defaultIfEmpty(Optional.empty())
        .repeat()
        .takeWhile(Optional::isPresent)
        .map(Optional::get);
  }

  private Dispatch instance(Duration linger) {
    Dispatch dispatch =
        Dispatch.builder(counted(db.connectionFactory()))
            .listenConnections(db.connectionFactoryUnpooled())
            .options(DispatchOptions.defaults().toBuilder().claimLinger(linger).build())
            .build();
    instances.add(dispatch);
    return dispatch;
  }

  private static Mono<ClaimedTask> poll(
      Dispatch dispatch, String queue, String pool, String worker) {
    return poll(dispatch, queue, pool, worker, BLOCK);
  }

  private static Mono<ClaimedTask> poll(
      Dispatch dispatch, String queue, String pool, String worker, Duration timeout) {
    return dispatch.pollTask(Scope.unrestricted(), TENANT, queue, pool, worker, timeout);
  }

  /** Standalone tasks submitted one after another, so their order_key order is this list's. */
  private List<UUID> submit(String queue, int count, String pool) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(submitFor(TENANT, queue, pool));
    }
    return ids;
  }

  private UUID submitFor(String tenant, String queue, String pool) {
    Dispatch dispatch = instances.get(0);
    return dispatch
        .submitTask(
            Scope.unrestricted(),
            SubmitTask.builder(tenant, "t").queue(queue).workerPoolId(pool).build())
        .block(BLOCK)
        .taskExecutionId();
  }

  /** Counts the task claim statements sent through this connection factory. */
  private ConnectionFactory counted(ConnectionFactory connections) {
    return ProxyConnectionFactory.builder(connections)
        .listener(
            new ProxyExecutionListener() {
              @Override
              public void beforeQuery(QueryExecutionInfo execution) {
                if (execution.getQueries().stream()
                    .anyMatch(query -> query.getQuery().contains("dispatch_claim_tasks"))) {
                  claimStatements.incrementAndGet();
                }
              }
            })
        .build();
  }
}
