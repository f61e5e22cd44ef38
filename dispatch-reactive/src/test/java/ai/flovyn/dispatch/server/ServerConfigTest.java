package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void defaultsApplyWhenNothingIsSet() {
    ServerConfig config = ServerConfig.from(Map.of(), new String[0]);
    assertEquals(9090, config.grpcPort());
    assertEquals(8000, config.httpPort());
    assertEquals(Optional.empty(), config.dbUrl());
    assertEquals(8, config.dbPoolSize());
    assertEquals(Path.of("dispatch-data"), config.dataDir());
    assertEquals(Duration.ofSeconds(60), config.maxPollTimeout());
  }

  @Test
  void environmentSetsAndFlagsOverride() {
    ServerConfig config =
        ServerConfig.from(
            Map.of(
                "DISPATCH_GRPC_PORT", "7000",
                "DISPATCH_DB_URL", "jdbc:postgresql://db:5432/x",
                "DISPATCH_DB_POOL_SIZE", "4"),
            new String[] {"--grpc-port=7001", "--db-pool-size", "16", "--max-poll-seconds=5"});
    assertEquals(7001, config.grpcPort());
    assertEquals(Optional.of("jdbc:postgresql://db:5432/x"), config.dbUrl());
    assertEquals(16, config.dbPoolSize());
    assertEquals(Duration.ofSeconds(5), config.maxPollTimeout());
  }

  @Test
  void databaseTimeoutsDefaultAndCanBeSetOrTurnedOff() {
    assertEquals(
        DatabaseTimeouts.DEFAULTS, ServerConfig.from(Map.of(), new String[0]).dbTimeouts());
    ServerConfig config =
        ServerConfig.from(
            Map.of("DISPATCH_DB_LOCK_TIMEOUT_MS", "250"),
            new String[] {
              "--db-statement-timeout-ms=0", "--db-idle-in-transaction-timeout-ms", "5000"
            });
    assertEquals(
        new DatabaseTimeouts(Duration.ZERO, Duration.ofMillis(250), Duration.ofSeconds(5)),
        config.dbTimeouts());
    assertThrows(
        ConfigException.class,
        () -> ServerConfig.from(Map.of(), new String[] {"--db-lock-timeout-ms=-1"}));
  }

  @Test
  void tlsNeedsCertificateAndKeyAndClientAuthNeedsACa() {
    assertEquals(Optional.empty(), ServerConfig.from(Map.of(), new String[0]).tls());
    TlsSettings tls =
        ServerConfig.from(
                Map.of("DISPATCH_TLS_CERT", "/c.pem", "DISPATCH_TLS_KEY", "/k.pem"),
                new String[] {"--tls-client-ca=/ca.pem"})
            .tls()
            .orElseThrow();
    assertEquals(TlsSettings.ClientAuth.REQUIRE, tls.clientAuth(), "a CA alone means require");
    assertEquals(Duration.ofSeconds(60), tls.reload());
    assertEquals(
        TlsSettings.ClientAuth.OPTIONAL,
        ServerConfig.from(
                Map.of(),
                new String[] {
                  "--tls-cert=/c.pem",
                  "--tls-key=/k.pem",
                  "--tls-client-ca=/ca.pem",
                  "--tls-client-auth=Optional"
                })
            .tls()
            .orElseThrow()
            .clientAuth());
    assertRefused("DISPATCH_TLS_KEY", "--tls-cert=/c.pem");
    assertRefused("DISPATCH_TLS_CERT", "--tls-client-ca=/ca.pem");
    assertRefused(
        "DISPATCH_TLS_CLIENT_CA",
        "--tls-cert=/c.pem",
        "--tls-key=/k.pem",
        "--tls-client-auth=require");
    assertRefused(
        "DISPATCH_TLS_CLIENT_AUTH",
        "--tls-cert=/c.pem",
        "--tls-key=/k.pem",
        "--tls-client-ca=/ca.pem",
        "--tls-client-auth=sometimes");
  }

  @Test
  void tenantLimitsAndHttpHostHaveDefaultsAndCanBeSet() {
    ServerConfig defaults = ServerConfig.from(Map.of(), new String[0]);
    // authentication off by default here (embedded, loopback): the HTTP port stays on loopback
    assertEquals("127.0.0.1", defaults.httpHost());
    assertEquals(
        new ai.flovyn.dispatch.grpc.TenantLimits.Settings(256, 256, 128, 5000, 10000),
        defaults.tenantLimits());
    ServerConfig set =
        ServerConfig.from(
            Map.of("DISPATCH_TENANT_RATE", "0"),
            new String[] {"--http-host=127.0.0.1", "--tenant-max-long-polls=2"});
    assertEquals("127.0.0.1", set.httpHost());
    assertEquals(2, set.tenantLimits().longPolls());
    assertEquals(0, set.tenantLimits().ratePerSecond());
    assertRefused("DISPATCH_TENANT_BURST", "--tenant-burst=0");
  }

  private static void assertRefused(String setting, String... flags) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ServerConfig.from(Map.of(), flags));
    assertTrue(e.getMessage().contains(setting), e.getMessage());
  }

  @Test
  void theHttpPortFollowsGrpcsSecureByDefaultRule() {
    ServerConfig required =
        ServerConfig.from(
            Map.of("DISPATCH_DB_URL", "jdbc:postgresql://db:5432/dispatch"), new String[0]);
    assertTrue(required.auth().required());
    assertEquals("0.0.0.0", required.httpHost());
    ServerConfig off =
        ServerConfig.from(
            Map.of("DISPATCH_DB_URL", "jdbc:postgresql://db:5432/dispatch"),
            new String[] {"--auth=off"});
    assertEquals("127.0.0.1", off.httpHost());
    assertEquals("127.0.0.1", off.grpcHost());
  }

  @Test
  void theMetricsSettingsStillNameTheHttpPortUnlessItIsGiven() {
    ServerConfig older =
        ServerConfig.from(
            Map.of("DISPATCH_METRICS_PORT", "9464", "DISPATCH_METRICS_HOST", "0.0.0.0"),
            new String[0]);
    assertEquals(9464, older.httpPort());
    assertEquals("0.0.0.0", older.httpHost());
    ServerConfig both =
        ServerConfig.from(
            Map.of("DISPATCH_METRICS_PORT", "9464"), new String[] {"--http-port=8080"});
    assertEquals(8080, both.httpPort());
  }

  @Test
  void unknownFlagNamesTheFlag() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> ServerConfig.from(Map.of(), new String[] {"--prot=1"}));
    assertEquals("unknown flag --prot (see --help for the list)", error.getMessage());
  }

  @Test
  void malformedPortNamesTheVariableAndTheFlag() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("DISPATCH_GRPC_PORT", "http"), new String[0]));
    assertTrue(error.getMessage().contains("DISPATCH_GRPC_PORT / --grpc-port"), error.getMessage());
    assertThrows(
        ConfigException.class,
        () -> ServerConfig.from(Map.of(), new String[] {"--http-port=70000"}));
  }

  @Test
  void flagWithoutValueIsRejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> ServerConfig.from(Map.of(), new String[] {"--db-url"}));
    assertEquals("flag --db-url needs a value", error.getMessage());
  }

  @Test
  void usageListsEveryVariable() {
    String usage = ServerConfig.usage();
    for (ServerConfig.Setting setting : ServerConfig.SETTINGS) {
      assertTrue(usage.contains(setting.env()), setting.env());
      assertTrue(usage.contains(setting.flag()), setting.flag());
    }
  }

  @Test
  void jdbcUrlParsesHostPortDatabaseAndParameters() {
    JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://db.local:6543/dispatch?user=u&password=p%40ss");
    assertEquals("db.local", url.host());
    assertEquals(6543, url.port());
    assertEquals("dispatch", url.database());
    assertEquals("p@ss", url.params().get("password"));
    assertEquals(
        "jdbc:postgresql://db.local:6543/dispatch",
        JdbcUrl.redact("jdbc:postgresql://db.local:6543/dispatch?password=x"));
    assertThrows(ConfigException.class, () -> JdbcUrl.parse("postgres://db/x"));
    assertThrows(ConfigException.class, () -> JdbcUrl.parse("jdbc:postgresql://db:5432/"));
  }

  @Test
  void releasesAndRetentionAreSetPerTenant() {
    ServerConfig config =
        ServerConfig.from(
            Map.of("DISPATCH_RETENTION_TENANTS", "acme=30, beta=1"),
            new String[] {"--workflow-max-releases=2", "--retention-days=3"});
    assertEquals(2, config.workflowMaxReleases());
    assertEquals(Duration.ofDays(3), config.retention());
    assertEquals(
        Map.of("acme", Duration.ofDays(30), "beta", Duration.ofDays(1)), config.tenantRetention());
    ServerConfig defaults = ServerConfig.from(Map.of(), new String[0]);
    assertEquals(5, defaults.workflowMaxReleases());
    assertEquals(Duration.ofDays(7), defaults.retention());
    assertEquals(Map.of(), defaults.tenantRetention());
    ConfigException wrong =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("DISPATCH_RETENTION_TENANTS", "acme=x"), new String[0]));
    assertTrue(wrong.getMessage().contains("DISPATCH_RETENTION_TENANTS"), wrong.getMessage());
  }
}
