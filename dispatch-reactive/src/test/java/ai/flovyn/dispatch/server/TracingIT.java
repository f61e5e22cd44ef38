package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.load.OtlpReceiver;
import ai.flovyn.dispatch.proto.ExecutionSpan;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SdkInfo;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.support.Tracing;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's traces as a collector receives them: the server exports over OTLP/gRPC to a
 * TraceService started here, and the test reads the spans it got: one per RPC and per HTTP request,
 * the batch under its RPC, the hand-out of a task in its workflow's trace, and a worker's reported
 * span in that trace too.
 */
class TracingIT {
  private static final String TENANT = "traced";

  private OtlpReceiver collector;
  private TestDatabase db;
  private DispatchServer server;
  private ManagedChannel channel;

  /** A span the collector got, read by the test. */
  private record Received(String service, Span span) {
    Received(OtlpReceiver.Received received) {
      this(received.service(), received.span());
    }

    String traceId() {
      return hex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return hex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return hex(span.getParentSpanId().toByteArray());
    }

    Optional<String> attribute(String key) {
      return span.getAttributesList().stream()
          .filter(attribute -> attribute.getKey().equals(key))
          .map(KeyValue::getValue)
          .map(
              value ->
                  value.hasIntValue() ? Long.toString(value.getIntValue()) : value.getStringValue())
          .findFirst();
    }
  }

  @BeforeEach
  void startCollectorAndServer() throws Exception {
    collector = OtlpReceiver.start(true);
    db = TestDatabase.create();
    server =
        DispatchServer.start(
            ServerConfig.from(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                    "OTEL_SERVICE_NAME", "dispatch-under-test",
                    "OTEL_TRACES_SAMPLER", "always_on",
                    "OTEL_BSP_SCHEDULE_DELAY", "20"),
                new String[] {
                  "--grpc-port=0",
                  "--http-port=0",
                  "--db-url=" + db.jdbcUrl(),
                  "--db-user=" + db.user(),
                  "--auth=off"
                }));
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    db.close();
    collector.close();
  }

  @Test
  void aWorkflowsRpcsBatchHandOutAndWorkerSpansShareItsTrace() throws Exception {
    assertTrue(server.tracing(), "an endpoint is set: the SDK is on");
    String workflowId = workflows().startWorkflow(start(TENANT, "wf")).getWorkflowExecutionId();
    PollResponse claimed = workflows().pollWorkflow(poll());
    assertEquals(workflowId, claimed.getWorkflowExecution().getId());
    UUID taskId = UUID.randomUUID();
    workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(
                        ScheduleTaskCommand.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setTaskType("charge")
                            .setQueue("tasks"))),
                WorkflowStatus.SUSPENDED));
    TaskExecutionInfo task = tasks().pollTask(pollTask()).getTask();
    assertEquals(taskId.toString(), task.getTaskExecutionId());
    long now = System.currentTimeMillis() * 1_000_000L;
    String workerSpanId = UUID.randomUUID().toString();
    ReportExecutionSpansResponse reported =
        workflows()
            .reportExecutionSpans(
                ReportExecutionSpansRequest.newBuilder()
                    .setSdkInfo(SdkInfo.newBuilder().setLanguage("rust").setSdkVersion("0.1.0"))
                    .addSpans(
                        ExecutionSpan.newBuilder()
                            .setSpanId(workerSpanId)
                            .setSpanType("task.execute")
                            .setWorkflowId(workflowId)
                            .setTaskId(taskId.toString())
                            .setStartTimeUnixNs(now - 5_000_000)
                            .setEndTimeUnixNs(now)
                            .putAttributes("task.type", "charge"))
                    .build());
    assertEquals(1, reported.getAcceptedCount());

    // the workflow's trace is its StartWorkflow span, handed to the workers with the work
    Received started = awaitSpan(named("flovyn.v1.WorkflowDispatch/StartWorkflow"));
    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, started.span().getKind());
    assertEquals("dispatch-under-test", started.service());
    assertEquals(Optional.of("grpc"), started.attribute("rpc.system"));
    assertEquals(Optional.of("StartWorkflow"), started.attribute("rpc.method"));
    assertEquals(Optional.of("0"), started.attribute("rpc.grpc.status_code"));
    // flags: sampled, and the SDK's random trace id (W3C level 2) when it sets that bit
    String trace = "00-" + started.traceId() + "-" + started.spanId() + "-0";
    assertTrue(claimed.getTraceparent().startsWith(trace), claimed.getTraceparent());
    assertTrue(Tracing.remote(claimed.getTraceparent()).isSampled(), claimed.getTraceparent());
    assertEquals(claimed.getTraceparent(), task.getTraceparent());

    // the batch is a child of its RPC's span
    Received submit = awaitSpan(named("flovyn.v1.WorkflowDispatch/SubmitWorkflowCommands"));
    Received applied = awaitSpan(named("dispatch.batch.apply"));
    assertEquals(submit.traceId(), applied.traceId());
    assertEquals(submit.spanId(), applied.parentSpanId());
    assertEquals(Optional.of(workflowId), applied.attribute("dispatch.workflow.id"));
    assertEquals(Optional.of("1"), applied.attribute("dispatch.batch.commands"));

    // the hand-out of the task is in the workflow's trace, linked to the poll
    Received pollTask = awaitSpan(named("flovyn.v1.TaskExecution/PollTask"));
    Received handedOut = awaitSpan(named("dispatch.claim task"));
    assertEquals(started.traceId(), handedOut.traceId());
    assertEquals(started.spanId(), handedOut.parentSpanId());
    assertEquals(Optional.of(taskId.toString()), handedOut.attribute("dispatch.task.id"));
    assertEquals(pollTask.spanId(), hex(handedOut.span().getLinks(0).getSpanId().toByteArray()));

    // the worker's span arrives in the workflow's trace, under the workflow's span
    Received worker = awaitSpan(named("task.execute"));
    assertEquals("flovyn-worker", worker.service());
    assertEquals(started.traceId(), worker.traceId());
    assertEquals(started.spanId(), worker.parentSpanId());
    assertEquals(Optional.of(taskId.toString()), worker.attribute("dispatch.task.id"));
    assertEquals(Optional.of("charge"), worker.attribute("task.type"));
    assertEquals(now, worker.span().getEndTimeUnixNano());
  }

  @Test
  void aCallersTraceparentIsTheParentOfTheRpcSpan() throws Exception {
    String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + clientTrace + "-" + clientSpan + "-01");
    workflows()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .startWorkflow(start(TENANT, "wf"));

    Received started = awaitSpan(named("flovyn.v1.WorkflowDispatch/StartWorkflow"));
    assertEquals(clientTrace, started.traceId());
    assertEquals(clientSpan, started.parentSpanId());
  }

  @Test
  void anHttpRequestIsAServerSpanWithItsStatus() throws Exception {
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/_/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());

    Received span = awaitSpan(named("GET /_/health"));
    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, span.span().getKind());
    assertEquals(Optional.of("200"), span.attribute("http.response.status_code"));
    assertEquals(Optional.of("/_/health"), span.attribute("url.path"));
    assertFalse(span.traceId().isEmpty());
  }

  private Received awaitSpan(Predicate<Received> wanted) throws InterruptedException {
    Await.until(() -> received().anyMatch(wanted), "a span the collector received");
    return received().filter(wanted).findFirst().orElseThrow();
  }

  private Stream<Received> received() {
    return collector.spans().stream().map(Received::new);
  }

  private static Predicate<Received> named(String name) {
    return received -> received.span().getName().equals(name);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows() {
    return WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private TaskExecutionGrpc.TaskExecutionBlockingStub tasks() {
    return TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static PollRequest poll() {
    return PollRequest.newBuilder()
        .setWorkerId("wf-1")
        .setTenantId(TENANT)
        .setQueue("wf")
        .setTimeoutSeconds(20)
        .build();
  }

  private static PollTaskRequest pollTask() {
    return PollTaskRequest.newBuilder()
        .setWorkerId("task-1")
        .setTenantId(TENANT)
        .setQueue("tasks")
        .setTimeoutSeconds(20)
        .build();
  }
}
