package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.migrations.Migrations;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MigrationsIT {
  private static TestDatabase db;

  @BeforeAll
  static void freshDatabase() {
    db = TestDatabase.createEmpty();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void applyingTwiceChangesNothingAndCreatesTheWholeModel() {
    Migrations.apply(db.jdbcUrl(), db.user(), db.password());
    long applied = db.scalar("SELECT count(*) FROM databasechangelog");
    String schemaBefore = schemaFingerprint();

    Migrations.apply(db.jdbcUrl(), db.user(), db.password());

    assertEquals(applied, db.scalar("SELECT count(*) FROM databasechangelog"));
    assertEquals(schemaBefore, schemaFingerprint());
    Set<String> tables =
        db
            .rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            .stream()
            .map(row -> (String) row.get("table_name"))
            .collect(Collectors.toSet());
    assertTrue(
        tables.containsAll(
            List.of(
                "workflow_executions",
                "workflow_events",
                "task_executions",
                "task_attempts",
                "timers",
                "promises",
                "workflow_state",
                "idempotency_keys")),
        tables.toString());

    assertEquals(
        List.of("workflow_execution_id", "sequence_number"),
        constraintColumns("workflow_events", "workflow_events_pkey"));
    assertEquals(List.of("id"), constraintColumns("task_executions", "task_executions_pkey"));
    assertEquals(
        List.of("tenant_id", "scope", "idempotency_key"),
        constraintColumns("idempotency_keys", "idempotency_keys_pkey"));
    assertEquals(
        List.of("workflow_execution_id", "name"),
        constraintColumns("promises", "promises_workflow_name_key"));

    Map<String, Object> readyIndex =
        db.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'task_executions_ready'").get(0);
    assertTrue(
        readyIndex.get("indexdef").toString().contains("WHERE ((status)::text = 'PENDING'::text)"),
        "PollTask reads a partial index of ready rows: " + readyIndex);
    assertEquals(
        1,
        db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'workflow_executions_ready'"));
    assertEquals(1, db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'timers_due'"));
  }

  @Test
  void uniqueEventSequencePerWorkflowIsEnforced() throws SQLException {
    Migrations.apply(db.jdbcUrl(), db.user(), db.password());
    db.execute(
        "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key)"
            + " VALUES ('00000000-0000-0000-0000-000000000001', 't', 'k', 'q', 'PENDING', now())");
    String event =
        "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type, event_data)"
            + " VALUES ('00000000-0000-0000-0000-000000000001', 1, 'WORKFLOW_STARTED', '{}')";
    db.execute(event);
    try (Connection connection = db.jdbc();
        Statement statement = connection.createStatement()) {
      SQLException error =
          org.junit.jupiter.api.Assertions.assertThrows(
              SQLException.class, () -> statement.execute(event));
      assertEquals("23505", error.getSQLState());
    }
  }

  private List<String> constraintColumns(String table, String constraint) {
    return db
        .rows(
            "SELECT a.attname FROM pg_constraint c"
                + " JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                + " WHERE c.conname = ? AND c.conrelid = ?::regclass AND c.contype IN ('p', 'u')"
                + " ORDER BY k.ord",
            constraint,
            table)
        .stream()
        .map(row -> (String) row.get("attname"))
        .toList();
  }

  private String schemaFingerprint() {
    return db.rows(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
            .toString()
        + db.rows("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
  }
}
