package ai.flovyn.dispatch.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One JSON object per log line (DISPATCH_LOG_FORMAT=json), flat so that a log shipper needs no
 * parsing rules: {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread},
 * {@code message}, {@code trace_id} and {@code span_id} of the span current where the line was
 * written (else of the MDC's {@code trace_id}/{@code span_id}), the other MDC entries, and {@code
 * exception} with its stack trace.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NEWLINE = {'\n'};

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("timestamp", event.getInstant().toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      SpanContext span = Span.current().getSpanContext();
      if (span.isValid()) {
        json.writeStringField("trace_id", span.getTraceId());
        json.writeStringField("span_id", span.getSpanId());
      }
      for (Map.Entry<String, String> entry : mdc.entrySet()) {
        if (!(span.isValid() && isTraceKey(entry.getKey()))) {
          json.writeStringField(entry.getKey(), entry.getValue());
        }
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(error));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes(NEWLINE);
    return out.toByteArray();
  }

  private static boolean isTraceKey(String key) {
    return key.equals("trace_id") || key.equals("span_id");
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
