package ai.flovyn.dispatch.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The server's configuration: each setting comes from an environment variable {@code DISPATCH_X}
 * and may be overridden on the command line by {@code --x=value} (or {@code --x value}).
 */
public record ServerConfig(
    int grpcPort,
    Optional<String> dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    int metricsPort,
    Path dataDir,
    Duration maxPollTimeout,
    Duration shutdownGrace,
    Duration taskLease,
    Duration workflowLease,
    int groupCommitMax,
    DatabaseTimeouts dbTimeouts,
    int workflowMaxReleases,
    Duration retention,
    Map<String, Duration> tenantRetention) {

  /** One setting: its environment variable, default and help text. */
  record Setting(String env, String defaultValue, String help) {
    String flag() {
      return "--" + env.substring("DISPATCH_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final List<Setting> SETTINGS =
      List.of(
          new Setting("DISPATCH_GRPC_PORT", "9090", "gRPC port (0 = any free port)"),
          new Setting(
              "DISPATCH_DB_URL",
              "",
              "PostgreSQL JDBC URL, jdbc:postgresql://host:port/db; empty = embedded PostgreSQL"),
          new Setting("DISPATCH_DB_USER", "postgres", "database user"),
          new Setting("DISPATCH_DB_PASSWORD", "", "database password"),
          new Setting("DISPATCH_DB_POOL_SIZE", "8", "R2DBC connection pool size"),
          new Setting(
              "DISPATCH_METRICS_PORT", "9464", "Prometheus metrics HTTP port, serves /metrics"),
          new Setting(
              "DISPATCH_DATA_DIR", "dispatch-data", "where the embedded PostgreSQL keeps its data"),
          new Setting(
              "DISPATCH_MAX_POLL_SECONDS", "60", "cap on a long poll's timeout_seconds (1-3600)"),
          new Setting(
              "DISPATCH_SHUTDOWN_GRACE_SECONDS", "10", "how long shutdown lets calls finish"),
          new Setting(
              "DISPATCH_TASK_LEASE_SECONDS",
              "900",
              "a claimed task without timeout_ms fails its attempt after this long without a sign"
                  + " of life of its worker (poll, heartbeat) or of itself (log, data, progress)"),
          new Setting(
              "DISPATCH_WORKFLOW_LEASE_SECONDS",
              "120",
              "a claimed workflow returns to PENDING after this long without a command batch"),
          new Setting(
              "DISPATCH_GROUP_COMMIT_MAX",
              "64",
              "most concurrent command batches sharing one transaction (1 = group commit off)"),
          new Setting(
              "DISPATCH_DB_STATEMENT_TIMEOUT_MS",
              "30000",
              "PostgreSQL statement_timeout of the service's connections (0 = off)"),
          new Setting(
              "DISPATCH_DB_LOCK_TIMEOUT_MS",
              "10000",
              "PostgreSQL lock_timeout of the service's connections (0 = off)"),
          new Setting(
              "DISPATCH_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
              "60000",
              "PostgreSQL idle_in_transaction_session_timeout (0 = off)"),
          new Setting(
              "DISPATCH_WORKFLOW_MAX_RELEASES",
              "5",
              "claims of a workflow released (lease expired, batch rejected) before it fails"),
          new Setting(
              "DISPATCH_RETENTION_DAYS",
              "7",
              "finished workflows and tasks are deleted this many days after they finished"),
          new Setting(
              "DISPATCH_RETENTION_TENANTS", "", "per-tenant retention days, e.g. acme=30,beta=1"));

  /**
   * Reads the configuration from the environment and the command line.
   *
   * @throws ConfigException on an unknown flag or a malformed value
   */
  public static ServerConfig from(Map<String, String> environment, String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Setting setting : SETTINGS) {
      values.put(setting.env(), environment.getOrDefault(setting.env(), setting.defaultValue()));
    }
    applyFlags(args, values);
    return new ServerConfig(
        port(values, "DISPATCH_GRPC_PORT"),
        Optional.of(values.get("DISPATCH_DB_URL").trim()).filter(url -> !url.isEmpty()),
        values.get("DISPATCH_DB_USER"),
        values.get("DISPATCH_DB_PASSWORD"),
        intIn(values, "DISPATCH_DB_POOL_SIZE", 1, 1000),
        port(values, "DISPATCH_METRICS_PORT"),
        Path.of(values.get("DISPATCH_DATA_DIR")),
        Duration.ofSeconds(intIn(values, "DISPATCH_MAX_POLL_SECONDS", 1, 3600)),
        Duration.ofSeconds(intIn(values, "DISPATCH_SHUTDOWN_GRACE_SECONDS", 0, 3600)),
        Duration.ofSeconds(intIn(values, "DISPATCH_TASK_LEASE_SECONDS", 1, 86400)),
        Duration.ofSeconds(intIn(values, "DISPATCH_WORKFLOW_LEASE_SECONDS", 1, 86400)),
        intIn(values, "DISPATCH_GROUP_COMMIT_MAX", 1, 1000),
        new DatabaseTimeouts(
            millis(values, "DISPATCH_DB_STATEMENT_TIMEOUT_MS"),
            millis(values, "DISPATCH_DB_LOCK_TIMEOUT_MS"),
            millis(values, "DISPATCH_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS")),
        intIn(values, "DISPATCH_WORKFLOW_MAX_RELEASES", 0, 1000),
        Duration.ofDays(intIn(values, "DISPATCH_RETENTION_DAYS", 1, 36500)),
        tenantDays(values.get("DISPATCH_RETENTION_TENANTS")));
  }

  // "acme=30,beta=1": tenant names as the API takes them, days as DISPATCH_RETENTION_DAYS
  private static Map<String, Duration> tenantDays(String raw) {
    Map<String, Duration> days = new LinkedHashMap<>();
    for (String entry : raw.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.lastIndexOf('=');
      String tenant = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (tenant.isEmpty()) {
        throw new ConfigException(
            "DISPATCH_RETENTION_TENANTS / --retention-tenants must be tenant=days[,tenant=days...]");
      }
      days.put(
          tenant,
          Duration.ofDays(
              intIn(
                  Map.of("DISPATCH_RETENTION_TENANTS", entry.substring(eq + 1)),
                  "DISPATCH_RETENTION_TENANTS",
                  1,
                  36500)));
    }
    return days;
  }

  /** The usage text listing every flag and its environment variable. */
  public static String usage() {
    StringBuilder text =
        new StringBuilder("usage: java -jar dispatch-reactive-server.jar [--flag=value ...]\n");
    for (Setting setting : SETTINGS) {
      text.append(
          String.format(
              "  %-26s %-32s %s (default: %s)%n",
              setting.flag(),
              setting.env(),
              setting.help(),
              setting.defaultValue().isEmpty() ? "none" : setting.defaultValue()));
    }
    return text.toString();
  }

  private static void applyFlags(String[] args, Map<String, String> values) {
    List<String> queue = new ArrayList<>(List.of(args));
    while (!queue.isEmpty()) {
      String arg = queue.remove(0);
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      Setting setting =
          SETTINGS.stream()
              .filter(s -> s.flag().equals(flag))
              .findFirst()
              .orElseThrow(
                  () -> new ConfigException("unknown flag " + flag + " (see --help for the list)"));
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (!queue.isEmpty()) {
        value = queue.remove(0);
      } else {
        throw new ConfigException("flag " + flag + " needs a value");
      }
      values.put(setting.env(), value);
    }
  }

  private static Duration millis(Map<String, String> values, String env) {
    return Duration.ofMillis(intIn(values, env, 0, 24 * 3600 * 1000));
  }

  private static int port(Map<String, String> values, String env) {
    return intIn(values, env, 0, 65535);
  }

  private static int intIn(Map<String, String> values, String env, int min, int max) {
    String raw = values.get(env).trim();
    String where = env + " / " + new Setting(env, "", "").flag();
    int value;
    try {
      value = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(where + " must be a whole number, got '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(
          where + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
