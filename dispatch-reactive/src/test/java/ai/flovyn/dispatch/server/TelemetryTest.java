package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.support.Tracing;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the server builds an OpenTelemetry SDK: only when an OTLP endpoint is set. */
class TelemetryTest {
  @Test
  void withoutAnEndpointNoSdkIsBuiltAndTracingIsOff() {
    try (Telemetry telemetry =
        Telemetry.start(Map.of("OTEL_SERVICE_NAME", "x", "OTEL_TRACES_SAMPLER", "always_on"))) {
      assertFalse(telemetry.on());
      assertNull(telemetry.openTelemetry(), "no SDK, no exporter");
      assertSame(Tracing.off(), telemetry.tracing());
      assertFalse(telemetry.tracing().on());
      assertEquals("traces off", telemetry.description());
    }
  }

  @Test
  void aDisabledSdkStaysOffWithAnEndpoint() {
    try (Telemetry telemetry =
        Telemetry.start(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:4317",
                "OTEL_SDK_DISABLED",
                "true"))) {
      assertFalse(telemetry.on());
      assertNull(telemetry.openTelemetry());
    }
  }

  @Test
  void anEndpointBuildsTheSdkWithItsExporter() {
    try (Telemetry telemetry =
        Telemetry.start(
            Map.of(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://127.0.0.1:4318/v1/traces",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                "http/protobuf"))) {
      assertTrue(telemetry.on());
      assertTrue(telemetry.tracing().on());
      assertEquals(
          "traces to http://127.0.0.1:4318/v1/traces (1 exporter)", telemetry.description());
    }
  }

  @Test
  void otelVariablesBecomeTheSdksPropertyNames() {
    assertEquals(
        Map.of("otel.exporter.otlp.endpoint", "http://collector:4317"),
        Telemetry.properties(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "PATH", "/bin")));
  }

  @Test
  void theLogFormatIsTextOrJson() {
    assertTrue(DispatchServerMain.json(null, new String[] {"--log-format=json"}));
    assertTrue(DispatchServerMain.json("json", new String[] {}));
    assertFalse(DispatchServerMain.json("json", new String[] {"--log-format", "text"}));
    assertFalse(DispatchServerMain.json(null, new String[] {}));
    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("DISPATCH_LOG_FORMAT", "xml"), new String[] {}));
    assertEquals(
        "DISPATCH_LOG_FORMAT / --log-format must be text or json, got 'xml'", bad.getMessage());
  }
}
