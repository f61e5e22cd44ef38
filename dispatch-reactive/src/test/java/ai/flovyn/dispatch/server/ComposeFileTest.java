package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The compose file cannot be run here (no Docker engine), so this checks what a typo would break
 * silently: every environment variable it sets for the server is one the server reads, as {@link
 * ServerConfig#variables()} lists them from the settings themselves. {@code OTEL_*} variables are
 * allowed by prefix: they are OpenTelemetry's standard configuration, read by its SDK rather than
 * by a setting of ours.
 */
class ComposeFileTest {
  private static final Path COMPOSE = Path.of("..", "deploy", "compose.yaml");
  private static final String SERVER = "dispatch";
  private static final String OPEN_TELEMETRY_PREFIX = "OTEL_";

  @Test
  void everyVariableSetForTheServerIsOneItReads() throws Exception {
    Map<String, String> environment = serverEnvironment();
    assertTrue(environment.containsKey("DISPATCH_DB_URL"), environment.toString());
    Set<String> read = Set.copyOf(ServerConfig.variables());
    Set<String> unknown = new TreeSet<>();
    for (String name : environment.keySet()) {
      if (!read.contains(name) && !name.startsWith(OPEN_TELEMETRY_PREFIX)) {
        unknown.add(name);
      }
    }
    assertEquals(Set.of(), unknown, "variables the server does not read");
  }

  @Test
  void theServerReachesTheDatabaseAndTheTraceCollectorByTheirServiceNames() throws Exception {
    JsonNode services = compose().path("services");
    Map<String, String> environment = serverEnvironment();
    String databaseHost =
        LibpqUrl.parse(environment.get("DISPATCH_DB_URL").replace("jdbc:postgresql", "postgres"))
            .host();
    assertTrue(services.has(databaseHost), "a service named " + databaseHost);
    String collector = environment.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    String collectorHost = collector.replaceFirst("^https?://", "").replaceFirst("[:/].*$", "");
    assertTrue(services.has(collectorHost), "a service named " + collectorHost);
    assertEquals(
        "dispatch",
        services.path(databaseHost).path("environment").path("POSTGRES_DB").asText(),
        "the database DISPATCH_DB_URL names is the one the container creates");
  }

  private static JsonNode compose() throws Exception {
    return new YAMLMapper().readTree(Files.readString(COMPOSE));
  }

  /** The server's {@code environment}, in either of compose's forms (a map or KEY=value list). */
  private static Map<String, String> serverEnvironment() throws Exception {
    JsonNode environment = compose().path("services").path(SERVER).path("environment");
    Map<String, String> variables = new LinkedHashMap<>();
    if (environment.isArray()) {
      for (JsonNode entry : environment) {
        String text = entry.asText();
        int eq = text.indexOf('=');
        variables.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
      }
    } else {
      environment
          .fields()
          .forEachRemaining(field -> variables.put(field.getKey(), field.getValue().asText()));
    }
    return variables;
  }
}
