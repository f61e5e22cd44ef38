package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TcpProxy;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ValidationDepth;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * PostgreSQL made unreachable under load and brought back, through a TCP proxy the test controls,
 * with the server's own pool configuration: clients see only OK or UNAVAILABLE, the service
 * recovers, every acknowledged batch has its rows, and stale pooled connections never fail a call.
 */
class DatabaseOutageIT {
  private static final String TENANT = "outage-tenant";
  private static final Set<Status.Code> ALLOWED =
      EnumSet.of(Status.Code.OK, Status.Code.UNAVAILABLE);
  private static final int POOL_SIZE = 8;

  private static TestDatabase db;
  private static TcpProxy proxy;
  private static ConnectionPool pool;
  private static GrpcTestServer grpc;
  private static final List<Connection> created = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    URI direct = URI.create(db.jdbcUrl().substring("jdbc:".length()));
    proxy = TcpProxy.start(direct.getHost(), direct.getPort() < 0 ? 5432 : direct.getPort());
    String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + direct.getPath();
    ConnectionFactory connections =
        recording(
            ConnectionPools.connectionFactory(
                viaProxy, db.user(), db.password(), DatabaseTimeouts.DEFAULTS.pooled()));
    pool = ConnectionPools.pool(connections, POOL_SIZE);
    // no listener or sweeper: they would take stale connections out of the pool on their own
    grpc =
        GrpcTestServer.start(
            pool, DispatchOptions.defaults().toBuilder().background(false).build());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    pool.disposeLater().block(Duration.ofSeconds(10));
    proxy.close();
    db.close();
  }

  @Test
  void outageUnderLoadAnswersUnavailableOnlyRecoversAndLosesNoAcknowledgedBatch() throws Exception {
    proxy.restore();
    String queue = "outage-" + UUID.randomUUID();
    List<String> workflows = claimedWorkflows(queue, 4);
    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(workflows.size());
    List<Future<?>> load = new ArrayList<>();
    for (String workflow : workflows) {
      load.add(clients.submit(() -> sendBatches(workflow, running, outcomes)));
    }
    try {
      Await.until(() -> count(outcomes, Status.Code.OK) >= 20, "batches acked before the outage");
      proxy.cut();
      Await.until(
          () -> count(outcomes, Status.Code.UNAVAILABLE) >= 10, "UNAVAILABLE during the outage");
      long okAtRestore = count(outcomes, Status.Code.OK);
      proxy.restore();
      Await.until(
          () -> count(outcomes, Status.Code.OK) >= okAtRestore + 20, "batches acked after restore");
    } finally {
      running.set(false);
      clients.shutdown();
      assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
    }
    for (Future<?> client : load) {
      client.get();
    }

    Map<Status.Code, Long> byCode =
        outcomes.stream().collect(Collectors.groupingBy(Outcome::code, Collectors.counting()));
    assertTrue(ALLOWED.containsAll(byCode.keySet()), "codes seen: " + byCode);
    List<String> acked =
        outcomes.stream()
            .filter(outcome -> outcome.code() == Status.Code.OK)
            .flatMap(outcome -> outcome.taskIds().stream())
            .toList();
    long stored =
        db.scalar(
            "SELECT count(*) FROM task_executions WHERE id = ANY(?::uuid[])",
            (Object) acked.toArray(String[]::new));
    assertEquals(acked.size(), stored, "every task of an acknowledged batch is stored");
  }

  @Test
  void firstCallAfterARestartOfAnIdleServerSucceeds() throws Exception {
    proxy.restore();
    warmPool();
    proxy.cut();
    // the restart is over once the client has seen every pooled connection closed
    Await.until(DatabaseOutageIT::allCreatedConnectionsClosed, "the pool's connections closed");
    proxy.restore();

    var stub = grpc.workflows();
    for (int i = 0; i < 3; i++) {
      String id =
          stub.startWorkflow(Commands.start(TENANT, "after-restart")).getWorkflowExecutionId();
      assertEquals(1, db.scalar("SELECT count(*) FROM workflow_executions WHERE id = ?::uuid", id));
    }
  }

  /** Opens several pooled connections at once, so that several sit idle afterwards. */
  private static void warmPool() throws Exception {
    List<com.google.common.util.concurrent.ListenableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < POOL_SIZE; i++) {
      calls.add(grpc.workflowsAsync().startWorkflow(Commands.start(TENANT, "warm")));
    }
    for (var call : calls) {
      call.get(30, TimeUnit.SECONDS);
    }
    Await.until(() -> created.size() >= 3, "several pooled connections");
  }

  private static boolean allCreatedConnectionsClosed() {
    return created.stream()
        .noneMatch(
            connection ->
                Boolean.TRUE.equals(
                    Mono.from(connection.validate(ValidationDepth.LOCAL))
                        .block(Duration.ofSeconds(5))));
  }

  private static void sendBatches(String workflow, AtomicBoolean running, Queue<Outcome> outcomes) {
    var stub = WorkflowDispatchGrpc.newBlockingStub(grpc.channel());
    while (running.get()) {
      List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      List<WorkflowCommand> commands =
          ids.stream().map(id -> scheduleTask(UUID.fromString(id), "outage-task")).toList();
      Status.Code code;
      try {
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .submitWorkflowCommands(batch(workflow, commands));
        code = Status.Code.OK;
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
      outcomes.add(new Outcome(code, ids));
    }
  }

  private static List<String> claimedWorkflows(String queue, int n) {
    var stub = grpc.workflows();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(stub.startWorkflow(Commands.start(TENANT, queue)).getWorkflowExecutionId());
    }
    List<String> claimed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      claimed.add(
          stub.pollWorkflow(
                  PollRequest.newBuilder()
                      .setTenantId(TENANT)
                      .setQueue(queue)
                      .setWorkerId("outage-worker")
                      .setTimeoutSeconds(5)
                      .build())
              .getWorkflowExecution()
              .getId());
    }
    assertEquals(Set.copyOf(ids), Set.copyOf(claimed));
    return ids;
  }

  private static long count(Queue<Outcome> outcomes, Status.Code code) {
    return outcomes.stream().filter(outcome -> outcome.code() == code).count();
  }

  private record Outcome(Status.Code code, List<String> taskIds) {}

  /** The factory, remembering every connection it creates. */
  private static ConnectionFactory recording(ConnectionFactory delegate) {
    return new ConnectionFactory() {
      @Override
      public Publisher<? extends Connection> create() {
        return Mono.from(delegate.create()).doOnNext(created::add);
      }

      @Override
      public ConnectionFactoryMetadata getMetadata() {
        return delegate.getMetadata();
      }
    };
  }
}
