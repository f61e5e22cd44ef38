package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.store.NewTask;
import ai.flovyn.dispatch.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * A task submitted without max_retries gets {@link NewTask#DEFAULT_MAX_RETRIES}, the one default
 * the server applies. The column keeps its own DEFAULT from migration 003 (landed, never edited)
 * for rows written by hand; the two must not drift apart.
 */
class MaxRetriesDefaultIT {
  @Test
  void theColumnDefaultIsTheServersDefault() {
    try (TestDatabase db = TestDatabase.create()) {
      assertEquals(
          String.valueOf(NewTask.DEFAULT_MAX_RETRIES),
          db.rows(
                  "SELECT column_default FROM information_schema.columns"
                      + " WHERE table_name = 'task_executions' AND column_name = 'max_retries'")
              .get(0)
              .get("column_default"));
    }
  }
}
