package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.support.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK of the server, built by the SDK's autoconfiguration from the {@code OTEL_*}
 * settings; the only class that touches SDK types, loaded only when tracing is on. Besides the
 * server's own spans it exports the spans SDK workers report, through the same exporters.
 */
final class OtlpTelemetry implements AutoCloseable {
  /**
   * What the server sets unless told otherwise: its service name, and traces only (the server's
   * metrics are Prometheus', its logs on stdout).
   */
  private static final Map<String, String> DEFAULTS =
      Map.of(
          "otel.service.name", "dispatch-reactive",
          "otel.traces.exporter", "otlp",
          "otel.metrics.exporter", "none",
          "otel.logs.exporter", "none");

  /** The resource of the spans workers report: they ran in the workers, not in the server. */
  private static final Resource WORKERS =
      Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "flovyn-worker"));

  private static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.create(Tracing.SCOPE);

  private final OpenTelemetrySdk sdk;
  private final List<SpanExporter> exporters;

  private OtlpTelemetry(OpenTelemetrySdk sdk, List<SpanExporter> exporters) {
    this.sdk = sdk;
    this.exporters = exporters;
  }

  /**
   * Builds the SDK; {@code properties} (SDK names) override the defaults, system properties them.
   */
  static OtlpTelemetry start(Map<String, String> properties) {
    List<SpanExporter> exporters = new CopyOnWriteArrayList<>();
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> DEFAULTS)
            .addPropertiesSupplier(() -> properties)
            .addSpanExporterCustomizer(
                (exporter, config) -> {
                  exporters.add(exporter);
                  return exporter;
                })
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    return new OtlpTelemetry(sdk, exporters);
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  String describe() {
    return exporters.size() + " exporter" + (exporters.size() == 1 ? "" : "s");
  }

  /** Exports the spans workers reported; asynchronous, never blocking the caller. */
  void export(List<Tracing.Reported> spans) {
    List<SpanData> data = new ArrayList<>(spans.size());
    for (Tracing.Reported span : spans) {
      data.add(new Reported(span));
    }
    for (SpanExporter exporter : exporters) {
      exporter.export(data);
    }
  }

  @Override
  public void close() {
    sdk.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** A reported span as the exporters take it. */
  private record Reported(Tracing.Reported span, Attributes attributes) implements SpanData {
    Reported(Tracing.Reported span) {
      this(span, attributes(span.attributes()));
    }

    private static Attributes attributes(Map<String, String> values) {
      AttributesBuilder builder = Attributes.builder();
      values.forEach(builder::put);
      return builder.build();
    }

    @Override
    public String getName() {
      return span.name();
    }

    @Override
    public SpanKind getKind() {
      return SpanKind.INTERNAL;
    }

    @Override
    public SpanContext getSpanContext() {
      return SpanContext.create(
          span.traceId(), span.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
    }

    @Override
    public SpanContext getParentSpanContext() {
      return span.parentSpanId() == null
          ? SpanContext.getInvalid()
          : SpanContext.createFromRemoteParent(
              span.traceId(),
              span.parentSpanId(),
              TraceFlags.getSampled(),
              TraceState.getDefault());
    }

    @Override
    public StatusData getStatus() {
      return span.error()
          ? StatusData.create(StatusCode.ERROR, span.errorDescription())
          : StatusData.unset();
    }

    @Override
    public long getStartEpochNanos() {
      return span.startNanos();
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
      return List.of();
    }

    @Override
    public long getEndEpochNanos() {
      return span.endNanos();
    }

    @Override
    public boolean hasEnded() {
      return true;
    }

    @Override
    public int getTotalRecordedEvents() {
      return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
      return 0;
    }

    @Override
    public int getTotalAttributeCount() {
      return attributes.size();
    }

    @Override
    @SuppressWarnings("deprecation")
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
      return InstrumentationLibraryInfo.create(Tracing.SCOPE, null);
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
      return SCOPE;
    }

    @Override
    public Resource getResource() {
      return WORKERS;
    }
  }
}
