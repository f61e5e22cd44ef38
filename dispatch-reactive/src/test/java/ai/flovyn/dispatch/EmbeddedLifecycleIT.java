package ai.flovyn.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The embedded lifecycle: start, a pool of one connection, graceful close with work in flight, and
 * calls after close.
 */
class EmbeddedLifecycleIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private static DispatchException dispatchError(Throwable error) {
    assertTrue(error instanceof DispatchException, String.valueOf(error));
    return (DispatchException) error;
  }

  @Test
  void aPoolOfOneConnectionRunsTheWholeLoopWithTheListenerOn() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      ConnectionPool pool = EmbeddedArgumentsIT.settings(db).pool(1);
      Dispatch dispatch = Dispatch.builder(pool).start().block(WAIT);
      try {
        // a long poll waiting for work does not hold the only connection
        CompletableFuture<ClaimedTask> waiting =
            dispatch
                .pollTask(Scope.unrestricted(), "acme", "solo", null, "w1", Duration.ofSeconds(20))
                .toFuture();
        Await.until(
            () -> db.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'") > 0,
            "the listener is on its own connection");
        StartedWorkflow started =
            dispatch
                .startWorkflow(
                    Scope.unrestricted(), StartWorkflow.builder("acme", "k").queue("solo").build())
                .block(WAIT);
        dispatch
            .pollWorkflow(
                Scope.unrestricted(), "acme", "solo", List.of(), null, "w1", Duration.ofSeconds(5))
            .block(WAIT);
        UUID taskId = UUID.randomUUID();
        dispatch
            .submitCommands(
                Scope.unrestricted(),
                CommandBatch.builder(started.workflowExecutionId())
                    .commands(List.of(Command.scheduleTask(taskId, "send", JSON)))
                    .status(RequestedStatus.SUSPENDED)
                    .build())
            .block(WAIT);
        ClaimedTask claimed = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(taskId, claimed.id());
        dispatch.completeTask(Scope.unrestricted(), taskId, JSON).block(WAIT);
        List<String> types =
            dispatch
                .events(Scope.unrestricted(), started.workflowExecutionId())
                .map(WorkflowEvent::eventType)
                .collectList()
                .block(WAIT);
        assertEquals(
            List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_COMPLETED"), types.subList(0, 3));
      } finally {
        dispatch.closeGracefully(WAIT).block(WAIT);
        pool.dispose();
      }
    }
  }

  @Test
  void closingAfterTheMaintenanceServicesRanDropsNoError() throws Exception {
    // an error dropped by an operator is logged at ERROR by Reactor: the server's every clean
    // shutdown did so, from the retention run the maintenance loop cancels when it stops
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Hooks.onErrorDropped(dropped::add);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TestDatabase db = TestDatabase.create()) {
      ConnectionPool pool = EmbeddedArgumentsIT.settings(db).pool(4);
      Dispatch dispatch = Dispatch.builder(pool).meterRegistry(registry).start().block(WAIT);
      try {
        Await.until(
            () -> {
              var runs =
                  registry
                      .find("dispatch_maintenance_runs")
                      .tags("chore", "retention", "outcome", "ok")
                      .counter();
              return runs != null && runs.count() >= 1;
            },
            "a retention run");
      } finally {
        dispatch.closeGracefully(WAIT).block(WAIT);
        pool.dispose();
      }
      assertEquals(List.of(), dropped);
    } finally {
      Hooks.resetOnErrorDropped();
    }
  }

  @Test
  void closeWaitsForTheCallInFlightAndRefusesNewOnes() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      ConnectionPool pool = EmbeddedArgumentsIT.settings(db).pool(1);
      // no background services: the only caller waiting for the connection is the start below
      Dispatch dispatch =
          Dispatch.builder(pool)
              .options(DispatchOptions.defaults().toBuilder().background(false).build())
              .start()
              .block(WAIT);
      // hold the pool's only connection so that the next call is in flight, waiting for it
      Connection held = pool.create().block(WAIT);
      CompletableFuture<StartedWorkflow> inFlight =
          dispatch
              .startWorkflow(Scope.unrestricted(), StartWorkflow.builder("acme", "k").build())
              .toFuture();
      Await.until(
          () -> pool.getMetrics().orElseThrow().pendingAcquireSize() == 1,
          "the start waits for a connection");

      CompletableFuture<Void> closed = dispatch.closeGracefully(WAIT).toFuture();
      assertFalse(closed.isDone(), "close waits for the start in flight");
      assertTrue(dispatch.isClosed());
      StepVerifier.create(
              dispatch.startWorkflow(
                  Scope.unrestricted(), StartWorkflow.builder("acme", "k").build()))
          .expectErrorSatisfies(
              error -> assertEquals(ErrorKind.FAILED_PRECONDITION, dispatchError(error).kind()))
          .verify(WAIT);

      Mono.from(held.close()).block(WAIT);
      StartedWorkflow started = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
      closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(
          1,
          db.scalar(
              "SELECT count(*) FROM workflow_executions WHERE id = ?",
              started.workflowExecutionId()));
      pool.dispose();
    }
  }

  @Test
  void everyCallAfterCloseFailsWithFailedPreconditionAndStreamsComplete() {
    try (TestDatabase db = TestDatabase.create()) {
      Dispatch dispatch = Dispatch.builder(db.connectionFactory()).start().block(WAIT);
      dispatch.close();
      UUID id = UUID.randomUUID();
      for (var call :
          List.<Mono<?>>of(
              dispatch.startWorkflow(
                  Scope.unrestricted(), StartWorkflow.builder("acme", "k").build()),
              dispatch.submitTask(Scope.unrestricted(), SubmitTask.builder("acme", "t").build()),
              dispatch.pollTask(
                  Scope.unrestricted(), "acme", "q", null, "w", Duration.ofSeconds(1)),
              dispatch.completeTask(Scope.unrestricted(), id, JSON),
              dispatch.events(Scope.unrestricted(), id).collectList(),
              dispatch.submitCommands(Scope.unrestricted(), CommandBatch.builder(id).build()))) {
        StepVerifier.create(call)
            .expectErrorSatisfies(
                error -> {
                  assertEquals(ErrorKind.FAILED_PRECONDITION, dispatchError(error).kind());
                  assertTrue(error.getMessage().contains("closed"));
                })
            .verify(WAIT);
      }
      StepVerifier.create(
              dispatch.tasks(Scope.unrestricted(), TaskSubscription.of("acme", "q", "w")))
          .expectComplete()
          .verify(WAIT);
      StepVerifier.create(dispatch.workAvailable(Scope.unrestricted(), "acme", "q"))
          .expectComplete()
          .verify(WAIT);
      // closing again is harmless
      dispatch.closeGracefully(WAIT).block(WAIT);
    }
  }

  @Test
  void migrationsRunFromTheR2dbcSettingsAlone() {
    try (TestDatabase empty = TestDatabase.createEmpty()) {
      DispatchDatabase settings = EmbeddedArgumentsIT.settings(empty);
      String r2dbcUrl =
          "r2dbc:postgresql://"
              + settings.user()
              + "@"
              + settings.host()
              + ":"
              + settings.port()
              + "/"
              + settings.database();
      DispatchDatabase fromUrl = DispatchDatabase.fromUrl(r2dbcUrl);
      assertEquals(settings.jdbcUrl(), fromUrl.jdbcUrl());
      fromUrl.migrate().block(WAIT);
      assertEquals(
          1,
          empty.scalar(
              "SELECT count(*) FROM information_schema.tables WHERE table_name = 'task_executions'"));
      ConnectionPool pool = fromUrl.pool(2);
      Dispatch dispatch = Dispatch.builder(pool).start().block(WAIT);
      try {
        assertTrue(
            dispatch
                    .startWorkflow(Scope.unrestricted(), StartWorkflow.builder("acme", "k").build())
                    .block(WAIT)
                != null);
      } finally {
        dispatch.close();
        pool.dispose();
      }
    }
  }
}
