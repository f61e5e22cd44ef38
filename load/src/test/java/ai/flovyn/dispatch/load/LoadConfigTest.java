package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadConfigTest {
  private static final Path HERE = Path.of(".");

  private static LoadConfig parse(String json) throws LoadConfigException {
    return LoadConfig.parse(json, HERE);
  }

  @Test
  void configFileOptionsAreRead() throws Exception {
    LoadConfig config = TestConfigs.read("submit.json");
    assertEquals("submit-two-tasks", config.name());
    assertEquals("flovyn.v1.WorkflowDispatch.SubmitWorkflowCommands", config.call());
    assertEquals("127.0.0.1:9090", config.host());
    assertEquals(5, config.concurrency());
    assertEquals(2, config.connections());
    assertEquals(50, config.effectiveTotal());
    assertEquals(Duration.ofSeconds(5), config.timeout());
    assertEquals("{{.RequestNumber}}", config.metadata().get("x-request-number"));
    assertTrue(config.data().contains("SCHEDULE_TASK"));
    assertEquals(List.of(), config.ignoredKeys(), "proto and import-paths are silently ignored");
  }

  @Test
  void missingOptionsTakeGhzDefaults() throws Exception {
    LoadConfig config = parse("{\"call\":\"a.B.C\"}");
    assertEquals(50, config.concurrency());
    assertEquals(1, config.connections());
    assertEquals(200, config.effectiveTotal());
    assertEquals(Duration.ofSeconds(20), config.timeout());
    assertEquals("{}", config.data());
  }

  @Test
  void durationLiftsTheDefaultTotalButAGivenTotalStaysTheCap() throws Exception {
    assertEquals(Long.MAX_VALUE, parse("{\"duration\":\"1m\"}").effectiveTotal());
    assertEquals(10, parse("{\"duration\":\"1m\",\"total\":10}").effectiveTotal());
    assertEquals(Duration.ofSeconds(90), parse("{\"duration\":\"1m30s\"}").duration());
  }

  @Test
  void goDurationsAreParsed() throws Exception {
    assertEquals(Duration.ofMillis(500), GoDurations.parse("500ms", "t"));
    assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s", "t"));
    assertEquals(Duration.ofMinutes(61), GoDurations.parse("1h1m", "t"));
    assertThrows(LoadConfigException.class, () -> GoDurations.parse("10", "t"));
    assertThrows(LoadConfigException.class, () -> GoDurations.parse("-1s", "t"));
    assertThrows(LoadConfigException.class, () -> GoDurations.parse("10 parsecs", "t"));
  }

  @Test
  void unsupportedGhzOptionsAreListedNotFatal() throws Exception {
    LoadConfig config = parse("{\"cert\":\"x.pem\",\"load-schedule\":\"step\",\"proto\":\"a\"}");
    assertEquals(List.of("cert", "load-schedule"), config.ignoredKeys());
  }

  @Test
  void badOptionValuesAreRejectedNamingTheOption() {
    LoadConfigException tls =
        assertThrows(LoadConfigException.class, () -> parse("{\"insecure\":false}"));
    assertTrue(tls.getMessage().contains("insecure"), tls.getMessage());
    LoadConfigException count =
        assertThrows(LoadConfigException.class, () -> parse("{\"concurrency\":\"many\"}"));
    assertTrue(count.getMessage().contains("concurrency"), count.getMessage());
    assertThrows(LoadConfigException.class, () -> parse("{\"data\":\"text\"}"));
    assertThrows(LoadConfigException.class, () -> parse("{\"data\":[]}"));
    assertThrows(LoadConfigException.class, () -> parse("[1]"));
    assertThrows(LoadConfigException.class, () -> parse("{\"timeout\":20}"));
  }

  @Test
  void moreConnectionsThanWorkersIsRejected() throws Exception {
    LoadConfig config = parse("{\"call\":\"a.B.C\",\"concurrency\":2,\"connections\":3}");
    LoadConfigException e = assertThrows(LoadConfigException.class, config::validate);
    assertTrue(e.getMessage().contains("connections"), e.getMessage());
  }

  @Test
  void nonLoopbackHostsAreRefusedUnlessAllowed() throws Exception {
    assertEquals(9090, Targets.resolve("127.0.0.1:9090", false).getPort());
    assertEquals(9090, Targets.resolve("[::1]:9090", false).getPort());
    LoadConfigException e =
        assertThrows(LoadConfigException.class, () -> Targets.resolve("192.0.2.7:9090", false));
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    assertThrows(LoadConfigException.class, () -> Targets.resolve("127.0.0.1", false));
  }
}
