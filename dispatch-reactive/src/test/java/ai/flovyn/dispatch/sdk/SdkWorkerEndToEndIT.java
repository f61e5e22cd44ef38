package ai.flovyn.dispatch.sdk;

import static ai.flovyn.dispatch.sdk.HistoryChecks.count;
import static ai.flovyn.dispatch.sdk.HistoryChecks.ofType;
import static ai.flovyn.dispatch.sdk.HistoryChecks.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.QueryWorkflowResponse;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.sdk.WorkflowContext.Awaitable;
import ai.flovyn.dispatch.server.DispatchServer;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An unmodified SDK worker of each front-end against the real server over a real socket and real
 * PostgreSQL: a workflow that waits on every kind of thing the SDK can wait on (two parallel tasks,
 * a timer, two promises resolved by a client in the Rust/Python and in the Kotlin way, a child
 * workflow, a signal), records an operation and state, and completes. Every activation must replay
 * without a determinism violation and resume, and the final history must be what every SDK can
 * replay: one event per command, gapless numbers, known types, canonical ids.
 */
class SdkWorkerEndToEndIT {
  private static Metadata authorization() {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer fwt_placeholder-" + UUID.randomUUID());
    return headers;
  }

  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final String QUEUE = "sdk-e2e";

  private TestDatabase db;
  private DispatchServer server;
  private ManagedChannel channel;

  @BeforeEach
  void startServer() {
    db = TestDatabase.create();
    server = RealServers.start(db, "--db-pool-size=6", "--shutdown-grace-seconds=1");
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
            .usePlaintext()
            // every SDK call carries the worker token; with authentication off any token passes
            // (docs/sdk-compatibility.md, A2), here the placeholder FFI and NAPI send when none is
            // configured
            .intercept(MetadataUtils.newAttachHeadersInterceptor(authorization()))
            .build();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    db.close();
  }

  /** The parent: every kind of wait, in an order that needs one activation per wait. */
  static String order(WorkflowContext ctx) {
    Awaitable charge = ctx.scheduleTask("charge", "{\"amount\":10}");
    Awaitable reserve = ctx.scheduleTask("reserve", "{\"sku\":\"x-1\"}");
    String charged = charge.await();
    String reserved = reserve.await();
    String stamp = ctx.run("stamp", () -> "{\"at\":" + ctx.currentTimeMillis() + "}");
    ctx.setState("progress", "\"tasks-done\"");
    ctx.sleep(Duration.ofMillis(200));
    String approval = ctx.promise("approval").await();
    String review = ctx.promise("review").await();
    String shipped = ctx.scheduleChild("shipping", "shipping", "{\"to\":\"home\"}").await();
    ctx.setState("progress", "\"waiting-for-signal\"");
    String go = ctx.waitForSignal("go");
    ctx.setState("progress", "\"done\"");
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("charged", SdkJson.parse(charged));
    output.put("reserved", SdkJson.parse(reserved));
    output.put("stamped", SdkJson.parse(stamp) instanceof Map);
    output.put("approval", SdkJson.parse(approval));
    output.put("review", SdkJson.parse(review));
    output.put("shipped", SdkJson.parse(shipped));
    output.put("go", SdkJson.parse(go));
    return SdkJson.write(output);
  }

  /** The child: one task, then its output. */
  static String shipping(WorkflowContext ctx) {
    String packed = ctx.scheduleTask("pack", ctx.input()).await();
    return "{\"shipped\":" + packed + "}";
  }

  /** Fails its first attempt: the retry must stay invisible to the workflow (E4, T3). */
  static String reserve(String input, int attempt) {
    if (attempt == 1) {
      throw new IllegalStateException("transient");
    }
    return "{\"reserved\":" + input + "}";
  }

  private SdkWorker worker(FrontEnd frontEnd) {
    return SdkWorker.builder(channel, frontEnd)
        .tenant(UUID.randomUUID().toString())
        .queue(QUEUE)
        .workflow("order", SdkWorkerEndToEndIT::order)
        .workflow("shipping", SdkWorkerEndToEndIT::shipping)
        .task("charge", (input, attempt) -> "{\"charged\":" + input + "}")
        .task("reserve", SdkWorkerEndToEndIT::reserve)
        .task("pack", (input, attempt) -> "{\"packed\":" + input + "}")
        .build();
  }

  private String status(String workflowId) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status");
  }

  @ParameterizedTest
  @EnumSource(FrontEnd.class)
  void anSdkWorkerRunsAWorkflowThroughEveryKindOfWait(FrontEnd frontEnd) throws Exception {
    long testStart = System.currentTimeMillis();
    String workflowId;
    try (SdkWorker worker = worker(frontEnd)) {
      String registered = worker.start();
      assertEquals(UUID.fromString(registered).toString(), registered, "a canonical UUID (L2)");
      assertFalse(registered.equals(new UUID(0, 0).toString()), "a real worker id (L2)");
      if (frontEnd == FrontEnd.RUST) {
        worker.heartbeat();
      }
      worker.startLoops();
      SdkClient client = new SdkClient(channel, worker.tenant());
      workflowId = client.startWorkflow("order", "{\"order\":1}", QUEUE);
      String id = workflowId;

      worker.awaitActivation(
          a -> a.workflowId().equals(id) && a.suspendedOn("promise approval"),
          "the workflow to wait on its first promise",
          BOUND);
      client.resolvePromiseByLookup(workflowId, "approval", "{\"approved\":true}");
      worker.awaitActivation(
          a -> a.workflowId().equals(id) && a.suspendedOn("promise review"),
          "the workflow to wait on its second promise",
          BOUND);
      client.resolvePromiseKotlin(workflowId, "review", "\"lgtm\"");
      worker.awaitActivation(
          a -> a.workflowId().equals(id) && a.suspendedOn("signal go"),
          "the workflow to wait for the signal",
          BOUND);
      Await.until(() -> status(id).equals("WAITING"), "the workflow to be WAITING");
      assertEquals(
          "\"waiting-for-signal\"",
          client.query(workflowId, "progress").getResult().toStringUtf8(),
          "QueryWorkflow answers a state key from the stored state (Q2)");

      long signalSequence = client.signal(workflowId, "go", "{\"speed\":\"fast\"}");
      assertTrue(signalSequence > 0, "signal_event_sequence > 0 (N4)");
      Activation completed =
          worker.awaitActivation(
              a -> a.workflowId().equals(id) && a.outcome().equals("COMPLETED"),
              "the workflow to complete",
              BOUND);
      Await.until(() -> status(id).equals("COMPLETED"), "the workflow to be COMPLETED");
      worker.close();

      assertEquals(
          List.of(), worker.violations(), "no determinism violation\n" + worker.describe());
      assertEquals(List.of(), worker.loopErrors(), "no failed call\n" + worker.describe());
      assertActivationsResumed(worker, workflowId, testStart);
      assertEquals(
          List.of("failed: transient", "completed: {\"reserved\":{\"sku\":\"x-1\"}}"),
          worker.taskRuns().stream()
              .filter(run -> run.kind().equals("reserve"))
              .map(SdkWorker.TaskRun::outcome)
              .toList(),
          "the failed attempt was retried");
      assertEquals(
          "{\"charged\":{\"charged\":{\"amount\":10}},"
              + "\"reserved\":{\"reserved\":{\"sku\":\"x-1\"}},"
              + "\"stamped\":true,"
              + "\"approval\":{\"approved\":true},"
              + "\"review\":\"lgtm\","
              + "\"shipped\":{\"shipped\":{\"packed\":{\"to\":\"home\"}}},"
              + "\"go\":{\"speed\":\"fast\"}}",
          completed.detail(),
          "every outcome reached the code");

      List<WorkflowEvent> events = client.events(workflowId);
      HistoryChecks.assertWellFormed(events);
      HistoryChecks.assertOneEventPerCommand(events, accepted(worker, workflowId));
      assertEquals(
          "SIGNAL_RECEIVED",
          events.get((int) signalSequence - 1).getEventType(),
          "signal_event_sequence names the SIGNAL_RECEIVED event");
      assertParentEvents(events);

      String childId = SdkJson.string(only(events, "CHILD_WORKFLOW_INITIATED"), "childExecutionId");
      assertEquals(5, UUID.fromString(childId).version(), "the SDK's v5 child id is kept");
      assertEquals("COMPLETED", status(childId));
      assertFalse(worker.activations(childId).isEmpty(), "the same worker ran the child");
      List<WorkflowEvent> childEvents = client.events(childId);
      HistoryChecks.assertWellFormed(childEvents);
      HistoryChecks.assertOneEventPerCommand(childEvents, accepted(worker, childId));

      QueryWorkflowResponse progress = client.query(workflowId, "progress");
      assertEquals("\"done\"", progress.getResult().toStringUtf8());
      assertEquals(
          "\"COMPLETED\"", client.query(workflowId, "__status").getResult().toStringUtf8());
      assertTrue(
          SdkJson.same(
              completed.detail(), client.query(workflowId, "__result").getResult().toStringUtf8()),
          "__result is the output");
    }
  }

  @Test
  void aRustWorkerThatSkipsRegistrationStillPollsAndCompletes() throws Exception {
    try (SdkWorker worker =
        SdkWorker.builder(channel, FrontEnd.RUST)
            .tenant(UUID.randomUUID().toString())
            .queue(QUEUE)
            .workflow(
                "nap",
                ctx -> {
                  ctx.sleep(Duration.ofMillis(100));
                  String once = ctx.run("once", () -> "{\"ran\":true}");
                  ctx.setState("slept", "true");
                  return once;
                })
            .autoRegistration(false)
            .build()) {
      assertNull(worker.start(), "enable_auto_registration(false): no RegisterWorker");
      worker.startLoops();
      String id = new SdkClient(channel, worker.tenant()).startWorkflow("nap", "{}", QUEUE);

      Activation completed =
          worker.awaitActivation(
              a -> a.workflowId().equals(id) && a.outcome().equals("COMPLETED"),
              "the workflow to complete without a registration (L7)",
              BOUND);
      worker.close();

      assertEquals("{\"ran\":true}", completed.detail());
      assertEquals(List.of(), worker.loopErrors(), worker.describe());
      assertEquals(List.of(), worker.violations(), worker.describe());
      List<WorkflowEvent> events = new SdkClient(channel, worker.tenant()).events(id);
      HistoryChecks.assertWellFormed(events);
      HistoryChecks.assertOneEventPerCommand(events, accepted(worker, id));
    }
  }

  private static List<SubmitWorkflowCommandsRequest> accepted(SdkWorker worker, String id) {
    return worker.activations(id).stream()
        .filter(a -> a.submitStatus() != null && a.submitStatus().isOk())
        .map(Activation::submitted)
        .toList();
  }

  // Each activation after the first must see something new (whatever woke it), and read every
  // matched event of its history; the deterministic clock is a plausible epoch-ms time.
  private static void assertActivationsResumed(SdkWorker worker, String workflowId, long start) {
    List<Activation> activations = worker.activations(workflowId);
    for (int i = 0; i < activations.size(); i++) {
      Activation activation = activations.get(i);
      assertTrue(activation.submitStatus().isOk(), "batch accepted: " + activation);
      assertEquals(
          Map.of(), activation.unconsumed(), "no event the code did not make: " + activation);
      assertTrue(
          activation.taskTimeMillis() >= start - 60_000
              && activation.taskTimeMillis() <= System.currentTimeMillis() + 60_000,
          "workflow_task_time_millis is an epoch-ms time near now: " + activation.taskTimeMillis());
      if (i > 0) {
        assertTrue(
            activation.historyLength() > activations.get(i - 1).historyLength(),
            "a wake-up brings a new event: " + activations.get(i - 1) + " then " + activation);
      }
    }
  }

  private static void assertParentEvents(List<WorkflowEvent> events) {
    List<String> kinds =
        ofType(events, "TASK_SCHEDULED").stream()
            .map(e -> SdkJson.string(SdkJson.object(e.getEventData()), "kind"))
            .toList();
    assertEquals(List.of("charge", "reserve"), kinds, "TASK_SCHEDULED carries kind (E2)");
    for (WorkflowEvent scheduled : ofType(events, "TASK_SCHEDULED")) {
      String taskId = SdkJson.string(SdkJson.object(scheduled.getEventData()), "taskExecutionId");
      assertEquals(5, UUID.fromString(taskId).version(), "the SDK's v5 task id is kept");
    }
    assertEquals(2, count(events, "TASK_COMPLETED"));
    assertEquals(0, count(events, "TASK_FAILED"), "a retried attempt is no outcome (E4)");
    assertEquals(1, count(events, "TIMER_FIRED"));
    assertEquals(2, count(events, "PROMISE_RESOLVED"));
    assertEquals(1, count(events, "CHILD_WORKFLOW_COMPLETED"));
    assertEquals(
        "shipping",
        SdkJson.string(only(events, "CHILD_WORKFLOW_COMPLETED"), "childExecutionName"),
        "CHILD_WORKFLOW_COMPLETED carries childExecutionName (E8)");
    Map<String, Object> signal = only(events, "SIGNAL_RECEIVED");
    assertEquals("go", SdkJson.string(signal, "signalName"));
    assertEquals(Map.of("speed", "fast"), signal.get("signalValue"), "embedded JSON (E9)");
    Map<String, String> promiseIds = new LinkedHashMap<>();
    for (WorkflowEvent created : ofType(events, "PROMISE_CREATED")) {
      Map<String, Object> data = SdkJson.object(created.getEventData());
      promiseIds.put(SdkJson.string(data, "promiseName"), SdkJson.string(data, "promiseId"));
    }
    assertEquals(List.of("approval", "review"), List.copyOf(promiseIds.keySet()), "E6");
    List<String> resolved =
        ofType(events, "PROMISE_RESOLVED").stream()
            .map(e -> SdkJson.string(SdkJson.object(e.getEventData()), "promiseId"))
            .toList();
    assertEquals(
        List.copyOf(promiseIds.values()),
        resolved,
        "both the looked-up id and the Kotlin form resolve the promise the workflow created (PR1)");
  }
}
