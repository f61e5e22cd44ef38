package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.migrations.Migrations;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.junit.jupiter.api.Test;

/**
 * The rule for the functions (db.changelog-master.yaml): their files run again only when they
 * change, and a database whose functions the old 020 and 021 created ends with exactly the
 * functions of a new one.
 */
class FunctionMigrationsIT {
  /** The changelog as it was before 024 (a test resource: 020 and 021 as they landed). */
  private static final String BEFORE_024 = "db/changelog-before-024/db.changelog-master.yaml";

  private static final String FUNCTIONS =
      "SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments,"
          + " pg_get_functiondef(p.oid) AS definition FROM pg_proc p"
          + " JOIN pg_namespace n ON n.oid = p.pronamespace"
          + " WHERE n.nspname = current_schema() AND p.proname LIKE 'dispatch\\_%' ORDER BY 1, 2";

  private static final String CHANGESETS =
      "SELECT id, filename, md5sum, dateexecuted, orderexecuted, exectype FROM databasechangelog"
          + " ORDER BY orderexecuted";

  @Test
  void applyingAgainRunsNothing() {
    try (TestDatabase db = TestDatabase.create()) {
      List<Map<String, Object>> changesets = db.rows(CHANGESETS);
      List<Map<String, Object>> functions = db.rows(FUNCTIONS);

      Migrations.apply(db.jdbcUrl(), db.user(), db.password());

      assertEquals(changesets, db.rows(CHANGESETS));
      assertEquals(functions, db.rows(FUNCTIONS));
      assertEquals(
          0, db.scalar("SELECT count(*) FROM databasechangelog WHERE exectype <> 'EXECUTED'"));
    }
  }

  @Test
  void aFunctionWhoseFileChangedIsCreatedAgain() {
    try (TestDatabase db = TestDatabase.create()) {
      // as if the file had been edited since: another body in the database, another checksum
      db.execute(
          "CREATE OR REPLACE FUNCTION dispatch_backoff_ms(p_base_ms double precision,"
              + " p_max_ms double precision, p_attempt int) RETURNS double precision"
              + " LANGUAGE sql IMMUTABLE AS 'SELECT 0::double precision'");
      db.execute(
          "UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000'"
              + " WHERE id = 'function-dispatch_backoff_ms'");

      Migrations.apply(db.jdbcUrl(), db.user(), db.password());

      assertEquals(800, db.scalar("SELECT dispatch_backoff_ms(100, 60000, 3)::bigint"));
      assertEquals(
          List.of(Map.of("id", "function-dispatch_backoff_ms", "exectype", "RERAN")),
          db.rows("SELECT id, exectype FROM databasechangelog WHERE exectype <> 'EXECUTED'"));
    }
  }

  @Test
  void aDatabaseMigratedBefore024EndsWithTheFunctionsOfANewOne() throws Exception {
    try (TestDatabase fresh = TestDatabase.create();
        TestDatabase old = TestDatabase.createEmpty()) {
      try (Connection connection = old.jdbc()) {
        update(connection, BEFORE_024);
      }
      assertEquals(
          1,
          old.scalar(
              "SELECT count(*) FROM pg_proc WHERE proname = 'dispatch_claim_tasks'"
                  + " AND pg_get_function_identity_arguments(oid) LIKE 'tenant text, %'"),
          "the old changelog created the old signatures");

      // every changeset of the old changelog is recognised as run: none of 001-023 runs again
      Migrations.apply(old.jdbcUrl(), old.user(), old.password());

      assertEquals(fresh.rows(FUNCTIONS), old.rows(FUNCTIONS));
      List<Map<String, Object>> upgrade =
          old.rows(
              "SELECT id FROM databasechangelog WHERE id NOT LIKE '020-%' AND id NOT LIKE '021-%'"
                  + " ORDER BY orderexecuted");
      assertEquals(
          fresh.rows("SELECT id FROM databasechangelog ORDER BY orderexecuted"),
          upgrade,
          "the same changesets, in the same order, and the old function changesets besides");
      assertTrue(
          old.scalar("SELECT count(*) FROM databasechangelog WHERE id LIKE '020-%'") > 0,
          "the fixture ran 020");
    }
  }

  // Liquibase's update with another changelog than the real one, as Migrations runs it
  private static void update(Connection connection, String changelog) throws Exception {
    Scope.child(
        Map.of(
            "liquibase.analytics.enabled",
            false,
            "liquibase.showBanner",
            false,
            Scope.Attr.ui.name(),
            new LoggerUIService()),
        () -> {
          Database database =
              DatabaseFactory.getInstance()
                  .findCorrectDatabaseImplementation(new JdbcConnection(connection));
          new CommandScope(UpdateCommandStep.COMMAND_NAME)
              .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
              .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
              .addArgumentValue(
                  "resourceAccessor",
                  new ClassLoaderResourceAccessor(FunctionMigrationsIT.class.getClassLoader()))
              .execute();
        });
  }
}
