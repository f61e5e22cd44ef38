package ai.flovyn.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartChild;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Every bad argument to the library API fails the returned publisher with INVALID_ARGUMENT naming
 * the field (never a thrown exception, never INTERNAL), and a database that cannot be used fails
 * {@code start()} with UNAVAILABLE or FAILED_PRECONDITION saying why.
 */
class EmbeddedArgumentsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;
  private static Dispatch dispatch;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    dispatch = Dispatch.builder(db.connectionFactory()).start().block(WAIT);
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  /**
   * The call's publisher, made without throwing, fails with INVALID_ARGUMENT naming {@code field}.
   */
  private static void invalid(String field, Supplier<Publisher<?>> call) {
    Publisher<?> publisher = call.get();
    StepVerifier.create(Flux.from(publisher))
        .expectErrorSatisfies(
            error -> {
              assertTrue(error instanceof DispatchException, error.toString());
              DispatchException dispatchError = (DispatchException) error;
              assertEquals(ErrorKind.INVALID_ARGUMENT, dispatchError.kind(), error.getMessage());
              assertTrue(
                  dispatchError.getMessage().startsWith(field),
                  field + " not named first in: " + dispatchError.getMessage());
            })
        .verify(WAIT);
  }

  @Test
  void nullRequestsAreInvalidArguments() {
    invalid("request", () -> dispatch.startWorkflow(Scope.unrestricted(), null));
    invalid("request", () -> dispatch.startChildWorkflow(Scope.unrestricted(), null));
    invalid("request", () -> dispatch.signalWithStartWorkflow(Scope.unrestricted(), null));
    invalid("request", () -> dispatch.submitTask(Scope.unrestricted(), null));
    invalid("batch", () -> dispatch.submitCommands(Scope.unrestricted(), null));
    invalid("registration", () -> dispatch.registerWorker(Scope.unrestricted(), null));
    invalid("data", () -> dispatch.streamTaskData(Scope.unrestricted(), null));
    invalid("subscription", () -> dispatch.tasks(Scope.unrestricted(), null));
  }

  @Test
  void nullInputBytesAreInvalidArguments() {
    invalid(
        "input",
        () ->
            dispatch.startWorkflow(
                Scope.unrestricted(), StartWorkflow.builder("acme", "k").input(null).build()));
    invalid(
        "input",
        () ->
            dispatch.startChildWorkflow(
                Scope.unrestricted(),
                StartChild.builder(UUID.randomUUID(), "child", "acme")
                    .workflowKind("k")
                    .input(null)
                    .build()));
    invalid(
        "signal_value",
        () ->
            dispatch.signalWithStartWorkflow(
                Scope.unrestricted(),
                SignalWithStart.builder("acme", "order-1", "k", "go").signalValue(null).build()));
    invalid(
        "input",
        () ->
            dispatch.submitTask(
                Scope.unrestricted(), SubmitTask.builder("acme", "t").input(null).build()));
    invalid("output", () -> dispatch.completeTask(Scope.unrestricted(), UUID.randomUUID(), null));
    invalid("value", () -> dispatch.resolvePromise(Scope.unrestricted(), "w:p", null));
    invalid(
        "value", () -> dispatch.setTaskState(Scope.unrestricted(), UUID.randomUUID(), "k", null));
    invalid(
        "signal_value",
        () -> dispatch.signalWorkflow(Scope.unrestricted(), "acme", UUID.randomUUID(), "go", null));
  }

  @Test
  void nullMetadataIsAnInvalidArgumentNotAConstructorFailure() {
    invalid(
        "metadata",
        () ->
            dispatch.startWorkflow(
                Scope.unrestricted(), StartWorkflow.builder("acme", "k").metadata(null).build()));
    Map<String, String> withNullValue = new HashMap<>();
    withNullValue.put("source", null);
    invalid(
        "metadata[source]",
        () ->
            dispatch.startWorkflow(
                Scope.unrestricted(),
                StartWorkflow.builder("acme", "k").metadata(withNullValue).build()));
    invalid(
        "metadata",
        () ->
            dispatch.submitTask(
                Scope.unrestricted(), SubmitTask.builder("acme", "t").metadata(null).build()));
  }

  @Test
  void nullBatchPartsAreInvalidArguments() {
    UUID workflow = UUID.randomUUID();
    invalid(
        "status",
        () ->
            dispatch.submitCommands(
                Scope.unrestricted(), CommandBatch.builder(workflow).status(null).build()));
    invalid(
        "workflow_execution_id",
        () -> dispatch.submitCommands(Scope.unrestricted(), CommandBatch.builder(null).build()));
    invalid(
        "commands",
        () ->
            dispatch.submitCommands(
                Scope.unrestricted(), new CommandBatch(workflow, null, RequestedStatus.SUSPENDED)));
    invalid(
        "commands[1]",
        () ->
            dispatch.submitCommands(
                Scope.unrestricted(),
                new CommandBatch(
                    workflow,
                    Arrays.asList(Command.startTimer("t", 10), null),
                    RequestedStatus.SUSPENDED)));
    invalid(
        "commands[0].input",
        () ->
            dispatch.submitCommands(
                Scope.unrestricted(),
                CommandBatch.builder(workflow)
                    .commands(List.of(Command.scheduleTask(UUID.randomUUID(), "t", null)))
                    .build()));
    invalid(
        "commands[0].output",
        () ->
            dispatch.submitCommands(
                Scope.unrestricted(),
                CommandBatch.builder(workflow)
                    .commands(List.of(Command.completeWorkflow(null)))
                    .build()));
  }

  @Test
  void nullIdsAndListsAreInvalidArguments() {
    invalid("task_id", () -> dispatch.completeTask(Scope.unrestricted(), null, new byte[0]));
    invalid("task_id", () -> dispatch.heartbeat(Scope.unrestricted(), null));
    invalid("task_id", () -> dispatch.getTaskState(Scope.unrestricted(), null, "k"));
    invalid("workflow_execution_id", () -> dispatch.events(Scope.unrestricted(), null));
    invalid(
        "workflow_execution_id",
        () -> dispatch.queryWorkflow(Scope.unrestricted(), null, "__status"));
    invalid(
        "kinds",
        () ->
            dispatch.pollWorkflow(
                Scope.unrestricted(), "acme", "q", null, null, "w", Duration.ofSeconds(1)));
    invalid(
        "workflow_kinds",
        () ->
            dispatch.registerWorker(
                Scope.unrestricted(),
                WorkerRegistration.builder("acme", "w").workflowKinds(null).build()));
    invalid(
        "poll_timeout",
        () ->
            dispatch.tasks(
                Scope.unrestricted(),
                TaskSubscription.of("acme", "q", "w").withPollTimeout(Duration.ZERO)));
  }

  @Test
  void aDatabaseThatDoesNotExistIsUnavailableAndSaysSo() {
    DispatchDatabase missing =
        settings(db)
            .withDatabase("no_such_database_" + UUID.randomUUID().toString().substring(0, 8));
    var pool = missing.pool(1);
    try {
      StepVerifier.create(Dispatch.builder(pool).start())
          .expectErrorSatisfies(
              error -> {
                DispatchException dispatchError = (DispatchException) error;
                assertEquals(ErrorKind.UNAVAILABLE, dispatchError.kind());
                assertTrue(dispatchError.getMessage().contains("does not exist (3D000)"));
              })
          .verify(WAIT);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void aRefusedConnectionIsUnavailableAndSaysSo() {
    // port 1: nothing listens there
    DispatchDatabase nowhere = DispatchDatabase.of("127.0.0.1", 1, "postgres", "postgres", null);
    var pool = nowhere.pool(1);
    try {
      StepVerifier.create(Dispatch.builder(pool).start())
          .expectErrorSatisfies(
              error -> {
                DispatchException dispatchError = (DispatchException) error;
                assertEquals(ErrorKind.UNAVAILABLE, dispatchError.kind());
                assertTrue(
                    dispatchError.getMessage().contains("connection refused"),
                    dispatchError.getMessage());
              })
          .verify(WAIT);
      StepVerifier.create(nowhere.migrate())
          .expectErrorSatisfies(
              error -> assertEquals(ErrorKind.UNAVAILABLE, ((DispatchException) error).kind()))
          .verify(WAIT);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void aDatabaseWithoutTheSchemaIsAFailedPreconditionNamingTheMigrations() {
    try (TestDatabase empty = TestDatabase.createEmpty()) {
      var pool = settings(empty).pool(1);
      try {
        StepVerifier.create(Dispatch.builder(pool).start())
            .expectErrorSatisfies(
                error -> {
                  DispatchException dispatchError = (DispatchException) error;
                  assertEquals(ErrorKind.FAILED_PRECONDITION, dispatchError.kind());
                  assertTrue(dispatchError.getMessage().contains("migrations"));
                })
            .verify(WAIT);
      } finally {
        pool.dispose();
      }
    }
  }

  /** The library's settings for a test database. */
  static DispatchDatabase settings(TestDatabase database) {
    URI uri = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    String name = uri.getPath().substring(1);
    return DispatchDatabase.of(
        uri.getHost(),
        uri.getPort() < 0 ? 5432 : uri.getPort(),
        name,
        database.user(),
        database.password());
  }
}
