package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** DISPATCH_LOG_FORMAT=json: each line one JSON object a log shipper reads as it is. */
class JsonLogEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private Logger logger;

  @BeforeEach
  void logger() {
    // the test run's own context: the one SLF4J's MDC writes to
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JsonLogEncoder encoder = new JsonLogEncoder();
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    logger = context.getLogger("ai.flovyn.dispatch.Example");
    logger.detachAndStopAllAppenders();
    logger.setAdditive(false);
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.addAppender(appender);
  }

  @Test
  void aLineInsideATracedCallCarriesItsTraceAndSpanIds() throws Exception {
    SpanContext call =
        SpanContext.create(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    try (Scope scope = Span.wrap(call).makeCurrent()) {
      logger.info("claimed {} tasks", 3);
    }
    logger.warn("outside \"any\" call", new IllegalStateException("boom"));

    List<JsonNode> lines = lines();
    assertEquals(2, lines.size());
    JsonNode traced = lines.get(0);
    assertEquals("INFO", traced.get("level").asText());
    assertEquals("ai.flovyn.dispatch.Example", traced.get("logger").asText());
    assertEquals("claimed 3 tasks", traced.get("message").asText());
    assertTrue(Instant.parse(traced.get("timestamp").asText()).isAfter(Instant.EPOCH));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", traced.get("trace_id").asText());
    assertEquals("00f067aa0ba902b7", traced.get("span_id").asText());

    JsonNode plain = lines.get(1);
    assertEquals("WARN", plain.get("level").asText());
    assertEquals("outside \"any\" call", plain.get("message").asText());
    assertFalse(plain.has("trace_id"));
    assertTrue(plain.get("exception").asText().contains("IllegalStateException: boom"));
  }

  @Test
  void mdcEntriesAreFieldsOfTheLine() throws Exception {
    MDC.put("tenant", "acme");
    try {
      logger.info("hello");
    } finally {
      MDC.remove("tenant");
    }
    assertEquals("acme", lines().get(0).get("tenant").asText());
  }

  private List<JsonNode> lines() throws Exception {
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n"), "one object per line");
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }
}
