package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agents over HTTP as the Flovyn SDK's e2e harness drives them (contract §5.1): a token whose
 * tenant has a slug creates the agent under {@code /api/orgs/<slug>/…}, an emulated worker runs it
 * through the library (the calls AgentDispatch serves) under the tenant id, and the harness signals
 * it and reads its checkpoints and tasks over REST. Every answer is checked against the OpenAPI
 * document.
 */
class AgentRoutesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = UUID.randomUUID().toString();
  private static final String OTHER = UUID.randomUUID().toString();
  private static final String ORG = "/api/orgs/acme/agent-executions";
  private static final OpenApiSchemas schemas = new OpenApiSchemas();

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static ActiveTokens snapshot;
  private static HttpPort http;
  private static ApiClient api;
  private static Dispatch dispatch;
  private static final Scope SCOPE = Scope.tenant(TENANT);

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    dispatch = grpc.dispatch();
    Tokens tokens = Tokens.over(db.connectionFactory());
    tokens.setSlug(TENANT, "acme").block(WAIT);
    tokens.setSlug(OTHER, "globex").block(WAIT);
    IssuedToken token = tokens.create(TENANT, TokenRole.ADMIN, "harness").block(WAIT);
    snapshot =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    http =
        HttpPort.start(
            new HttpPort.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                grpc.registry(),
                dispatch,
                snapshot,
                SlugOrgs.over(snapshot)));
    api = new ApiClient(http.port(), token.text());
  }

  @AfterAll
  static void stopServers() {
    http.close();
    snapshot.close();
    grpc.close();
    db.close();
  }

  private static ApiClient.Answer conforms(String operationId, ApiClient.Answer answer) {
    List<String> problems =
        schemas.check(schemas.responseSchema(operationId, answer.status()), answer.json());
    assertTrue(problems.isEmpty(), operationId + " " + problems + " in " + answer.json());
    return answer;
  }

  private static String create(String kind, String queue) {
    ApiClient.Answer created =
        api.post(ORG, "{\"kind\":\"" + kind + "\",\"queue\":\"" + queue + "\"}");
    assertEquals(201, created.status(), created.raw().body());
    return created.json().path("id").asText();
  }

  /** The emulated worker's PollAgent: the agent of {@code queue}, claimed RUNNING. */
  private static AgentExecution poll(String queue) {
    AgentExecution agent =
        dispatch
            .pollAgent(SCOPE, TENANT, queue, List.of(), null, "worker-1", Duration.ofSeconds(5))
            .block(WAIT);
    assertNotNull(agent, "an agent was claimed");
    return agent;
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static long rows(String table) {
    return ((Number) db.rows("SELECT count(*) AS n FROM " + table).get(0).get("n")).longValue();
  }

  @Test
  void theHarnessCreatesSignalsAndReadsAnAgentThatAWorkerRuns() {
    String queue = "harness-" + UUID.randomUUID();
    ApiClient.Answer created =
        conforms(
            "createAgent",
            api.post(
                ORG,
                "{\"kind\":\"signal-agent\",\"input\":{\"prompt\":\"hi\"},\"queue\":\""
                    + queue
                    + "\"}"));
    assertEquals(201, created.status(), created.raw().body());
    assertEquals("PENDING", created.json().path("status").asText());
    // the REST path names the slug; the agent, like gRPC's org_id, carries the tenant id
    assertEquals(TENANT, created.json().path("orgId").asText());
    assertEquals(-1, created.json().path("currentCheckpointSeq").asInt());
    assertEquals("hi", created.json().path("input").path("prompt").asText());
    UUID id = UUID.fromString(created.json().path("id").asText());
    String agent = ORG + "/" + id;

    // the worker: claim, an entry, a checkpoint, a task, then wait for a signal
    AgentExecution claimed = poll(queue);
    assertEquals(id, claimed.id());
    dispatch
        .agents()
        .appendEntry(
            SCOPE,
            new NewAgentEntry(
                id, null, "message", "user", json("{\"text\":\"hi\"}"), "t1", null, null))
        .block(WAIT);
    dispatch.agents().submitCheckpoint(SCOPE, id, null, json("{\"turns\":1}"), null).block(WAIT);
    UUID task =
        dispatch
            .agents()
            .scheduleTask(
                SCOPE,
                new ScheduleAgentTask(
                    id, "search", json("{\"q\":\"x\"}"), null, null, null, "search-1"))
            .block(WAIT)
            .taskExecutionId();
    assertEquals(
        AgentStatus.WAITING,
        dispatch
            .agents()
            .suspend(SCOPE, id, new AgentWait(AgentWait.Kind.SIGNAL, "approve", null, "approval"))
            .block(WAIT));
    assertEquals("WAITING", conforms("getAgent", api.get(agent)).json().path("status").asText());

    // the harness signals over REST: the awaited name resumes it
    ApiClient.Answer signalled =
        conforms(
            "signalAgent",
            api.post(agent + "/signal", "{\"signalName\":\"approve\",\"signalValue\":{\"ok\":1}}"));
    assertEquals(200, signalled.status(), signalled.raw().body());
    assertTrue(signalled.json().path("signaled").asBoolean());
    assertTrue(signalled.json().path("agentResumed").asBoolean());
    assertEquals("PENDING", api.get(agent).json().path("status").asText());

    // the worker resumes, consumes the signal and completes
    poll(queue);
    assertEquals(
        1, dispatch.agents().consumeSignals(SCOPE, id, "approve", null).block(WAIT).size());
    dispatch.agents().complete(SCOPE, id, json("{\"response\":\"done\"}")).block(WAIT);

    JsonNode done = conforms("getAgent", api.get(agent)).json();
    assertEquals("COMPLETED", done.path("status").asText());
    assertEquals("done", done.path("output").path("response").asText());
    assertEquals(1, done.path("currentCheckpointSeq").asInt());
    assertFalse(done.path("completedAt").isNull());

    JsonNode checkpoints =
        conforms("listAgentCheckpoints", api.get(agent + "/checkpoints"))
            .json()
            .path("checkpoints");
    assertEquals(1, checkpoints.size());
    assertEquals(1, checkpoints.get(0).path("sequence").asInt());
    assertEquals(1, checkpoints.get(0).path("state").path("turns").asInt());
    assertEquals(id.toString(), checkpoints.get(0).path("agentExecutionId").asText());
    assertEquals(
        1,
        conforms("getAgentCheckpoint", api.get(agent + "/checkpoints/1"))
            .json()
            .path("sequence")
            .asInt());
    assertEquals(404, api.get(agent + "/checkpoints/2").status());
    assertEquals(400, api.get(agent + "/checkpoints/zero").status());

    JsonNode tasks = conforms("listAgentTasks", api.get(agent + "/tasks")).json().path("tasks");
    assertEquals(1, tasks.size());
    assertEquals(task.toString(), tasks.get(0).path("id").asText());
    assertEquals("search", tasks.get(0).path("kind").asText());
    assertEquals("x", tasks.get(0).path("input").path("q").asText());
    assertEquals(id.toString(), tasks.get(0).path("agentExecutionId").asText());

    JsonNode entries =
        conforms("listAgentEntries", api.get(agent + "/entries")).json().path("entries");
    assertEquals(1, entries.size());
    assertEquals("message", entries.get(0).path("entryType").asText());
    assertEquals("hi", entries.get(0).path("content").path("text").asText());

    JsonNode signals =
        conforms("listAgentSignals", api.get(agent + "/signals")).json().path("signals");
    assertEquals(1, signals.size());
    assertEquals("approve", signals.get(0).path("name").asText());
    assertTrue(signals.get(0).path("consumed").asBoolean());

    // a finished agent takes no signal, and the refusal writes none
    ApiClient.Answer late = api.post(agent + "/signal", "{\"signalName\":\"approve\"}");
    assertEquals(409, late.status(), late.raw().body());
    assertEquals(1, api.get(agent + "/signals").json().path("signals").size());
  }

  @Test
  void theListFiltersByStatusKindAndQueueAndPagesLikeTheWorkflowList() {
    String queue = "list-" + UUID.randomUUID();
    String first = create("alpha", queue);
    create("alpha", queue);
    String third = create("beta", queue);
    ApiClient.Answer cancelled = conforms("cancelAgent", api.delete(ORG + "/" + first));
    assertTrue(cancelled.json().path("cancelled").asBoolean(), cancelled.raw().body());
    assertEquals("CANCELLED", cancelled.json().path("status").asText());
    ApiClient.Answer again =
        conforms("cancelAgentPost", api.post(ORG + "/" + first + "/cancel", "{}"));
    assertFalse(again.json().path("cancelled").asBoolean());

    JsonNode all = conforms("listAgents", api.get(ORG + "?queue=" + queue)).json();
    assertEquals(3, all.path("total").asInt());
    assertEquals(third, all.path("agents").get(0).path("id").asText(), "newest first");
    assertTrue(all.path("agents").get(0).path("input").isMissingNode(), "lists carry no input");
    assertEquals(
        1, api.get(ORG + "?queue=" + queue + "&status=cancelled").json().path("total").asInt());
    assertEquals(1, api.get(ORG + "?queue=" + queue + "&kind=beta").json().path("total").asInt());
    assertEquals(
        2,
        api.get(ORG + "?queue=" + queue + "&status=PENDING,CANCELLED&kind=alpha")
            .json()
            .path("total")
            .asInt());

    JsonNode page = api.get(ORG + "?queue=" + queue + "&limit=2").json();
    assertEquals(2, page.path("agents").size());
    String cursor = page.path("nextCursor").asText();
    JsonNode next = api.get(ORG + "?queue=" + queue + "&limit=2&cursor=" + cursor).json();
    assertEquals(1, next.path("agents").size());
    assertEquals(first, next.path("agents").get(0).path("id").asText());
    assertTrue(next.path("nextCursor").isNull());
    assertEquals(
        first,
        api.get(ORG + "?queue=" + queue + "&limit=2&offset=2")
            .json()
            .path("agents")
            .get(0)
            .path("id")
            .asText());

    JsonNode counts =
        conforms("countAgents", api.get(ORG + "/counts?queue=" + queue)).json().path("counts");
    assertEquals(2, counts.path("PENDING").asInt());
    assertEquals(1, counts.path("CANCELLED").asInt());
    assertEquals(0, counts.path("RUNNING").asInt());
  }

  @Test
  void badInputIs400NamingTheFieldAndWritesNothing() {
    String agent = ORG + "/" + create("bad", "bad-" + UUID.randomUUID());
    long agents = rows("agent_executions");
    long signals = rows("agent_signals");
    assertEquals("kind: required", api.post(ORG, "{\"queue\":\"q\"}").error());
    assertEquals("kind: required", api.post(ORG, "{\"kind\":\"\"}").error());
    assertEquals("kind: must be a string", api.post(ORG, "{\"kind\":5}").error());
    assertTrue(api.post(ORG, "{\"kind\":\"k\",\"queue\":5}").error().startsWith("queue: "));
    assertTrue(
        api.post(ORG, "{\"kind\":\"k\",\"persistenceMode\":\"DISK\"}")
            .error()
            .startsWith("persistenceMode: "));
    assertTrue(api.post(ORG, "{\"kind\":\"k\",\"metadata\":[1]}").error().startsWith("metadata: "));
    assertEquals(400, api.post(ORG, "[1]").status());
    assertEquals("signalName: required", api.post(agent + "/signal", "{}").error());
    assertTrue(api.get(ORG + "?status=SLEEPING").error().startsWith("status: "));
    assertTrue(api.get(ORG + "?limit=0").error().startsWith("limit: "));
    assertTrue(api.get(ORG + "?parentId=x").error().startsWith("parentId: "));
    assertTrue(api.get(ORG + "/not-a-uuid").error().startsWith("id: "));
    assertTrue(api.get(agent + "/entries?limit=5000").error().startsWith("limit: "));
    assertEquals(agents, rows("agent_executions"));
    assertEquals(signals, rows("agent_signals"));
  }

  @Test
  void anotherTenantsAgentIsAnsweredExactlyAsAMissingOne() {
    UUID theirs =
        dispatch
            .createAgent(Scope.tenant(OTHER), StartAgent.builder(OTHER, "secret").build())
            .block(WAIT)
            .id();
    ApiClient.Answer missing = api.get(ORG + "/" + UUID.randomUUID());
    for (String suffix : List.of("", "/checkpoints", "/tasks", "/entries", "/signals")) {
      ApiClient.Answer answer = api.get(ORG + "/" + theirs + suffix);
      assertEquals(404, answer.status(), suffix);
      assertEquals(
          missing.error().replaceAll("[0-9a-f-]{36}", "ID"),
          answer.error().replaceAll("[0-9a-f-]{36}", "ID"),
          suffix);
    }
    assertEquals(404, api.post(ORG + "/" + theirs + "/signal", "{\"signalName\":\"s\"}").status());
    assertEquals(404, api.delete(ORG + "/" + theirs).status());
    assertEquals(404, api.get("/api/orgs/globex/agent-executions/" + theirs).status());
    assertEquals(0, dispatch.agentSignals(Scope.tenant(OTHER), theirs).block(WAIT).size());
    assertEquals(
        AgentStatus.PENDING, dispatch.agent(Scope.tenant(OTHER), theirs).block(WAIT).status());
  }

  @Test
  void theStreamCarriesLiveDataAndStatusChangesAndEndsWithTheAgent() throws Exception {
    String queue = "stream-" + UUID.randomUUID();
    UUID id = UUID.fromString(create("streamer", queue));
    poll(queue);
    HttpResponse<Stream<String>> response =
        HttpClient.newHttpClient()
            .send(
                api.request(ORG + "/" + id + "/stream").build(),
                HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    try (SseLines lines = new SseLines(response.body())) {
      SseLines.Event running = lines.next();
      assertEquals("status", running.event());
      assertEquals("RUNNING", JSON.readTree(running.data()).path("status").asText());
      dispatch
          .agents()
          .streamData(SCOPE, new AgentData(id, 0, 1, "{\"token\":\"Hel\"}", 1L))
          .block(WAIT);
      SseLines.Event token = lines.next();
      assertEquals("token", token.event());
      assertEquals("{\"token\":\"Hel\"}", JSON.readTree(token.data()).path("payload").asText());
      dispatch.agents().complete(SCOPE, id, json("{}")).block(WAIT);
      List<SseLines.Event> rest = lines.rest();
      assertEquals(1, rest.size(), rest.toString());
      assertEquals("COMPLETED", JSON.readTree(rest.get(0).data()).path("status").asText());
    }
    assertEquals(404, api.get(ORG + "/" + UUID.randomUUID() + "/stream").status());
  }
}
