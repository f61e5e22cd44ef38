package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTaskResult;
import ai.flovyn.dispatch.proto.AgentDispatchGrpc;
import ai.flovyn.dispatch.proto.GetAgentTaskCountRequest;
import ai.flovyn.dispatch.proto.GetEntriesRequest;
import ai.flovyn.dispatch.proto.TaskResultEntry;
import ai.flovyn.dispatch.sdk.AgentSdkWorker.AgentCode;
import ai.flovyn.dispatch.sdk.AgentSdkWorker.Panic;
import ai.flovyn.dispatch.sdk.AgentSdkWorker.TaskHandle;
import ai.flovyn.dispatch.sdk.AgentSdkWorker.TaskWorker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's durable agents end to end: an emulation of the Rust SDK's agent worker ({@link
 * AgentSdkWorker}, written from docs/agents.md) and a task worker, over a real socket with a worker
 * token, against the real services and PostgreSQL. Each scenario runs on its own queue, as the
 * SDK's e2e tests do.
 */
class AgentEndToEndIT {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static AgentTestServer server;
  private static final CountDownLatch gate = new CountDownLatch(1);
  private static final Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    server = new AgentTestServer(AgentOptions.defaults().withLeases(LEASE, Duration.ofSeconds(90)));
  }

  @AfterAll
  static void stop() throws Exception {
    gate.countDown();
    server.close();
  }

  private static final Map<String, Function<JsonNode, JsonNode>> TASKS =
      Map.of(
          "echo-task",
          input -> input,
          "fail-task",
          input -> {
            throw new IllegalStateException("Task 'fail-task' intentionally failed");
          },
          "gated-task",
          input -> {
            await(gate);
            return input;
          });

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ObjectNode object() {
    return AgentSdkWorker.JSON.createObjectNode();
  }

  private static int run(AgentSdkWorker.Context ctx) {
    return runs.computeIfAbsent(ctx.id, id -> new AtomicInteger()).incrementAndGet();
  }

  /** fixtures/agents.rs TaskSchedulingAgent, line by line. */
  private static final AgentCode TASK_SCHEDULING =
      (ctx, input) -> {
        run(ctx);
        JsonNode taskInput = input.has("taskInput") ? input.get("taskInput") : object();
        String kind = input.path("taskKind").asText("echo-task");
        ctx.appendEntry("assistant", object().put("text", "Scheduling task: " + kind));
        ctx.checkpoint(object().put("phase", "pre-task"));
        ctx.appendToolCall(kind, taskInput);
        TaskHandle future = ctx.scheduleRaw(kind, taskInput);
        JsonNode result = ctx.joinAll(List.of(future)).get(0);
        ctx.appendToolResult(kind, result);
        ctx.checkpoint(object().put("phase", "post-task").put("taskCompleted", true));
        ctx.appendEntry("assistant", object().put("text", "Task completed successfully"));
        ObjectNode output = object();
        output.set("taskResult", result);
        output.put("taskKind", kind);
        return output;
      };

  @Test
  void theWorkedTraceOfTheContract() throws Exception {
    String queue = "trace";
    try (AgentSdkWorker worker =
            new AgentSdkWorker(
                    server.asTenant,
                    server.tenant,
                    queue,
                    Map.of("task-scheduling-agent", TASK_SCHEDULING))
                .start();
        TaskWorker tasks = new TaskWorker(server.asTenant, server.tenant, queue, TASKS, k -> {})) {
      UUID id =
          server.create(
              "task-scheduling-agent",
              "{\"taskKind\":\"echo-task\",\"taskInput\":{\"message\":\"alpha\"}}",
              queue);
      AgentExecution done = server.awaitStatus(id, AgentStatus.COMPLETED);
      JsonNode output =
          AgentSdkWorker.JSON.readTree(new String(done.output(), StandardCharsets.UTF_8));
      assertEquals("alpha", output.path("taskResult").path("message").asText());
      assertEquals(2, runs.get(id).get(), "claimed, suspended on the task, claimed again");
      var stub = AgentDispatchGrpc.newBlockingStub(server.asTenant);
      int[] entries = {0};
      stub.getEntries(GetEntriesRequest.newBuilder().setAgentExecutionId(id.toString()).build())
          .forEachRemaining(chunk -> entries[0]++);
      assertEquals(6, entries[0], "two entries from claim 1, four from claim 2");
      assertEquals(4, server.dispatch.agentCheckpoints(server.scope(), id).block().size());
      assertEquals(
          1,
          stub.getAgentTaskCount(
                  GetAgentTaskCountRequest.newBuilder().setAgentExecutionId(id.toString()).build())
              .getTaskCount(),
          "the repeated key answered the existing task");
      assertEquals(4, done.currentCheckpointSeq());
    }
  }

  @Test
  void parallelToolsWaitForAllAndForAny() throws Exception {
    String queue = "parallel";
    AgentCode all =
        (ctx, input) -> {
          run(ctx);
          List<TaskHandle> handles =
              List.of(
                  ctx.scheduleRaw("echo-task", object().put("n", 1)),
                  ctx.scheduleRaw("echo-task", object().put("n", 2)),
                  ctx.scheduleRaw("echo-task", object().put("n", 3)));
          int sum = ctx.joinAll(handles).stream().mapToInt(node -> node.path("n").asInt()).sum();
          return object().put("sum", sum);
        };
    AgentCode any =
        (ctx, input) -> {
          run(ctx);
          List<TaskHandle> handles =
              List.of(
                  ctx.schedule("fail-task", object().put("x", 1), null, 0),
                  ctx.scheduleRaw("gated-task", object().put("winner", "gated")));
          return ctx.selectOk(handles);
        };
    try (AgentSdkWorker worker =
            new AgentSdkWorker(
                    server.asTenant,
                    server.tenant,
                    queue,
                    Map.of("all-agent", all, "any-agent", any))
                .start();
        TaskWorker tasks = new TaskWorker(server.asTenant, server.tenant, queue, TASKS, k -> {});
        TaskWorker gated = new TaskWorker(server.asTenant, server.tenant, queue, TASKS, k -> {})) {
      UUID allId = server.create("all-agent", "{}", queue);
      UUID anyId = server.create("any-agent", "{}", queue);
      AgentExecution allDone = server.awaitStatus(allId, AgentStatus.COMPLETED);
      assertEquals("{\"sum\":6}", new String(allDone.output(), StandardCharsets.UTF_8));
      // the failed task alone does not satisfy ANY: the agent waits for the gated one
      Await.until(
          () -> taskStatus(anyId, "fail-task", object().put("x", 1)).equals("FAILED"),
          "the failing task failed");
      assertEquals(AgentStatus.WAITING, server.agent(anyId).status());
      gate.countDown();
      AgentExecution anyDone = server.awaitStatus(anyId, AgentStatus.COMPLETED);
      assertEquals("{\"winner\":\"gated\"}", new String(anyDone.output(), StandardCharsets.UTF_8));
      assertEquals(2, runs.get(anyId).get(), "one claim to suspend, one to finish");
    }
  }

  private static String taskStatus(UUID agent, String kind, JsonNode input) {
    UUID task = AgentKeys.taskId(AgentKeys.key(agent, kind, input));
    List<AgentTaskResult> results =
        server.dispatch.agents().taskResults(server.scope(), agent, List.of(task)).block();
    return results.get(0).status().name();
  }

  @Test
  void anAgentWaitsForASignal() throws Exception {
    String queue = "signals";
    AgentCode chat =
        (ctx, input) -> {
          run(ctx);
          JsonNode message = ctx.waitForSignal("userMessage");
          ObjectNode output = object();
          output.set("echo", message);
          return output;
        };
    try (AgentSdkWorker worker =
        new AgentSdkWorker(server.asTenant, server.tenant, queue, Map.of("chat-agent", chat))
            .start()) {
      // created over REST as the SDK's e2e harness creates it
      var created =
          server.rest(
              "POST",
              "/agent-executions",
              "{\"kind\":\"chat-agent\",\"input\":{},\"queue\":\"" + queue + "\"}");
      assertEquals(201, created.statusCode(), created.body());
      UUID id =
          UUID.fromString(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(created.body())
                  .path("id")
                  .asText());
      server.awaitStatus(id, AgentStatus.WAITING);
      var other =
          server
              .dispatch
              .signalAgent(server.scope(), id, "other", "1".getBytes(StandardCharsets.UTF_8))
              .block();
      assertEquals(false, other.agentResumed());
      // the matching signal arrives over REST, as the SDK's e2e harness sends it
      var signal =
          server.rest(
              "POST",
              "/agent-executions/" + id + "/signal",
              "{\"signalName\":\"userMessage\",\"signalValue\":{\"text\":\"hi\"}}");
      assertEquals(200, signal.statusCode(), signal.body());
      assertTrue(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(signal.body())
              .path("agentResumed")
              .asBoolean(),
          signal.body());
      AgentExecution done = server.awaitStatus(id, AgentStatus.COMPLETED);
      assertEquals(
          "{\"echo\":{\"text\":\"hi\"}}", new String(done.output(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void anAgentWhoseTaskFailsFails() throws Exception {
    String queue = "failing";
    AgentCode failing =
        (ctx, input) -> {
          run(ctx);
          return ctx.joinAll(List.of(ctx.schedule("fail-task", object().put("y", 1), null, 0)))
              .get(0);
        };
    try (AgentSdkWorker worker =
            new AgentSdkWorker(server.asTenant, server.tenant, queue, Map.of("failing", failing))
                .start();
        TaskWorker tasks = new TaskWorker(server.asTenant, server.tenant, queue, TASKS, k -> {})) {
      UUID id = server.create("failing", "{}", queue);
      AgentExecution failed = server.awaitStatus(id, AgentStatus.FAILED);
      assertTrue(failed.error().contains("intentionally failed"), failed.error());
      assertTrue(failed.error().startsWith("Task failed: Task 'fail-task'"), failed.error());
    }
  }

  @Test
  void aTaskPastItsTimeoutFailsTimedOutAndWakesTheAgent() throws Exception {
    String queue = "timeouts";
    AgentCode timing =
        (ctx, input) -> {
          run(ctx);
          List<TaskResultEntry> results =
              ctx.joinAllSettled(
                  List.of(
                      ctx.schedule("never-task", object().put("t", 1), "nobody", 300L, null),
                      ctx.schedule("echo-task", object().put("t", 2), 60_000L, null)));
          long timedOut = results.stream().filter(r -> r.getError().contains("timed out")).count();
          return object().put("timedOut", timedOut).put("results", results.size());
        };
    try (AgentSdkWorker worker =
            new AgentSdkWorker(server.asTenant, server.tenant, queue, Map.of("timing", timing))
                .start();
        TaskWorker tasks = new TaskWorker(server.asTenant, server.tenant, queue, TASKS, k -> {})) {
      UUID id = server.create("timing", "{}", queue);
      AgentExecution done = server.awaitStatus(id, AgentStatus.COMPLETED);
      assertEquals(
          "{\"timedOut\":1,\"results\":2}", new String(done.output(), StandardCharsets.UTF_8));
      UUID task = AgentKeys.taskId(AgentKeys.key(id, "never-task", object().put("t", 1)));
      AgentTaskResult result =
          server.dispatch.agents().taskResults(server.scope(), id, List.of(task)).block().get(0);
      assertEquals("FAILED", result.status().name());
      assertTrue(result.error().contains("timed out"), result.error());
    }
  }

  @Test
  void aParentSpawnsAChildAndJoinsIt() throws Exception {
    String queue = "children";
    AgentCode parent =
        (ctx, input) -> {
          run(ctx);
          UUID child;
          if (ctx.state() != null && ctx.state().has("child")) {
            child = UUID.fromString(ctx.state().get("child").asText());
          } else {
            child = ctx.spawnAgent("child-agent", object().put("n", 21));
            ctx.checkpoint(object().put("child", child.toString()));
          }
          var events = ctx.joinChildren(List.of(child));
          ObjectNode output = object();
          output.put("event", events.get(0).getEventType());
          output.set("child", AgentSdkWorker.readJson(events.get(0).getOutput()));
          return output;
        };
    AgentCode child =
        (ctx, input) -> {
          run(ctx);
          ctx.signalParent("child.progress", object().put("half", true));
          return object().put("doubled", input.path("n").asInt() * 2);
        };
    try (AgentSdkWorker worker =
        new AgentSdkWorker(
                server.asTenant,
                server.tenant,
                queue,
                Map.of("parent-agent", parent, "child-agent", child))
            .start()) {
      UUID id = server.create("parent-agent", "{}", queue);
      AgentExecution done = server.awaitStatus(id, AgentStatus.COMPLETED);
      assertEquals(
          "{\"event\":\"completed\",\"child\":{\"doubled\":42}}",
          new String(done.output(), StandardCharsets.UTF_8));
      var signals =
          server.dispatch.agents().consumeSignals(server.scope(), id, null, "child.*").block();
      assertEquals(1, signals.size(), "the child's signal is in the parent's queue");
    }
  }

  @Test
  void anAgentOfAKilledWorkerIsResumedByAnotherFromItsCheckpoint() throws Exception {
    String queue = "killed";
    CountDownLatch crashed = new CountDownLatch(1);
    AgentCode crashing =
        (ctx, input) -> {
          run(ctx);
          ctx.appendEntry("user", object().put("text", "step one"));
          ctx.checkpoint(object().put("step", 1));
          crashed.countDown();
          throw new Panic("the process dies here");
        };
    AgentCode resuming =
        (ctx, input) -> {
          run(ctx);
          int step = ctx.state() == null ? 0 : ctx.state().path("step").asInt();
          return object()
              .put("resumedFrom", step)
              .put("sequence", ctx.checkpointSequence)
              .put("entries", ctx.messages.size());
        };
    UUID id;
    AgentSdkWorker first =
        new AgentSdkWorker(server.asTenant, server.tenant, queue, Map.of("long-agent", crashing))
            .start();
    id = server.create("long-agent", "{}", queue);
    assertTrue(crashed.await(30, TimeUnit.SECONDS));
    first.kill();
    assertEquals(AgentStatus.RUNNING, server.agent(id).status(), "a dead worker sends nothing");
    try (AgentSdkWorker second =
        new AgentSdkWorker(server.asTenant, server.tenant, queue, Map.of("long-agent", resuming))
            .start()) {
      AgentExecution done = server.awaitStatus(id, AgentStatus.COMPLETED);
      assertEquals(
          "{\"resumedFrom\":1,\"sequence\":1,\"entries\":1}",
          new String(done.output(), StandardCharsets.UTF_8));
    } finally {
      first.close();
    }
  }

  /** Bounded waits, as testing/Await, on values of this class. */
  private static final class Await {
    static void until(java.util.function.BooleanSupplier condition, String what)
        throws InterruptedException {
      ai.flovyn.dispatch.testing.Await.until(condition, what);
    }
  }
}
