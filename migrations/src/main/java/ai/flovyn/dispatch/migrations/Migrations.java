package ai.flovyn.dispatch.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * Applies the dispatch schema's Liquibase changelog to a PostgreSQL database; applying it again
 * changes nothing.
 */
public final class Migrations {

  /** The master changelog on the classpath. */
  public static final String CHANGELOG = "db/changelog/db.changelog-master.yaml";

  private Migrations() {}

  /**
   * Applies every changeset not yet applied, under Liquibase's lock so that several instances may
   * start at once.
   *
   * @throws MigrationException when the database cannot be reached or a changeset fails
   */
  public static void apply(String jdbcUrl, String user, String password) {
    Properties props = new Properties();
    if (user != null && !user.isEmpty()) {
      props.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) {
      props.setProperty("password", password);
    }
    try (Connection connection = DriverManager.getConnection(jdbcUrl, props)) {
      apply(connection);
    } catch (SQLException e) {
      throw new MigrationException(
          "cannot connect to " + redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
  }

  /** Applies the changelog over an open JDBC connection (left open). */
  public static void apply(Connection connection) {
    // No usage reports leave this process; progress goes to the log, not to standard output.
    Map<String, Object> scope =
        Map.of(
            "liquibase.analytics.enabled",
            false,
            "liquibase.showBanner",
            false,
            Scope.Attr.ui.name(),
            new LoggerUIService(),
            // Liquibase logs through SLF4J, like the rest of the library
            Scope.Attr.logService.name(),
            new Slf4jLogService());
    try {
      Scope.child(
          scope,
          () -> {
            Database database =
                DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            new CommandScope(UpdateCommandStep.COMMAND_NAME)
                .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                .addArgumentValue(
                    ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                .addArgumentValue(
                    "resourceAccessor",
                    new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()))
                .execute();
          });
    } catch (LiquibaseException e) {
      throw new MigrationException("migration failed: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new MigrationException("migration failed: " + e.getMessage(), e);
    }
  }

  /** Applies the migrations to the database named by its arguments: URL [user [password]]. */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: Migrations <jdbc-url> [user [password]]");
      System.exit(2);
    }
    try {
      apply(args[0], args.length > 1 ? args[1] : null, args.length > 2 ? args[2] : null);
    } catch (MigrationException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  static String redact(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
  }

  /** Thrown when the schema cannot be brought up to date. */
  public static final class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MigrationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
