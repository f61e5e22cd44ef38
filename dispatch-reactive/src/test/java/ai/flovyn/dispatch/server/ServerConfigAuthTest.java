package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authentication rule: only the one-command start runs without tokens unless told so. */
class ServerConfigAuthTest {
  private static final String DB = "--db-url=jdbc:postgresql://127.0.0.1:5432/dispatch";

  @Test
  void oneCommandStartIsOffAndListensOnLoopbackOnly() {
    ServerConfig config = ServerConfig.from(Map.of(), new String[0]);
    assertFalse(config.auth().required());
    assertFalse(config.auth().explicit());
    assertEquals("127.0.0.1", config.grpcHost());
    assertTrue(config.grpcLoopback());
  }

  @Test
  void anExternalDatabaseRequiresTokensAndListensOnEveryAddress() {
    ServerConfig config = ServerConfig.from(Map.of(), new String[] {DB});
    assertTrue(config.auth().required());
    assertFalse(config.auth().explicit());
    assertEquals("0.0.0.0", config.grpcHost());
  }

  @Test
  void theEmbeddedDatabaseOnANetworkAddressRequiresTokens() {
    ServerConfig config = ServerConfig.from(Map.of("DISPATCH_GRPC_HOST", "0.0.0.0"), new String[0]);
    assertTrue(config.auth().required());
    assertFalse(config.grpcLoopback());
  }

  @Test
  void theEmbeddedDatabaseOnLocalhostStaysOff() {
    assertFalse(
        ServerConfig.from(Map.of(), new String[] {"--grpc-host=localhost"}).auth().required());
  }

  @Test
  void authOffMustBeSaidToServeANetworkAddressWithoutTokens() {
    ServerConfig config =
        ServerConfig.from(Map.of("DISPATCH_AUTH", "off"), new String[] {DB, "--grpc-host=0.0.0.0"});
    assertFalse(config.auth().required());
    assertTrue(config.auth().explicit());
    assertEquals("0.0.0.0", config.grpcHost());
  }

  @Test
  void authOffWithoutAHostListensOnLoopback() {
    ServerConfig config = ServerConfig.from(Map.of(), new String[] {DB, "--auth=off"});
    assertFalse(config.auth().required());
    assertEquals("127.0.0.1", config.grpcHost());
  }

  @Test
  void authRequiredAppliesToTheEmbeddedDatabaseToo() {
    ServerConfig config = ServerConfig.from(Map.of("DISPATCH_AUTH", "REQUIRED"), new String[0]);
    assertTrue(config.auth().required());
    assertTrue(config.auth().explicit());
    assertEquals("0.0.0.0", config.grpcHost());
  }

  @Test
  void reloadIntervalDefaultsToFiveSeconds() {
    assertEquals(Duration.ofSeconds(5), ServerConfig.from(Map.of(), new String[0]).auth().reload());
    assertEquals(
        Duration.ofSeconds(2),
        ServerConfig.from(Map.of(), new String[] {"--auth-reload-seconds=2"}).auth().reload());
  }

  @Test
  void badValuesNameTheSetting() {
    ConfigException auth =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of(), new String[] {"--auth=maybe"}));
    assertEquals("DISPATCH_AUTH / --auth must be required or off, got 'maybe'", auth.getMessage());
    ConfigException reload =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of(), new String[] {"--auth-reload-seconds=0"}));
    assertTrue(reload.getMessage().startsWith("DISPATCH_AUTH_RELOAD_SECONDS"), reload.getMessage());
    ConfigException host =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of(), new String[] {"--grpc-host=no.such.host.invalid"}));
    assertTrue(host.getMessage().startsWith("DISPATCH_GRPC_HOST"), host.getMessage());
  }
}
