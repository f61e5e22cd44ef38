package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.DispatchException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The pipeline's spans: parents from the Reactor context, nothing built for a dropped span. */
class TracingTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;

  @AfterEach
  void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  private Tracing tracing(Sampler sampler) {
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(sampler)
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();
    return Tracing.of(sdk, null);
  }

  @Test
  void offHandsTheBodyBackUntouched() {
    Mono<String> body = Mono.just("x");
    assertSame(body, Tracing.off().span("s", span -> {}, body));
    assertFalse(Tracing.of(null, null).on());
  }

  @Test
  void aSpanIsAChildOfTheSpanInTheReactorContextAndCarriesTheErrorKind() {
    Tracing tracing = tracing(Sampler.alwaysOn());
    Span parent = tracing.tracer().spanBuilder("rpc").startSpan();
    Mono<String> failing =
        tracing.span(
            "dispatch.batch.apply",
            span -> span.setAttribute("dispatch.batch.commands", 2),
            Mono.error(DispatchException.notFound("workflow w not found")));
    StepVerifier.create(failing.contextWrite(Tracing.within(Context.root().with(parent))))
        .expectError(DispatchException.class)
        .verify(WAIT);
    parent.end();

    SpanData batch = exporter.getFinishedSpanItems().get(0);
    assertEquals("dispatch.batch.apply", batch.getName());
    assertEquals(parent.getSpanContext().getSpanId(), batch.getParentSpanId());
    assertEquals(parent.getSpanContext().getTraceId(), batch.getTraceId());
    assertEquals(StatusCode.ERROR, batch.getStatus().getStatusCode());
    assertEquals("NOT_FOUND", batch.getStatus().getDescription());
    assertEquals(
        2L,
        batch
            .getAttributes()
            .get(io.opentelemetry.api.common.AttributeKey.longKey("dispatch.batch.commands")));
  }

  @Test
  void aSampledOutSpanBuildsNoAttributesAndExportsNothing() {
    Tracing tracing = tracing(Sampler.alwaysOff());
    AtomicInteger built = new AtomicInteger();
    StepVerifier.create(tracing.span("s", span -> built.incrementAndGet(), Mono.just("done")))
        .expectNext("done")
        .verifyComplete();
    tracing.handedOut(
        "dispatch.claim task",
        null,
        reactor.util.context.Context.empty(),
        span -> built.incrementAndGet());
    assertEquals(0, built.get());
    assertTrue(exporter.getFinishedSpanItems().isEmpty());
  }

  @Test
  void aHandOutJoinsTheItemsTraceLinkedToThePoll() {
    Tracing tracing = tracing(Sampler.alwaysOn());
    String workflowTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Span poll = tracing.tracer().spanBuilder("poll").startSpan();
    tracing.handedOut(
        "dispatch.claim task",
        workflowTrace,
        reactor.util.context.Context.of(Tracing.KEY, Context.root().with(poll)),
        span -> span.setAttribute("dispatch.task.id", "t"));
    SpanData handedOut = exporter.getFinishedSpanItems().get(0);
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", handedOut.getTraceId());
    assertEquals("00f067aa0ba902b7", handedOut.getParentSpanId());
    assertEquals(poll.getSpanContext(), handedOut.getLinks().get(0).getSpanContext());
  }

  @Test
  void anIdleRunLeavesNoSpanAndABusyOneDoes() {
    Tracing tracing = tracing(Sampler.alwaysOn());
    Instant start = Instant.now().minusMillis(5);
    tracing.ran("dispatch.maintenance timers", start, 0, null);
    assertTrue(exporter.getFinishedSpanItems().isEmpty());
    tracing.ran("dispatch.maintenance timers", start, 3, null);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(1, spans.size());
    assertEquals(
        start.getEpochSecond() * 1_000_000_000L + start.getNano(),
        spans.get(0).getStartEpochNanos());
  }

  @Test
  void aTraceparentRoundTripsAndAMalformedOneIsInvalid() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    SpanContext remote = Tracing.remote(traceparent);
    assertTrue(remote.isValid());
    assertTrue(remote.isSampled());
    assertEquals(traceparent, Tracing.traceparent(remote));
    assertFalse(Tracing.remote("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7").isValid());
    assertFalse(
        Tracing.remote("00-00000000000000000000000000000000-00f067aa0ba902b7-01").isValid());
    assertFalse(Tracing.remote(null).isValid());
    assertNull(Tracing.traceparent(SpanContext.getInvalid()));
  }
}
