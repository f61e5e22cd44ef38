package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LoadDriverTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Map<String, String> environment = Map.of();

  private int run(String... args) {
    return LoadDriver.run(
        args,
        environment,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String config(String name) {
    return TestConfigs.path(name).toString();
  }

  @Test
  void dryRunPrintsTheRenderedRequestWithoutConnecting() throws Exception {
    int status = run("--config", config("submit.json"), "--dry-run", "--host=127.0.0.1:1");

    assertEquals(0, status, stderr());
    JsonNode request = MAPPER.readTree(stdout());
    UUID.fromString(request.get("workflow_execution_id").asText());
    assertEquals(3, request.get("commands").size());
    assertEquals(
        "load-submit-two-tasks:g0c0",
        request.get("commands").get(0).get("schedule_task").get("task_type").asText());
  }

  @Test
  void dryRunOfAStreamPrintsEveryMessage() throws Exception {
    int status = run("--config", config("stream.json"), "--dry-run");

    assertEquals(0, status, stderr());
    JsonNode messages = MAPPER.readTree(stdout());
    assertEquals(3, messages.size());
    assertEquals("bad-0", messages.get(2).get("request_id").asText());
  }

  @Test
  void runPrintsTheSummaryAndWritesTheJsonReport(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("report.json");
    try (FakeDispatchServer server = new FakeDispatchServer()) {
      int status =
          run(
              "--config",
              config("submit.json"),
              "--host",
              server.host(),
              "-n",
              "10",
              "-c",
              "2",
              "--connections",
              "1",
              "--json-out",
              report.toString());

      assertEquals(0, status, stderr());
      assertEquals(10, server.submitCalls.get());
    }
    assertTrue(stdout().contains("Summary:"), stdout());
    assertTrue(stdout().contains("Requests/sec:"), stdout());
    assertTrue(stdout().contains("Tasks/sec:"), stdout());
    assertTrue(stdout().contains("[OK]\t10 responses"), stdout());
    JsonNode json = MAPPER.readTree(Files.readString(report));
    assertEquals(10, json.get("count").asLong());
    assertEquals(20, json.get("tasks").asLong());
    assertEquals(10, json.get("status_code_distribution").get("OK").asLong());
    assertEquals(7, json.get("latency_distribution").size());
    assertEquals(10, json.get("options").get("total").asLong());
    assertEquals(2, json.get("options").get("concurrency").asInt());
    assertTrue(json.get("total_ns").asLong() > 0);
  }

  @Test
  void unknownCallExitsWith2NamingTheMethod() {
    int status = run("--config", config("unknown-call.json"), "--dry-run");

    assertEquals(2, status);
    assertTrue(stderr().contains("no method SubmitWorkflowCommandz"), stderr());
    assertEquals(1, stderr().strip().lines().count(), stderr());
  }

  @Test
  void dataThatDoesNotParseExitsWith2NamingTheField() {
    int status = run("--config", config("bad-field.json"), "--dry-run");

    assertEquals(2, status);
    assertTrue(stderr().contains("comands"), stderr());
  }

  @Test
  void unknownTemplateActionExitsWith2NamingTheAction() {
    int status = run("--config", config("unknown-action.json"), "--dry-run");

    assertEquals(2, status);
    assertTrue(stderr().contains("{{newUUIDs}}"), stderr());
  }

  @Test
  void badArgumentsExitWith2() {
    assertEquals(2, run("--config", config("submit.json"), "--bogus"));
    assertTrue(stderr().contains("unknown option --bogus"), stderr());
    assertEquals(2, run("-n", "5"));
    assertEquals(2, run("--config", config("submit.json"), "-c", "many"));
    assertEquals(2, run("--config", config("submit.json"), "-z", "forever"));
    assertEquals(2, run("--config", "/nonexistent/load/config.json"));
  }

  @Test
  void dataFileFlagReplacesTheConfigData(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data.json");
    Files.writeString(data, "{\"workflow_execution_id\":\"wf-{{.RequestNumber}}\"}");

    int status = run("--config", config("submit.json"), "-D", data.toString(), "--dry-run");

    assertEquals(0, status, stderr());
    assertEquals("wf-0", MAPPER.readTree(stdout()).get("workflow_execution_id").asText());
  }

  @Test
  void theTokenFlagIsSentAsABearerHeaderOnEveryCall() throws Exception {
    try (FakeDispatchServer server = new FakeDispatchServer()) {
      int status =
          run(
              "--config",
              config("submit.json"),
              "--host",
              server.host(),
              "-n",
              "6",
              "--token",
              "fdt_Ab12Cd34Ef56_secret");

      assertEquals(0, status, stderr());
      assertEquals(6, server.submitCalls.get());
      assertEquals(
          List.of("Bearer fdt_Ab12Cd34Ef56_secret"),
          server.authorizationHeaders.stream().distinct().toList());
      assertEquals(6, server.authorizationHeaders.size(), "one header per call");
    }
    assertFalse(stdout().contains("secret"), "the token is never printed");
  }

  @Test
  void withoutAFlagTheTokenComesFromTheEnvironmentAndOtherwiseNoneIsSent() throws Exception {
    try (FakeDispatchServer server = new FakeDispatchServer()) {
      run("--config", config("submit.json"), "--host", server.host(), "-n", "2");
      assertEquals(List.of(), List.copyOf(server.authorizationHeaders), "no token, no header");
      environment = Map.of(BearerToken.VARIABLE, "from-the-environment");
      int status = run("--config", config("submit.json"), "--host", server.host(), "-n", "2");

      assertEquals(0, status, stderr());
      assertEquals(
          List.of("Bearer from-the-environment", "Bearer from-the-environment"),
          List.copyOf(server.authorizationHeaders));
    }
  }

  @Test
  void anUnusableTokenOrASecondAuthorizationHeaderIsABadArgument() throws Exception {
    assertEquals(2, run("--config", config("submit.json"), "--token", "two words", "--dry-run"));
    assertTrue(stderr().contains("--token: the token must be printable ASCII"), stderr());
    LoadConfig withHeader =
        LoadConfig.read(TestConfigs.path("submit.json"))
            .withMetadata(Map.of("Authorization", "Bearer other"));
    LoadConfigException twice =
        assertThrows(
            LoadConfigException.class,
            () -> LoadRun.run(withHeader, Optional.of(BearerToken.of("fdt_x"))));
    assertTrue(twice.getMessage().contains("keep one"), twice.getMessage());
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(stdout().contains("--config FILE"));
  }
}
