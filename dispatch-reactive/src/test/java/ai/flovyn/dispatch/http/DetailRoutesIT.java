package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static ai.flovyn.dispatch.testing.Commands.startTimer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detail routes over a real socket: one workflow (with a parent, a child, tasks and their
 * attempts, a timer, a promise, state) or task (with logs and state) and its history, paged over a
 * 10,000-event workflow; 404 for unknown ids and other tenants' (also with tokens), 400 for bad
 * parameters.
 */
class DetailRoutesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = TaskFixtures.TENANT;
  private static final String OTHER = "tenant-other";
  private static final String ORG = "/api/orgs/" + TENANT;
  private static final int HISTORY = 10_001;

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static HttpPort httpWithTokens;
  private static ApiClient api;
  private static ActiveTokens activeTokens;
  private static IssuedToken tokenOfTenant;
  private static IssuedToken tokenOfOther;

  private static String workflowId;
  private static UUID childId;
  private static UUID failedTask;
  private static UUID runningTask;
  private static String longWorkflowId;

  @BeforeAll
  static void startServers() throws Exception {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    api = new ApiClient(http.port(), null);
    Tokens tokens = Tokens.over(db.connectionFactory());
    tokenOfTenant = tokens.create(TENANT, TokenRole.ADMIN, "operator").block(WAIT);
    tokenOfOther = tokens.create(OTHER, TokenRole.ADMIN, "other operator").block(WAIT);
    // created before the snapshot's first load, so the port knows both from the start
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    httpWithTokens =
        HttpPort.start(
            HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(activeTokens));
    richWorkflow();
    longHistory();
  }

  @AfterAll
  static void stopServers() {
    httpWithTokens.close();
    http.close();
    activeTokens.close();
    grpc.close();
    db.close();
  }

  /**
   * A claimed workflow that scheduled two tasks, a timer, a promise, a child and set state; one
   * task failed its first attempt (retried later), the other runs.
   */
  private static void richWorkflow() {
    String queue = "q-" + UUID.randomUUID();
    StartWorkflowRequest start =
        Commands.start(TENANT, queue).toBuilder()
            .putMetadata("customer", "c-7")
            .setWorkflowVersion("v3")
            .build();
    workflowId = Commands.startClaimed(grpc.workflows(), start);
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    childId = UUID.randomUUID();
    WorkflowCommand child =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
            .setScheduleChildWorkflow(
                ScheduleChildWorkflowCommand.newBuilder()
                    .setChildExecutionName("shipping")
                    .setWorkflowKind("ship-workflow")
                    .setChildWorkflowExecutionId(childId.toString())
                    .setInput(ByteString.copyFromUtf8("{\"box\":1}"))
                    .setQueue("q-children-" + UUID.randomUUID()))
            .build();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(
                    scheduleTask(first, "charge"),
                    scheduleTask(second, "pack"),
                    startTimer("reminder", 3_600_000),
                    createPromise("approval"),
                    setState("stage", "\"paid\""),
                    child),
                WorkflowStatus.SUSPENDED));
    PollTaskResponse a = TaskFixtures.poll(grpc, queue, "worker-a");
    PollTaskResponse b = TaskFixtures.poll(grpc, queue, "worker-b");
    assertTrue(a.hasTask() && b.hasTask(), "both tasks claimed");
    failedTask = UUID.fromString(a.getTask().getTaskExecutionId());
    runningTask = UUID.fromString(b.getTask().getTaskExecutionId());
    Scope scope = Scope.tenant(TENANT);
    grpc.dispatch().failTask(scope, failedTask, "card declined").block(WAIT);
    for (int i = 1; i <= 3; i++) {
      grpc.dispatch().logMessage(scope, runningTask, "INFO", "line " + i).block(WAIT);
    }
    grpc.dispatch().setTaskState(scope, runningTask, "cursor", bytes("{\"page\":2}")).block(WAIT);
  }

  /** A workflow whose history holds {@value #HISTORY} events, written straight into the table. */
  private static void longHistory() {
    String queue = "q-" + UUID.randomUUID();
    longWorkflowId =
        grpc.workflows().startWorkflow(Commands.start(TENANT, queue)).getWorkflowExecutionId();
    db.execute(
        "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
            + " event_data) SELECT ?::uuid, g, CASE WHEN g % 250 = 0 THEN 'PROMISE_TIMEOUT'"
            + " WHEN g % 100 = 0 THEN 'TASK_FAILED' WHEN g % 7 = 0 THEN 'TIMER_FIRED'"
            + " ELSE 'TASK_COMPLETED' END, '{\"n\":' || g || '}'"
            + " FROM generate_series(2, ?) g",
        longWorkflowId, HISTORY);
    db.execute(
        "UPDATE workflow_executions SET current_sequence = ? WHERE id = ?::uuid",
        HISTORY,
        longWorkflowId);
  }

  private static String type(int sequence) {
    if (sequence == 1) {
      return "WORKFLOW_STARTED";
    }
    if (sequence % 250 == 0) {
      return "PROMISE_TIMEOUT";
    }
    if (sequence % 100 == 0) {
      return "TASK_FAILED";
    }
    return sequence % 7 == 0 ? "TIMER_FIRED" : "TASK_COMPLETED";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode ok(ApiClient.Answer answer) {
    assertEquals(200, answer.status(), answer.raw().body());
    return answer.json();
  }

  @Test
  void aWorkflowsDetailShowsItsFieldsAndWhatHangsOffIt() {
    JsonNode w = ok(api.get(ORG + "/workflow-executions/" + workflowId));
    assertEquals(workflowId, w.path("id").asText());
    assertEquals("order-workflow", w.path("kind").asText());
    assertEquals("order-workflow", w.path("workflowKind").asText());
    assertEquals("WAITING", w.path("status").asText());
    assertEquals("v3", w.path("version").asText());
    assertEquals(TENANT, w.path("orgId").asText());
    assertEquals(42, w.path("input").path("order").asInt());
    assertTrue(w.path("output").isNull());
    assertTrue(w.path("error").isNull());
    assertTrue(w.path("parent").isNull());
    assertTrue(w.path("parentWorkflowExecutionId").isNull());
    assertEquals("c-7", w.path("metadata").path("customer").asText());
    assertEquals(
        db.scalar(
            "SELECT current_sequence FROM workflow_executions WHERE id = ?::uuid", workflowId),
        w.path("currentSequence").asLong());
    assertEquals(
        db.scalar("SELECT history_bytes FROM workflow_executions WHERE id = ?::uuid", workflowId),
        w.path("historyBytes").asLong());
    assertFalse(w.path("cancelRequested").asBoolean());
    assertTrue(w.has("workerId"));
    // RFC 3339 UTC with milliseconds
    Instant created = Instant.parse(w.path("createdAt").asText());
    assertTrue(w.path("createdAt").asText().endsWith("Z"));
    assertFalse(Instant.parse(w.path("updatedAt").asText()).isBefore(created));
    assertFalse(w.path("startedAt").isNull(), "claimed: startedAt is set");
    assertTrue(w.path("completedAt").isNull());

    assertEquals(1, w.path("childCount").asInt());
    assertEquals(
        childId.toString(), w.path("children").get(0).path("childWorkflowExecutionId").asText());
    assertEquals("ship-workflow", w.path("children").get(0).path("kind").asText());
    assertEquals("PENDING", w.path("children").get(0).path("status").asText());

    JsonNode timer = w.path("timers").get(0);
    assertEquals("reminder", timer.path("timerId").asText());
    assertEquals("PENDING", timer.path("status").asText());
    assertTrue(Instant.parse(timer.path("fireAt").asText()).isAfter(created));
    assertTrue(timer.path("firedAt").isNull());

    JsonNode promise = w.path("promises").get(0);
    assertEquals("approval", promise.path("name").asText());
    assertEquals("PENDING", promise.path("status").asText());
    assertEquals(
        db.rows("SELECT id FROM promises WHERE workflow_execution_id = ?::uuid", workflowId)
            .get(0)
            .get("id"),
        promise.path("id").asText());
    assertTrue(promise.path("value").isNull());

    assertEquals("paid", w.path("state").path("stage").asText());
    JsonNode counts = w.path("taskCounts");
    assertEquals(1, counts.path("PENDING").asInt(), counts.toString());
    assertEquals(1, counts.path("RUNNING").asInt(), counts.toString());
    assertEquals(0, counts.path("COMPLETED").asInt(), counts.toString());
    assertEquals(0, counts.path("FAILED").asInt(), counts.toString());
    assertEquals(0, counts.path("CANCELLED").asInt(), counts.toString());
  }

  @Test
  void aChildsDetailNamesItsParent() {
    JsonNode child = ok(api.get(ORG + "/workflow-executions/" + childId));
    assertEquals(workflowId, child.path("parentWorkflowExecutionId").asText());
    assertEquals(workflowId, child.path("parent").path("id").asText());
    assertEquals("order-workflow", child.path("parent").path("kind").asText());
    assertEquals("WAITING", child.path("parent").path("status").asText());
    assertEquals(1, child.path("input").path("box").asInt());
    assertEquals(0, child.path("childCount").asInt());
    assertEquals(0, child.path("children").size());
  }

  @Test
  void theChildrenRouteListsEachChild() {
    JsonNode children = ok(api.get(ORG + "/workflow-executions/" + workflowId + "/children"));
    assertEquals(1, children.path("children").size());
    JsonNode child = children.path("children").get(0);
    assertEquals(childId.toString(), child.path("childWorkflowExecutionId").asText());
    assertEquals("ship-workflow", child.path("kind").asText());
    assertEquals("PENDING", child.path("status").asText());
    assertFalse(child.path("createdAt").isNull());
    assertTrue(child.path("completedAt").isNull());
    JsonNode none = ok(api.get(ORG + "/workflow-executions/" + childId + "/children"));
    assertEquals(0, none.path("children").size());
  }

  @Test
  void theStateRoutesShowValuesAsEmbeddedJson() {
    JsonNode workflow = ok(api.get(ORG + "/workflow-executions/" + workflowId + "/state"));
    assertEquals("paid", workflow.path("state").path("stage").asText());
    JsonNode task = ok(api.get(ORG + "/task-executions/" + runningTask + "/state"));
    assertEquals(2, task.path("state").path("cursor").path("page").asInt());
    JsonNode empty = ok(api.get(ORG + "/task-executions/" + failedTask + "/state"));
    assertEquals(0, empty.path("state").size());
  }

  @Test
  void aWorkflowsTasksCarryTheirAttemptsButNoPayloads() {
    JsonNode tasks = ok(api.get(ORG + "/workflow-executions/" + workflowId + "/tasks"));
    assertEquals(2, tasks.path("tasks").size());
    Map<String, JsonNode> byId = new java.util.HashMap<>();
    tasks.path("tasks").forEach(task -> byId.put(task.path("id").asText(), task));
    JsonNode failed = byId.get(failedTask.toString());
    assertEquals("PENDING", failed.path("status").asText());
    assertEquals(workflowId, failed.path("workflowExecutionId").asText());
    assertEquals(1, failed.path("executionCount").asInt());
    assertEquals(3, failed.path("maxRetries").asInt());
    assertEquals("card declined", failed.path("error").asText());
    assertFalse(failed.has("input"), "payloads only on the single task");
    assertFalse(failed.has("output"));
    assertEquals(1, failed.path("attempts").size());
    JsonNode attempt = failed.path("attempts").get(0);
    assertEquals(1, attempt.path("attempt").asInt());
    assertEquals("FAILED", attempt.path("status").asText());
    assertEquals("worker-a", attempt.path("workerId").asText());
    assertEquals("card declined", attempt.path("error").asText());
    assertTrue(attempt.path("durationMs").asLong() >= 0);
    assertFalse(attempt.path("finishedAt").isNull());

    JsonNode running = byId.get(runningTask.toString());
    assertEquals("RUNNING", running.path("status").asText());
    assertEquals("worker-b", running.path("workerId").asText());
    JsonNode current = running.path("attempts").get(0);
    assertEquals("RUNNING", current.path("status").asText());
    assertTrue(current.path("finishedAt").isNull());
    assertTrue(current.path("durationMs").isNull());
  }

  @Test
  void aTaskShowsItsPayloadsAndAttempts() {
    JsonNode task = ok(api.get(ORG + "/task-executions/" + failedTask));
    assertEquals(failedTask.toString(), task.path("id").asText());
    assertEquals(
        db.rows("SELECT task_type FROM task_executions WHERE id = ?", failedTask)
            .get(0)
            .get("task_type"),
        task.path("kind").asText());
    assertEquals(1, task.path("input").path("n").asInt());
    assertTrue(task.path("output").isNull());
    assertEquals(0, task.path("metadata").size());
    assertEquals("FAILED", task.path("attempts").get(0).path("status").asText());
    for (String field :
        List.of(
            "queue",
            "progress",
            "progressDetails",
            "workerId",
            "createdAt",
            "startedAt",
            "completedAt",
            "updatedAt")) {
      assertTrue(task.has(field), field);
    }
    JsonNode attempts = ok(api.get(ORG + "/task-executions/" + failedTask + "/attempts"));
    assertEquals(1, attempts.path("attempts").size());
    assertEquals("card declined", attempts.path("attempts").get(0).path("error").asText());
  }

  @Test
  void aTasksLogsArePagedAfterALogId() {
    JsonNode first = ok(api.get(ORG + "/task-executions/" + runningTask + "/logs?limit=2"));
    assertEquals(2, first.path("logs").size());
    assertEquals("line 1", first.path("logs").get(0).path("message").asText());
    assertEquals("INFO", first.path("logs").get(0).path("level").asText());
    assertFalse(first.path("logs").get(0).path("timestamp").isNull());
    long after = first.path("nextAfter").asLong();
    assertEquals(first.path("logs").get(1).path("id").asLong(), after);
    JsonNode rest =
        ok(api.get(ORG + "/task-executions/" + runningTask + "/logs?limit=2&after=" + after));
    assertEquals(1, rest.path("logs").size());
    assertEquals("line 3", rest.path("logs").get(0).path("message").asText());
    assertTrue(rest.path("nextAfter").isNull());
  }

  @Test
  void withoutParametersTheEventsRouteAnswersTheFirstThousandInOrder() {
    JsonNode page = ok(api.get(ORG + "/workflow-executions/" + longWorkflowId + "/events"));
    JsonNode events = page.path("events");
    assertEquals(1000, events.size());
    assertEquals(1, events.get(0).path("sequence").asInt());
    assertEquals("WORKFLOW_STARTED", events.get(0).path("eventType").asText());
    assertTrue(events.get(0).path("data").isObject(), "data is embedded JSON");
    assertFalse(events.get(0).path("timestamp").isNull());
    assertEquals(1000, page.path("nextSequence").asInt());

    JsonNode short_ = ok(api.get(ORG + "/workflow-executions/" + workflowId + "/events"));
    assertTrue(short_.path("nextSequence").isNull(), "the whole history fits: no next page");
    assertEquals(
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid",
            workflowId),
        short_.path("events").size());
  }

  @Test
  void pagingA10000EventHistoryVisitsEveryEventOnceInOrder() {
    List<Integer> seen = new ArrayList<>();
    Integer since = 0;
    int pages = 0;
    while (since != null) {
      JsonNode page =
          ok(
              api.get(
                  ORG
                      + "/workflow-executions/"
                      + longWorkflowId
                      + "/events?limit=777&sinceSequence="
                      + since));
      pages++;
      for (JsonNode event : page.path("events")) {
        int sequence = event.path("sequence").asInt();
        assertEquals(type(sequence), event.path("eventType").asText());
        if (sequence > 1) {
          assertEquals(sequence, event.path("data").path("n").asInt());
        }
        seen.add(sequence);
      }
      since = page.path("nextSequence").isNull() ? null : page.path("nextSequence").asInt();
    }
    assertEquals(HISTORY, seen.size());
    for (int i = 0; i < HISTORY; i++) {
      assertEquals(i + 1, seen.get(i));
    }
    assertEquals((HISTORY + 776) / 777, pages);
  }

  @Test
  void aTypeFilterPagesOnlyEventsOfThoseTypes() {
    Set<Integer> seen = new HashSet<>();
    Integer since = 0;
    while (since != null) {
      JsonNode page =
          ok(
              api.get(
                  ORG
                      + "/workflow-executions/"
                      + longWorkflowId
                      + "/events?limit=30&type=TASK_FAILED&type=workflow_started&sinceSequence="
                      + since));
      for (JsonNode event : page.path("events")) {
        String type = event.path("eventType").asText();
        assertTrue(type.equals("TASK_FAILED") || type.equals("WORKFLOW_STARTED"), type);
        assertTrue(seen.add(event.path("sequence").asInt()), "no event twice");
      }
      since = page.path("nextSequence").isNull() ? null : page.path("nextSequence").asInt();
    }
    long expected = 1;
    for (int s = 2; s <= HISTORY; s++) {
      expected += type(s).equals("TASK_FAILED") ? 1 : 0;
    }
    assertEquals(expected, seen.size());

    JsonNode two =
        ok(
            api.get(
                ORG
                    + "/workflow-executions/"
                    + longWorkflowId
                    + "/events?type=TIMER_FIRED,PROMISE_TIMEOUT&limit=1000"));
    two.path("events")
        .forEach(
            event ->
                assertTrue(
                    Set.of("TIMER_FIRED", "PROMISE_TIMEOUT")
                        .contains(event.path("eventType").asText())));
    assertEquals(1000, two.path("events").size());
  }

  @Test
  void failedOnlyListsFailureEventsOnly() {
    JsonNode page =
        ok(
            api.get(
                ORG
                    + "/workflow-executions/"
                    + longWorkflowId
                    + "/events?failedOnly=true&sinceSequence=9000"));
    int expected = 0;
    for (int s = 9001; s <= HISTORY; s++) {
      String type = type(s);
      expected += type.equals("TASK_FAILED") || type.equals("PROMISE_TIMEOUT") ? 1 : 0;
    }
    assertEquals(expected, page.path("events").size());
    page.path("events")
        .forEach(
            event -> {
              assertTrue(event.path("sequence").asInt() > 9000);
              String type = event.path("eventType").asText();
              assertTrue(type.equals("TASK_FAILED") || type.equals("PROMISE_TIMEOUT"), type);
            });
    assertTrue(page.path("nextSequence").isNull());
  }

  @Test
  void aPageEndingExactlyAtTheLastEventIsFollowedByAnEmptyOne() {
    JsonNode last =
        ok(
            api.get(
                ORG
                    + "/workflow-executions/"
                    + longWorkflowId
                    + "/events?limit=1&sinceSequence="
                    + (HISTORY - 1)));
    assertEquals(HISTORY, last.path("events").get(0).path("sequence").asInt());
    assertTrue(last.path("nextSequence").isNull(), "nothing after the last event");
    JsonNode after =
        ok(
            api.get(
                ORG
                    + "/workflow-executions/"
                    + longWorkflowId
                    + "/events?sinceSequence="
                    + HISTORY));
    assertEquals(0, after.path("events").size());
    assertTrue(after.path("nextSequence").isNull());
  }

  private static List<String> routesOf(String workflow, String task) {
    return List.of(
        "/workflow-executions/" + workflow,
        "/workflow-executions/" + workflow + "/events",
        "/workflow-executions/" + workflow + "/tasks",
        "/workflow-executions/" + workflow + "/children",
        "/workflow-executions/" + workflow + "/state",
        "/task-executions/" + task,
        "/task-executions/" + task + "/attempts",
        "/task-executions/" + task + "/logs",
        "/task-executions/" + task + "/state");
  }

  @Test
  void unknownIdsAndAnotherTenantsAreAnswered404Alike() {
    String missingWorkflow = UUID.randomUUID().toString();
    String missingTask = UUID.randomUUID().toString();
    List<String> missing = routesOf(missingWorkflow, missingTask);
    List<String> theirs = routesOf(workflowId, runningTask.toString());
    for (int i = 0; i < missing.size(); i++) {
      ApiClient.Answer unknown = api.get(ORG + missing.get(i));
      assertEquals(404, unknown.status(), missing.get(i));
      ApiClient.Answer other = api.get("/api/orgs/" + OTHER + theirs.get(i));
      assertEquals(404, other.status(), theirs.get(i));
      assertEquals(
          unknown.error().replace(missingWorkflow, "X").replace(missingTask, "X"),
          other.error().replace(workflowId, "X").replace(runningTask.toString(), "X"),
          "another tenant's object reads exactly as a missing one");
      assertFalse(other.raw().body().contains(TENANT), other.raw().body());
    }
  }

  @Test
  void withTokensAnotherTenantsIdsAre404AndOwnOnesAnswered() {
    ApiClient asTenant = new ApiClient(httpWithTokens.port(), tokenOfTenant.text());
    ApiClient asOther = new ApiClient(httpWithTokens.port(), tokenOfOther.text());
    String missingWorkflow = UUID.randomUUID().toString();
    String missingTask = UUID.randomUUID().toString();
    List<String> missing = routesOf(missingWorkflow, missingTask);
    List<String> theirs = routesOf(workflowId, runningTask.toString());
    for (int i = 0; i < theirs.size(); i++) {
      assertEquals(200, asTenant.get(ORG + theirs.get(i)).status(), theirs.get(i));
      ApiClient.Answer other = asOther.get("/api/orgs/" + OTHER + theirs.get(i));
      ApiClient.Answer unknown = asOther.get("/api/orgs/" + OTHER + missing.get(i));
      assertEquals(404, other.status(), theirs.get(i));
      assertEquals(404, unknown.status(), missing.get(i));
      assertEquals(
          unknown.error().replace(missingWorkflow, "X").replace(missingTask, "X"),
          other.error().replace(workflowId, "X").replace(runningTask.toString(), "X"));
      // the other tenant's token naming this tenant's organization
      assertEquals(404, asOther.get(ORG + theirs.get(i)).status(), theirs.get(i));
    }
    assertEquals(401, new ApiClient(httpWithTokens.port(), null).get(ORG + theirs.get(0)).status());
  }

  @Test
  void aMalformedIdIsA400NamingIt() {
    for (String route : routesOf("not-a-uuid", "not-a-uuid")) {
      ApiClient.Answer answer = api.get(ORG + route);
      assertEquals(400, answer.status(), route);
      assertTrue(answer.error().startsWith("id: "), answer.error());
    }
    ApiClient.Answer long_ = api.get(ORG + "/workflow-executions/" + "a".repeat(1000));
    assertEquals(400, long_.status());
    assertTrue(long_.error().length() < 200, "the echoed input is bounded");
  }

  @Test
  void badPagingParametersAre400sNamingTheParameter() {
    String events = ORG + "/workflow-executions/" + longWorkflowId + "/events";
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("?limit=0", "limit: "),
            Map.entry("?limit=1001", "limit: "),
            Map.entry("?limit=ten", "limit: "),
            Map.entry("?limit=1&limit=2", "limit: "),
            Map.entry("?sinceSequence=-1", "sinceSequence: "),
            Map.entry("?sinceSequence=x", "sinceSequence: "),
            Map.entry("?sinceSequence=99999999999", "sinceSequence: "),
            Map.entry("?type=TASK-FAILED", "type: "),
            Map.entry("?type=" + "A".repeat(65), "type: "),
            Map.entry("?failedOnly=maybe", "failedOnly: "));
    cases.forEach(
        (query, prefix) -> {
          ApiClient.Answer answer = api.get(events + query);
          assertEquals(400, answer.status(), query);
          assertTrue(answer.error().startsWith(prefix), query + " -> " + answer.error());
        });
    String logs = ORG + "/task-executions/" + runningTask + "/logs";
    for (String query : List.of("?after=-1", "?after=x", "?limit=0", "?limit=5000")) {
      ApiClient.Answer answer = api.get(logs + query);
      assertEquals(400, answer.status(), query);
    }
    assertTrue(api.get(logs + "?after=-1").error().startsWith("after: "));
  }
}
