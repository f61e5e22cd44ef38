package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The service's connections carry statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout, and hitting one gives the client a clear status.
 */
class DatabaseTimeoutsIT {
  private static final String TENANT = "timeouts-tenant";
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void pooledConnectionsCarryTheLimitsAndTheListenConnectionNoStatementTimeout() {
    DatabaseTimeouts timeouts =
        new DatabaseTimeouts(
            Duration.ofMillis(1500), Duration.ofMillis(700), Duration.ofSeconds(9));
    ConnectionFactory pooled =
        ConnectionPools.connectionFactory(
            db.jdbcUrl(), db.user(), db.password(), timeouts.pooled());
    assertEquals("1500ms", show(pooled, "statement_timeout"));
    assertEquals("700ms", show(pooled, "lock_timeout"));
    assertEquals("9s", show(pooled, "idle_in_transaction_session_timeout"));

    ConnectionFactory listen =
        ConnectionPools.listenFactory(db.jdbcUrl(), db.user(), db.password(), timeouts);
    assertEquals("0", show(listen, "statement_timeout"));
    assertEquals("0", show(listen, "idle_in_transaction_session_timeout"));
  }

  @Test
  void aLockHeldPastLockTimeoutIsAborted() throws Exception {
    Status.Code code =
        batchAgainstLockedWorkflow(
            new DatabaseTimeouts(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ZERO));
    assertEquals(Status.Code.ABORTED, code);
  }

  @Test
  void aStatementPastStatementTimeoutIsUnavailable() throws Exception {
    Status.Code code =
        batchAgainstLockedWorkflow(
            new DatabaseTimeouts(Duration.ofMillis(200), Duration.ZERO, Duration.ZERO));
    assertEquals(Status.Code.UNAVAILABLE, code);
  }

  /** A batch on a workflow whose row another transaction holds locked: the status it gets. */
  private static Status.Code batchAgainstLockedWorkflow(DatabaseTimeouts timeouts)
      throws Exception {
    ConnectionPool pool =
        ConnectionPools.pool(
            ConnectionPools.connectionFactory(
                db.jdbcUrl(), db.user(), db.password(), timeouts.pooled()),
            2);
    try (GrpcTestServer grpc =
            GrpcTestServer.start(
                pool, DispatchOptions.defaults().toBuilder().background(false).build());
        java.sql.Connection holder = db.jdbc()) {
      String queue = "q-" + UUID.randomUUID();
      String workflow =
          grpc.workflows().startWorkflow(Commands.start(TENANT, queue)).getWorkflowExecutionId();
      grpc.workflows()
          .pollWorkflow(
              PollRequest.newBuilder()
                  .setTenantId(TENANT)
                  .setQueue(queue)
                  .setWorkerId("w")
                  .setTimeoutSeconds(5)
                  .build());
      holder.setAutoCommit(false);
      try (PreparedStatement lock =
          holder.prepareStatement(
              "SELECT id FROM workflow_executions WHERE id = ?::uuid FOR UPDATE")) {
        lock.setString(1, workflow);
        lock.executeQuery().close();
      }
      StatusRuntimeException error =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  grpc.workflows()
                      .submitWorkflowCommands(
                          batch(workflow, List.of(scheduleTask(UUID.randomUUID(), "t")))));
      holder.rollback();
      assertEquals(
          0,
          db.scalar(
              "SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?::uuid",
              workflow));
      return error.getStatus().getCode();
    } finally {
      pool.disposeLater().block(Duration.ofSeconds(10));
    }
  }

  private static String show(ConnectionFactory factory, String setting) {
    return Mono.usingWhen(
            Mono.from(factory.create()),
            connection -> showOn(connection, setting),
            Connection::close)
        .block(Duration.ofSeconds(10));
  }

  private static Mono<String> showOn(Connection connection, String setting) {
    return Flux.from(connection.createStatement("SHOW " + setting).execute())
        .flatMap(result -> result.map((row, meta) -> row.get(0, String.class)))
        .next();
  }
}
