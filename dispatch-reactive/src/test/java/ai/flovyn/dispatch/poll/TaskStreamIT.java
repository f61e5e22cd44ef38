package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.domain.TaskSubscription;
import ai.flovyn.dispatch.domain.WorkAvailable;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@code Dispatch.tasks}: claims follow demand, and a cancel loses no task. */
class TaskStreamIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;
  private static Dispatch dispatch;
  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    dispatch = Dispatch.builder(db.connectionFactory()).meterRegistry(registry).start().block(WAIT);
  }

  private static double pollsWaiting() {
    return registry.get("dispatch_polls_waiting").gauge().value();
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  private static UUID submit(String queue) {
    return dispatch
        .submitTask(Scope.unrestricted(), SubmitTask.builder("acme", "work").queue(queue).build())
        .block(WAIT)
        .taskExecutionId();
  }

  private static long running(String queue) {
    return db.scalar(
        "SELECT count(*) FROM task_executions WHERE queue = ? AND status = 'RUNNING'", queue);
  }

  @Test
  void tasksAreClaimedOnlyAsTheSubscriberRequestsThem() throws Exception {
    for (int i = 0; i < 3; i++) {
      submit("demand");
    }
    StepVerifier.create(
            dispatch.tasks(Scope.unrestricted(), TaskSubscription.of("acme", "demand", "w1")), 0)
        .then(() -> assertEquals(0, running("demand")))
        .thenRequest(1)
        .expectNextCount(1)
        .then(() -> assertEquals(1, running("demand")))
        .thenRequest(2)
        .expectNextCount(2)
        .then(() -> assertEquals(3, running("demand")))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void aTaskClaimedAfterTheSubscriberCancelledGoesBackToPending() throws Exception {
    // the subscriber asks for one task, the poll waits (the queue is empty), then it cancels
    Flux<ClaimedTask> tasks =
        dispatch.tasks(Scope.unrestricted(), TaskSubscription.of("acme", "cancel", "w1"));
    var subscription = tasks.subscribe();
    Await.until(() -> pollsWaiting() == 1, "the stream's poll is waiting");
    subscription.dispose();
    // the claim that was waiting still runs when work arrives, and hands the task back
    UUID taskId = submit("cancel");
    Await.until(
        () ->
            db.scalar(
                    "SELECT count(*) FROM task_executions WHERE id = ? AND status = 'PENDING'"
                        + " AND execution_count = 0 AND updated_at > created_at",
                    taskId)
                == 1,
        "the task is PENDING again, its claim undone");
    ClaimedTask next =
        dispatch
            .pollTask(Scope.unrestricted(), "acme", "cancel", null, "w2", Duration.ofSeconds(5))
            .block(WAIT);
    assertEquals(taskId, next.id());
    assertEquals(1, next.executionCount());
  }

  @Test
  void workAvailableSaysWhichKindOfWorkAppeared() {
    StepVerifier.create(
            dispatch
                .workAvailable(Scope.unrestricted(), "acme", "signals")
                .filter(work -> work.kind() != WorkAvailable.Kind.ANY)
                .take(1))
        .then(() -> submit("signals"))
        .expectNext(new WorkAvailable(WorkAvailable.Kind.TASK, "acme", "signals"))
        .expectComplete()
        .verify(WAIT);
  }
}
