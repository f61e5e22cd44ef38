package ai.flovyn.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.maintenance.LeaseRenewal;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Tenant isolation of the library API: an embedder hands each call the caller's {@link Scope} and
 * gets the same answers a gRPC caller does.
 */
class DispatchTenancyIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Scope A = Scope.tenant("a");
  private static final Scope B = Scope.tenant("b");

  private static TestDatabase db;
  private static Dispatch dispatch;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    dispatch = Dispatch.create(db.connectionFactory());
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  private static StartWorkflow start(String tenant) {
    return new StartWorkflow(
        tenant,
        "checkout",
        "{}".getBytes(StandardCharsets.UTF_8),
        Map.of(),
        "q",
        0,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static SubmitTask task(String tenant, String queue) {
    return new SubmitTask(
        null,
        tenant,
        "charge",
        "{}".getBytes(StandardCharsets.UTF_8),
        Map.of(),
        3,
        null,
        null,
        null,
        queue,
        null,
        null);
  }

  private static DispatchException errorOf(Mono<?> call) {
    try {
      call.block(WAIT);
    } catch (DispatchException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void aRequestNamingAnotherTenantIsPermissionDeniedAndStartsNothing() {
    long before = db.scalar("SELECT count(*) FROM workflow_executions");
    DispatchException denied = errorOf(dispatch.startWorkflow(B, start("a")));
    assertEquals(ErrorKind.PERMISSION_DENIED, denied.kind());
    assertEquals("tenant_id must name the caller's own tenant", denied.getMessage());
    assertEquals(before, db.scalar("SELECT count(*) FROM workflow_executions"));
    assertEquals(
        ErrorKind.PERMISSION_DENIED, errorOf(dispatch.listWorkers(B, "a").collectList()).kind());
    assertEquals(
        ErrorKind.PERMISSION_DENIED,
        errorOf(dispatch.workSignals(B, "a", "q").take(1).collectList()).kind());
  }

  @Test
  void anotherTenantsWorkflowIsNotFoundExactlyAsNoneIs() {
    UUID workflow = dispatch.startWorkflow(A, start("a")).block(WAIT).workflowExecutionId();
    UUID none = UUID.randomUUID();

    assertSameAsNone(workflow, none, id -> dispatch.events(B, id).collectList(), "events");
    assertSameAsNone(
        workflow, none, id -> dispatch.queryWorkflow(B, id, "__status"), "queryWorkflow");
    assertSameAsNone(
        workflow,
        none,
        id -> dispatch.signalWorkflow(B, "b", id, "s", "1".getBytes(StandardCharsets.UTF_8)),
        "signalWorkflow");
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", workflow));

    // its own tenant and an unrestricted caller see it
    assertEquals(1, dispatch.events(A, workflow).collectList().block(WAIT).size());
    assertEquals(
        1, dispatch.events(Scope.unrestricted(), workflow).collectList().block(WAIT).size());
  }

  @Test
  void anotherTenantsTaskIsNotFoundAndUntouched() {
    UUID task =
        dispatch.submitTask(A, task("a", "qa-" + UUID.randomUUID())).block(WAIT).taskExecutionId();
    UUID none = UUID.randomUUID();

    assertSameAsNone(task, none, id -> dispatch.cancelTask(B, id), "cancelTask");
    assertSameAsNone(
        task,
        none,
        id -> dispatch.setTaskState(B, id, "k", "1".getBytes(StandardCharsets.UTF_8)),
        "setTaskState");
    assertSameAsNone(task, none, id -> dispatch.getTaskState(B, id, "k"), "getTaskState");
    assertSameAsNone(task, none, id -> dispatch.taskLogs(B, id, 0, 0), "taskLogs");
    assertSameAsNone(task, none, id -> dispatch.logMessage(B, id, "INFO", "x"), "logMessage");
    assertSameAsNone(task, none, id -> dispatch.openTaskData(B, id), "openTaskData");

    assertEquals(
        "PENDING",
        db.rows("SELECT status FROM task_executions WHERE id = ?", task).get(0).get("status"));
    assertEquals(0, db.scalar("SELECT count(*) FROM task_state WHERE task_execution_id = ?", task));
    assertEquals(0, db.scalar("SELECT count(*) FROM task_logs WHERE task_execution_id = ?", task));
    dispatch.cancelTask(A, task).block(WAIT);
    assertEquals(
        "CANCELLED",
        db.rows("SELECT status FROM task_executions WHERE id = ?", task).get(0).get("status"));
  }

  @Test
  void liveTaskDataOfAnotherTenantReachesNoSubscriber() {
    UUID task =
        dispatch.submitTask(A, task("a", "qd-" + UUID.randomUUID())).block(WAIT).taskExecutionId();
    Flux<TaskData> feed = dispatch.openTaskData(A, task).block(WAIT);
    StepVerifier.create(feed.take(1))
        .then(() -> dispatch.streamTaskData(B, data(task, 1)).block(WAIT))
        .then(() -> dispatch.streamTaskData(A, data(task, 2)).block(WAIT))
        // the feed keeps the order of publication: had B's event been delivered, it came first
        .assertNext(event -> assertEquals(2, event.sequence()))
        .expectComplete()
        .verify(WAIT);
  }

  private static TaskData data(UUID task, int sequence) {
    return new TaskData(task, null, sequence, 1, "{\"text\":\"t\"}", 0L, 0L);
  }

  @Test
  void oneTenantsSignsOfLifeNeverRenewAnotherTenantsLeases() {
    String queue = "ql-" + UUID.randomUUID();
    UUID task = dispatch.submitTask(A, task("a", queue)).block(WAIT).taskExecutionId();
    assertEquals(
        task,
        dispatch.pollTask(A, "a", queue, null, "shared-worker", Duration.ZERO).block(WAIT).id());
    LeaseRenewal renewal =
        new LeaseRenewal(
            new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory())),
            Duration.ofMinutes(10),
            new SimpleMeterRegistry());
    Supplier<Long> renewed =
        () -> {
          // past half of its lease: any sign of life of its own renews it
          db.execute(
              "UPDATE task_executions SET lease_expires_at = now() + interval '1 minute'"
                  + " WHERE id = ?",
              task);
          return renewal.flush().block(WAIT);
        };

    renewal.workerSeen("b", "shared-worker");
    renewal.taskSeen("b", task);
    assertEquals(0L, renewed.get());
    renewal.workerSeen("a", "shared-worker");
    assertEquals(1L, renewed.get());
    renewal.taskSeen("a", task);
    assertEquals(1L, renewed.get());
    renewal.taskSeen(null, task);
    assertEquals(1L, renewed.get());
  }

  private static <T> void assertSameAsNone(
      UUID ofOtherTenant, UUID none, java.util.function.Function<UUID, Mono<T>> call, String what) {
    DispatchException other = errorOf(call.apply(ofOtherTenant));
    DispatchException missing = errorOf(call.apply(none));
    assertEquals(ErrorKind.NOT_FOUND, other.kind(), what);
    assertEquals(
        missing.getMessage().replace(none.toString(), "<id>"),
        other.getMessage().replace(ofOtherTenant.toString(), "<id>"),
        what);
    assertTrue(other.getMessage().contains(ofOtherTenant.toString()), what);
  }
}
