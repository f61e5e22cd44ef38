package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.BlackholeProxy;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A LISTEN connection that goes half-open (no FIN, as in a network partition) is detected by its
 * periodic check and replaced, and long polls keep receiving work; every claim statement of a poll
 * is counted.
 */
class ListenerPartitionIT {
  private static final String TENANT = "acme";
  // the polls wait longer than the test may take: only a signal can end them early
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(60);

  private static TestDatabase db;
  private BlackholeProxy proxy;
  private SimpleMeterRegistry registry;
  private Dispatch dispatch;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void start() throws Exception {
    URI uri = URI.create(db.jdbcUrl().substring("jdbc:".length()));
    proxy = BlackholeProxy.to(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    registry = new SimpleMeterRegistry();
    dispatch =
        Dispatch.builder(db.connectionFactory())
            .listenConnections(throughProxy(uri))
            .listenerCheck(Duration.ofMillis(200), Duration.ofMillis(500))
            .meterRegistry(registry)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    dispatch.close();
    proxy.close();
  }

  @Test
  void aHalfOpenListenConnectionIsReplacedAndWaitingPollsStillReceiveWork() throws Exception {
    String queue = "partition";
    assertWokenBySubmittedWork(queue, "before the partition");

    CompletableFuture<ClaimedTask> waiting = pollAfterItsFirstClaim(queue);
    proxy.blackholeOpenConnections();
    // announced while the listener is cut off: only the re-check after the reconnect finds it
    UUID announcedDuringPartition = submit(queue);
    Await.until(() -> reconnects() >= 1, "the listener to reconnect");

    assertEquals(announcedDuringPartition, waiting.get(30, TimeUnit.SECONDS).id());
    assertWokenBySubmittedWork(queue, "after the reconnect");
    assertTrue(proxy.connections() >= 2, "the listener opened a new connection");
  }

  @Test
  void everyClaimStatementOfAPollIsCountedAsClaimedOrEmpty() {
    // no listener: nothing but the poll's own first claim runs a claim statement
    SimpleMeterRegistry counted = new SimpleMeterRegistry();
    try (Dispatch quiet =
        Dispatch.builder(db.connectionFactory())
            .options(DispatchOptions.defaults().toBuilder().background(false).build())
            .meterRegistry(counted)
            .build()) {
      String queue = "counted";

      assertNull(
          quiet
              .pollTask(Scope.unrestricted(), TENANT, queue, null, "w", Duration.ofSeconds(1))
              .block());
      assertEquals(1.0, claims(counted, "task", "empty"));
      assertEquals(0.0, claims(counted, "task", "claimed"));

      UUID task = submit(queue);
      assertEquals(
          task,
          quiet
              .pollTask(Scope.unrestricted(), TENANT, queue, null, "w", Duration.ofSeconds(1))
              .block()
              .id());
      assertEquals(1.0, claims(counted, "task", "empty"));
      assertEquals(1.0, claims(counted, "task", "claimed"));
      assertEquals(0.0, claims(counted, "workflow", "empty"));
      assertEquals(0.0, claims(counted, "workflow", "claimed"));
    }
  }

  /** Opens a long poll and returns once its first claim found nothing: from then on it waits. */
  private CompletableFuture<ClaimedTask> pollAfterItsFirstClaim(String queue)
      throws InterruptedException {
    double before = claims("empty");
    CompletableFuture<ClaimedTask> poll =
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, "worker", POLL_TIMEOUT)
            .toFuture();
    Await.until(() -> claims("empty") > before, "the poll's first claim");
    return poll;
  }

  private void assertWokenBySubmittedWork(String queue, String when) throws Exception {
    CompletableFuture<ClaimedTask> poll = pollAfterItsFirstClaim(queue);
    UUID task = submit(queue);
    ClaimedTask claimed = poll.get(30, TimeUnit.SECONDS);
    assertNotNull(claimed, "the poll timed out instead of being woken " + when);
    assertEquals(task, claimed.id(), "the poll received the task submitted " + when);
  }

  /** Submits a standalone task to {@code queue}; returns its id. */
  private UUID submit(String queue) {
    return dispatch
        .submitTask(
            Scope.unrestricted(),
            new SubmitTask(
                null,
                TENANT,
                "t",
                new byte[0],
                Map.of(),
                null,
                null,
                null,
                null,
                queue,
                null,
                null))
        .block(Duration.ofSeconds(30))
        .taskExecutionId();
  }

  private double claims(String outcome) {
    return claims(registry, "task", outcome);
  }

  private static double claims(SimpleMeterRegistry registry, String kind, String outcome) {
    return registry
        .get("dispatch_claim_statements")
        .tags("kind", kind, "outcome", outcome)
        .counter()
        .count();
  }

  private double reconnects() {
    FunctionCounter counter = registry.find("dispatch_listener_reconnects").functionCounter();
    return counter == null ? 0 : counter.count();
  }

  private PostgresqlConnectionFactory throughProxy(URI uri) {
    String database = uri.getPath().substring(1);
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host("127.0.0.1")
            .port(proxy.port())
            .database(database)
            .username(db.user());
    if (!db.password().isEmpty()) {
      builder.password(db.password());
    }
    return new PostgresqlConnectionFactory(builder.build());
  }
}
