package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.store.NotificationListener;
import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pollers hear of retried tasks once they are visible by the database's clock; the first run
 * announces all that are (as after a restart, when the announcements of their failures were
 * missed).
 */
class AnnouncementChoreIT {
  private static ChoreFixture fixture;

  @BeforeAll
  static void database() {
    // no backoff: a failed attempt is visible again at once
    fixture =
        ChoreFixture.create(
            DispatchOptions.defaults().toBuilder()
                .retryBackoff(Duration.ZERO, Duration.ZERO)
                .build());
  }

  @AfterAll
  static void drop() {
    fixture.close();
  }

  @Test
  void aRetriedTaskVisibleBeforeTheFirstRunIsAnnouncedToItsQueue() throws Exception {
    String queue = "announced";
    UUID task = fixture.claimedTask(queue, "w", 3);
    // announced by the failure itself, to nobody: no listener yet
    fixture.dispatch.failTask(Scope.unrestricted(), task, "boom").block(ChoreFixture.WAIT);
    assertEquals("PENDING", fixture.value("SELECT status FROM task_executions WHERE id = ?", task));
    NotificationListener listener =
        NotificationListener.start(fixture.db.connectionFactoryUnpooled());
    try {
      listener.firstListening().block(ChoreFixture.WAIT);
      CompletableFuture<WorkSignal> heard =
          listener
              .signals()
              .filter(signal -> signal.kind() == WorkSignal.Kind.TASK)
              .next()
              .toFuture();
      AnnouncementChore announcements = new AnnouncementChore(fixture.transactor);

      fixture.firstRun(announcements, 500, run -> true);

      assertEquals(
          new WorkSignal(WorkSignal.Kind.TASK, ChoreFixture.TENANT, queue),
          heard.get(ChoreFixture.WAIT.toSeconds(), TimeUnit.SECONDS));
      assertNull(
          announcements.nextDue(fixture.clock.instant()).block(ChoreFixture.WAIT),
          "nothing else becomes visible");
    } finally {
      listener.close();
    }
  }
}
