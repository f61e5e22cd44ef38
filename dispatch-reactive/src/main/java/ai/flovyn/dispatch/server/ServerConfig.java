package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.auth.StaticKeys;
import ai.flovyn.dispatch.grpc.TenantLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The server's configuration: each setting comes from an environment variable {@code DISPATCH_X} (a
 * few also from the Flovyn server's name for it, {@link FlovynEnvironment}) and may be overridden
 * on the command line by {@code --x=value} (or {@code --x value}); picocli parses the flags ({@link
 * SettingOptions}), this class holds the settings and checks the values.
 */
public record ServerConfig(
    int grpcPort,
    Optional<String> dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    int httpPort,
    Path dataDir,
    Duration maxPollTimeout,
    Duration shutdownGrace,
    Duration taskLease,
    Duration workflowLease,
    int groupCommitMax,
    DatabaseTimeouts dbTimeouts,
    int workflowMaxReleases,
    Duration retention,
    Map<String, Duration> tenantRetention,
    String grpcHost,
    Auth auth,
    String httpHost,
    Optional<TlsSettings> tls,
    TenantLimits.Settings tenantLimits,
    Duration claimLinger,
    Map<String, String> otel,
    StaticKeys staticKeys) {

  /** The setting naming a Flovyn server config file, also read as {@code CONFIG_FILE}. */
  static final String FLOVYN_CONFIG = "DISPATCH_FLOVYN_CONFIG";

  /**
   * Whether calls need a bearer token, and why: {@code explicit} when DISPATCH_AUTH said so,
   * otherwise the default rule decided (see {@link #from}).
   *
   * @param reload how often the token snapshot is reloaded as a backstop to notifications
   */
  public record Auth(boolean required, boolean explicit, Duration reload) {}

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
              "DISPATCH_GRPC_HOST",
              "",
              "address gRPC listens on; none = 127.0.0.1 with authentication off, 0.0.0.0 with"
                  + " it required"),
          new Setting(
              "DISPATCH_AUTH",
              "",
              "required | off: bearer tokens on every gRPC call; none = off only for the embedded"
                  + " database on a loopback address, required otherwise"),
          new Setting(
              "DISPATCH_AUTH_RELOAD_SECONDS",
              "5",
              "each instance reloads its token list this often (besides on every change), so a"
                  + " revoked token is dead everywhere within this bound"),
          new Setting(
              "DISPATCH_DB_URL",
              "",
              "PostgreSQL JDBC URL, jdbc:postgresql://host:port/db; empty = embedded PostgreSQL"),
          new Setting("DISPATCH_DB_USER", "postgres", "database user"),
          new Setting("DISPATCH_DB_PASSWORD", "", "database password"),
          new Setting("DISPATCH_DB_POOL_SIZE", "8", "R2DBC connection pool size"),
          new Setting(
              "DISPATCH_HTTP_PORT",
              "8000",
              "HTTP port: the operator API (/api/...) and console (/console/), /metrics,"
                  + " /_/health and live task data (0 = any free port)"),
          new Setting("DISPATCH_METRICS_PORT", "", "older name of DISPATCH_HTTP_PORT"),
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
              "DISPATCH_CLAIM_LINGER_MICROS",
              "1000",
              "longest a poll on a busy queue waits for the next polls to share its claim"
                  + " statement (0 = claim at once; 0-100000)"),
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
              "DISPATCH_RETENTION_TENANTS", "", "per-tenant retention days, e.g. acme=30,beta=1"),
          new Setting(
              "DISPATCH_HTTP_HOST",
              "",
              "address the HTTP port listens on; none = 127.0.0.1 with authentication off,"
                  + " 0.0.0.0 with it required (as gRPC)"),
          new Setting("DISPATCH_METRICS_HOST", "", "older name of DISPATCH_HTTP_HOST"),
          new Setting(
              "DISPATCH_TLS_CERT",
              "",
              "PEM certificate chain of the gRPC port; set with DISPATCH_TLS_KEY to serve TLS"),
          new Setting("DISPATCH_TLS_KEY", "", "PEM (PKCS#8) private key of DISPATCH_TLS_CERT"),
          new Setting(
              "DISPATCH_TLS_CLIENT_CA",
              "",
              "PEM CA certificates that client certificates must chain to (mTLS)"),
          new Setting(
              "DISPATCH_TLS_CLIENT_AUTH",
              "",
              "client certificates: none, optional or require; unset = require when"
                  + " DISPATCH_TLS_CLIENT_CA is set, else none"),
          new Setting(
              "DISPATCH_TLS_RELOAD_SECONDS",
              "60",
              "how often the TLS files are re-read, so a renewed certificate needs no restart"
                  + " (0 = never)"),
          new Setting(
              "DISPATCH_TENANT_MAX_LONG_POLLS",
              "256",
              "concurrent PollWorkflow/PollTask calls per tenant (0 = unlimited)"),
          new Setting(
              "DISPATCH_TENANT_MAX_STREAMS",
              "256",
              "concurrent streaming calls per tenant (0 = unlimited)"),
          new Setting(
              "DISPATCH_TENANT_MAX_BATCHES",
              "128",
              "command batches being applied at once per tenant, unary and streamed (0 ="
                  + " unlimited)"),
          new Setting(
              "DISPATCH_TENANT_RATE",
              "5000",
              "calls per second per tenant, token bucket (0 = unlimited)"),
          new Setting(
              "DISPATCH_TENANT_BURST",
              "10000",
              "calls a tenant may make at once above DISPATCH_TENANT_RATE (at least 1)"),
          new Setting(
              "DISPATCH_LOG_FORMAT",
              "text",
              "text | json: json writes one JSON object per log line, with the trace and span ids"
                  + " of the call it was written in (traces: the OTEL_* variables, see"
                  + " docs/observability.md)"),
          new Setting(
              FLOVYN_CONFIG,
              "",
              "a Flovyn server config file (TOML): its [[orgs]] ids are tenants named by their"
                  + " slugs, its [auth.static_api_key] keys are bearer tokens, [auth] enabled"
                  + " sets DISPATCH_AUTH; also read as CONFIG_FILE"));

  /**
   * Every environment variable the server reads: each setting's, and the Flovyn server's names of
   * some of them ({@link FlovynEnvironment}).
   *
   * @return the names, the server's own first
   */
  public static List<String> variables() {
    return Stream.concat(
            SETTINGS.stream().map(Setting::env), FlovynEnvironment.variables().stream())
        .toList();
  }

  /**
   * Reads the configuration from the environment and the command line.
   *
   * @throws ConfigException on an unknown flag or a malformed value
   */
  public static ServerConfig from(Map<String, String> environment, String[] args) {
    return from(environment, SettingOptions.parse(args));
  }

  /**
   * Reads the configuration from the environment and the flags a command line gave.
   *
   * @param flags each flag's value by its setting's environment variable (see {@link
   *     SettingOptions})
   * @throws ConfigException on a malformed value
   */
  static ServerConfig from(Map<String, String> environment, Map<String, String> flags) {
    Map<String, String> given = FlovynEnvironment.resolve(environment);
    Map<String, String> values = new LinkedHashMap<>();
    for (Setting setting : SETTINGS) {
      values.put(setting.env(), given.getOrDefault(setting.env(), setting.defaultValue()));
    }
    values.putAll(flags);
    olderName(values, "DISPATCH_METRICS_PORT", "DISPATCH_HTTP_PORT", given, flags);
    olderName(values, "DISPATCH_METRICS_HOST", "DISPATCH_HTTP_HOST", given, flags);
    Optional<FlovynConfigFile> file = flovynConfig(values, environment, flags);
    file.flatMap(FlovynConfigFile::authEnabled)
        .ifPresent(enabled -> fileAuth(values, enabled, flags.containsKey("DISPATCH_AUTH")));
    return new ServerConfig(
        port(values, "DISPATCH_GRPC_PORT"),
        Optional.of(values.get("DISPATCH_DB_URL").trim()).filter(url -> !url.isEmpty()),
        values.get("DISPATCH_DB_USER"),
        values.get("DISPATCH_DB_PASSWORD"),
        intIn(values, "DISPATCH_DB_POOL_SIZE", 1, 1000),
        port(values, "DISPATCH_HTTP_PORT"),
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
        tenantDays(values.get("DISPATCH_RETENTION_TENANTS")),
        grpcHost(values),
        auth(values),
        httpHost(values),
        tls(values),
        new TenantLimits.Settings(
            intIn(values, "DISPATCH_TENANT_MAX_LONG_POLLS", 0, 1_000_000),
            intIn(values, "DISPATCH_TENANT_MAX_STREAMS", 0, 1_000_000),
            intIn(values, "DISPATCH_TENANT_MAX_BATCHES", 0, 1_000_000),
            intIn(values, "DISPATCH_TENANT_RATE", 0, 1_000_000),
            intIn(values, "DISPATCH_TENANT_BURST", 1, 1_000_000)),
        Duration.ofNanos(1000L * intIn(values, "DISPATCH_CLAIM_LINGER_MICROS", 0, 100_000)),
        otel(environment, values),
        file.map(FlovynConfigFile::keys).orElse(StaticKeys.none()));
  }

  /**
   * The OpenTelemetry settings: the environment's {@code OTEL_*} variables, read by the SDK as it
   * documents them; checks DISPATCH_LOG_FORMAT on the way, which the main method applied already.
   */
  private static Map<String, String> otel(
      Map<String, String> environment, Map<String, String> values) {
    logFormat(values.get("DISPATCH_LOG_FORMAT"));
    Map<String, String> otel = new LinkedHashMap<>();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            otel.put(name, value);
          }
        });
    return Map.copyOf(otel);
  }

  /**
   * Whether {@code raw} (DISPATCH_LOG_FORMAT) asks for JSON lines; a ConfigException if neither.
   */
  static boolean logFormat(String raw) {
    String format = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
    return switch (format) {
      case "", "text" -> false;
      case "json" -> true;
      default ->
          throw new ConfigException(
              where("DISPATCH_LOG_FORMAT") + " must be text or json, got '" + raw.trim() + "'");
    };
  }

  /** The Flovyn config file, read and checked, when one is named. */
  private static Optional<FlovynConfigFile> flovynConfig(
      Map<String, String> values, Map<String, String> environment, Map<String, String> flags) {
    Optional<Path> path = path(values, FLOVYN_CONFIG);
    // errors name what the operator set: the flag, our variable, or Flovyn's
    String source =
        flags.containsKey(FLOVYN_CONFIG)
            ? new Setting(FLOVYN_CONFIG, "", "").flag()
            : environment.getOrDefault(FLOVYN_CONFIG, "").isBlank() ? "CONFIG_FILE" : FLOVYN_CONFIG;
    return path.map(file -> FlovynConfigFile.read(file, source));
  }

  /**
   * The file's {@code [auth] enabled} as DISPATCH_AUTH: the {@code --auth} flag wins over it, and
   * the DISPATCH_AUTH variable must agree with it, as with the Flovyn variables.
   */
  private static void fileAuth(Map<String, String> values, boolean enabled, boolean flagGiven) {
    String fromFile = enabled ? "required" : "off";
    Optional<Boolean> explicit = explicitAuth(values);
    if (explicit.isEmpty()) {
      values.put("DISPATCH_AUTH", fromFile);
    } else if (!flagGiven && explicit.get() != enabled) {
      throw FlovynEnvironment.disagree(
          "the config file's [auth] enabled = " + enabled,
          "DISPATCH_AUTH=" + values.get("DISPATCH_AUTH").trim());
    }
  }

  /**
   * The authentication rule: DISPATCH_AUTH wins when set; otherwise authentication is off only for
   * the one-command start (embedded database, listening on a loopback address) and required for
   * everything else, so a server never serves a network address without tokens unless told so.
   */
  private static Auth auth(Map<String, String> values) {
    Optional<Boolean> explicit = explicitAuth(values);
    Duration reload = Duration.ofSeconds(intIn(values, "DISPATCH_AUTH_RELOAD_SECONDS", 1, 3600));
    if (explicit.isPresent()) {
      return new Auth(explicit.get(), true, reload);
    }
    boolean embedded = values.get("DISPATCH_DB_URL").isBlank();
    String host = values.get("DISPATCH_GRPC_HOST").trim();
    boolean loopback = host.isEmpty() || isLoopback(host);
    return new Auth(!(embedded && loopback), false, reload);
  }

  /** The configured host; when none, loopback exactly when authentication is off. */
  private static String grpcHost(Map<String, String> values) {
    String host = values.get("DISPATCH_GRPC_HOST").trim();
    if (!host.isEmpty()) {
      isLoopback(host);
      return host;
    }
    return auth(values).required() ? "0.0.0.0" : "127.0.0.1";
  }

  private static Optional<Boolean> explicitAuth(Map<String, String> values) {
    String raw = values.get("DISPATCH_AUTH").trim().toLowerCase(Locale.ROOT);
    return switch (raw) {
      case "" -> Optional.empty();
      case "required" -> Optional.of(true);
      case "off" -> Optional.of(false);
      default ->
          throw new ConfigException(
              "DISPATCH_AUTH / --auth must be required or off, got '" + raw + "'");
    };
  }

  /** Whether {@code host} names a loopback address only. */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("DISPATCH_GRPC_HOST / --grpc-host: cannot resolve '" + host + "'");
    }
  }

  /**
   * The HTTP port's host; when none, loopback exactly when authentication is off, so that with
   * authentication off neither port is reachable from another machine unless told so.
   */
  private static String httpHost(Map<String, String> values) {
    String host = values.get("DISPATCH_HTTP_HOST").trim();
    if (!host.isEmpty()) {
      return host;
    }
    return auth(values).required() ? "0.0.0.0" : "127.0.0.1";
  }

  /**
   * An older setting name: its value counts when the new name was not given, from the environment
   * or the command line.
   */
  private static void olderName(
      Map<String, String> values,
      String older,
      String newer,
      Map<String, String> environment,
      Map<String, String> flags) {
    String value = values.get(older).trim();
    if (value.isEmpty()) {
      return;
    }
    boolean newerGiven = environment.containsKey(newer) || flags.containsKey(newer);
    if (!newerGiven) {
      values.put(newer, value);
    }
  }

  /** Whether gRPC listens on a loopback address only. */
  public boolean grpcLoopback() {
    return isLoopback(grpcHost);
  }

  private static String host(Map<String, String> values, String env) {
    String host = values.get(env).trim();
    if (host.isEmpty()) {
      throw new ConfigException(where(env) + " must be a host name or an address");
    }
    return host;
  }

  // the files themselves are read at startup, where a bad one is a one-line error naming it
  private static Optional<TlsSettings> tls(Map<String, String> values) {
    Optional<Path> cert = path(values, "DISPATCH_TLS_CERT");
    Optional<Path> key = path(values, "DISPATCH_TLS_KEY");
    Optional<Path> clientCa = path(values, "DISPATCH_TLS_CLIENT_CA");
    String authRaw = values.get("DISPATCH_TLS_CLIENT_AUTH").trim().toUpperCase(Locale.ROOT);
    Duration reload = Duration.ofSeconds(intIn(values, "DISPATCH_TLS_RELOAD_SECONDS", 0, 86400));
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException(
          "set both "
              + where("DISPATCH_TLS_CERT")
              + " and "
              + where("DISPATCH_TLS_KEY")
              + " to serve TLS, or neither");
    }
    if (cert.isEmpty()) {
      if (clientCa.isPresent() || !authRaw.isEmpty()) {
        throw new ConfigException(
            "client certificates need TLS: set "
                + where("DISPATCH_TLS_CERT")
                + " and "
                + where("DISPATCH_TLS_KEY"));
      }
      return Optional.empty();
    }
    TlsSettings.ClientAuth auth;
    if (authRaw.isEmpty()) {
      auth = clientCa.isPresent() ? TlsSettings.ClientAuth.REQUIRE : TlsSettings.ClientAuth.NONE;
    } else {
      try {
        auth = TlsSettings.ClientAuth.valueOf(authRaw);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            where("DISPATCH_TLS_CLIENT_AUTH")
                + " must be none, optional or require, got '"
                + values.get("DISPATCH_TLS_CLIENT_AUTH").trim()
                + "'");
      }
    }
    if (auth != TlsSettings.ClientAuth.NONE && clientCa.isEmpty()) {
      throw new ConfigException(
          where("DISPATCH_TLS_CLIENT_AUTH")
              + "="
              + auth.name().toLowerCase(Locale.ROOT)
              + " needs "
              + where("DISPATCH_TLS_CLIENT_CA"));
    }
    return Optional.of(new TlsSettings(cert.get(), key.get(), clientCa, auth, reload));
  }

  private static Optional<Path> path(Map<String, String> values, String env) {
    return Optional.of(values.get(env).trim()).filter(raw -> !raw.isEmpty()).map(Path::of);
  }

  static String where(String env) {
    return env + " / " + new Setting(env, "", "").flag();
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
    CommandSpec spec = CommandSpec.create().name("java -jar dispatch-reactive-server.jar");
    SettingOptions.addTo(spec, new LinkedHashMap<>(), env -> true);
    return SettingOptions.configure(new CommandLine(spec)).getUsageMessage();
  }

  private static Duration millis(Map<String, String> values, String env) {
    return Duration.ofMillis(intIn(values, env, 0, 24 * 3600 * 1000));
  }

  private static int port(Map<String, String> values, String env) {
    return intIn(values, env, 0, 65535);
  }

  private static int intIn(Map<String, String> values, String env, int min, int max) {
    String raw = values.get(env).trim();
    String where = where(env);
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
