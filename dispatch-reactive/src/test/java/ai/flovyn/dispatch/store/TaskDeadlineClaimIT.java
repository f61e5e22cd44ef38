package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dispatch_claim_tasks} never hands out a task whose deadline (an agent task's timeout,
 * fixed at creation) has passed: the deadline chore fails it, and until it runs no worker may start
 * it.
 */
class TaskDeadlineClaimIT {
  private static TestDatabase db;
  private static Transactor transactor;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    transactor = new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory()));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void aTaskPastItsDeadlineIsNotClaimedAndOneBeforeItIs() {
    UUID late = pending("late");
    UUID onTime = pending("on-time");
    db.execute(
        "UPDATE task_executions SET deadline_at = now() - interval '1 second' WHERE id = ?", late);
    db.execute(
        "UPDATE task_executions SET deadline_at = now() + interval '1 hour' WHERE id = ?", onTime);

    assertEquals(List.of(), claim("late"));
    assertEquals(List.of(onTime), claim("on-time"));
    assertEquals(
        "PENDING",
        db.rows("SELECT status FROM task_executions WHERE id = ?", late).get(0).get("status"));
  }

  private static UUID pending(String queue) {
    UUID id = UUID.randomUUID();
    NewTask task = NewTask.builder(id, "tool").tenant("t").queue(queue).build();
    transactor.inTransaction(tx -> tx.tasks().insert(List.of(task))).block(Duration.ofSeconds(30));
    return id;
  }

  private static List<UUID> claim(String queue) {
    return transactor
        .autocommit(
            tx ->
                tx.claims()
                    .claimTasks("t", queue, null, new String[] {"worker"}, 60_000)
                    .map(claimed -> claimed.task().id())
                    .collectList())
        .block(Duration.ofSeconds(30));
  }
}
