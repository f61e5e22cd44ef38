package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.support.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's traces (docs/observability.md): off, with no OpenTelemetry SDK built at all, unless
 * an OTLP endpoint is set ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, or their {@code otel.*} system properties); on, the SDK is
 * configured by the standard {@code OTEL_*} settings (service name, sampler, protocol, headers...).
 */
final class Telemetry implements AutoCloseable {
  static final List<String> ENDPOINTS =
      List.of("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

  private static final Telemetry OFF = new Telemetry(null, Tracing.off(), "traces off");

  private final OtlpTelemetry sdk;
  private final Tracing tracing;
  private final String description;

  private Telemetry(OtlpTelemetry sdk, Tracing tracing, String description) {
    this.sdk = sdk;
    this.tracing = tracing;
    this.description = description;
  }

  /**
   * Starts the SDK when {@code settings} (the {@code OTEL_*} variables of the server's environment)
   * or the system properties name an endpoint and the SDK is not disabled; else tracing is off.
   */
  static Telemetry start(Map<String, String> settings) {
    Map<String, String> properties = properties(settings);
    if ("true".equalsIgnoreCase(property(properties, "otel.sdk.disabled"))) {
      return OFF;
    }
    String endpoint = null;
    for (String env : ENDPOINTS) {
      String value = property(properties, propertyName(env));
      if (value != null && !value.isBlank()) {
        endpoint = value.trim();
        break;
      }
    }
    if (endpoint == null) {
      return OFF;
    }
    OtlpTelemetry sdk = OtlpTelemetry.start(properties);
    return new Telemetry(
        sdk,
        Tracing.of(sdk.openTelemetry(), sdk::export),
        "traces to " + endpoint + " (" + sdk.describe() + ")");
  }

  /** Whether an SDK was built. */
  boolean on() {
    return sdk != null;
  }

  /** The SDK's OpenTelemetry, or null when off. */
  OpenTelemetry openTelemetry() {
    return sdk == null ? null : sdk.openTelemetry();
  }

  /** The spans of the edges and of the pipeline. */
  Tracing tracing() {
    return tracing;
  }

  /** For the startup line. */
  String description() {
    return description;
  }

  /** Exports what is buffered, then stops the SDK. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  /** The {@code OTEL_*} variables as the SDK's property names ({@code otel.exporter...}). */
  static Map<String, String> properties(Map<String, String> settings) {
    Map<String, String> properties = new LinkedHashMap<>();
    settings.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            properties.put(propertyName(name), value);
          }
        });
    return properties;
  }

  static String propertyName(String env) {
    return env.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  // a system property wins over the environment, as in the SDK itself
  private static String property(Map<String, String> properties, String name) {
    String system = System.getProperty(name);
    return system != null ? system : properties.get(name);
  }
}
