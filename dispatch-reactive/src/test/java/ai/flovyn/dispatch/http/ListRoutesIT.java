package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The list and count routes over a real socket and PostgreSQL: every filter and FQL, offset and
 * cursor paging while rows are inserted, counts, queues, workers, 400s and tenant isolation.
 */
class ListRoutesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> ROUTES =
      List.of(
          "/workflow-executions",
          "/workflow-executions/counts",
          "/task-executions",
          "/task-executions/counts",
          "/queues",
          "/workers");

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static ApiClient api;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    api = new ApiClient(http.port(), null);
  }

  @AfterAll
  static void stopServers() {
    http.close();
    grpc.close();
    db.close();
  }

  private static String tenant() {
    return "lists-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Inserts {@code count} workflows, the first newest, one second apart before {@code from}. */
  private static List<UUID> workflows(
      String tenant, int count, String kind, String queue, String status, Instant from) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(UUID.randomUUID());
    }
    db.execute(
        "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key,"
            + " created_at, updated_at, completed_at, error)"
            + " SELECT w.id, ?, ?, ?, ?, ?::timestamptz - w.n * interval '1 second',"
            + " ?::timestamptz - w.n * interval '1 second', ?::timestamptz - w.n * interval '1 second',"
            + " CASE WHEN ? IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN now() END,"
            + " CASE WHEN ? = 'FAILED' THEN repeat('e', 500) END"
            + " FROM unnest(?::text[]::uuid[]) WITH ORDINALITY AS w(id, n)",
        tenant,
        kind,
        queue,
        status,
        from.toString(),
        from.toString(),
        from.toString(),
        status,
        status,
        ids.stream().map(UUID::toString).toArray(String[]::new));
    return ids;
  }

  private static UUID task(String tenant, String kind, String queue, String status, UUID workflow) {
    UUID id = UUID.randomUUID();
    db.execute(
        "INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, queue,"
            + " status, order_key, visible_at, execution_count)"
            + " VALUES (?, ?, ?, ?, ?, ?, now(), now(), 1)",
        id,
        tenant,
        workflow,
        kind,
        queue,
        status);
    return id;
  }

  private static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static ApiClient.Answer list(String tenant, String params) {
    return api.get("/api/orgs/" + tenant + "/workflow-executions?" + params);
  }

  private static Set<String> ids(JsonNode items) {
    Set<String> ids = new HashSet<>();
    items.forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  private static Set<String> strings(List<UUID> ids) {
    Set<String> strings = new HashSet<>();
    ids.forEach(id -> strings.add(id.toString()));
    return strings;
  }

  @Test
  void aStartedWorkflowIsListedWithTheSummaryFields() {
    String tenant = tenant();
    UUID id =
        grpc.dispatch()
            .startWorkflow(
                Scope.tenant(tenant),
                StartWorkflow.builder(tenant, "order")
                    .metadata(Map.of("customer", "c1"))
                    .queue("orders")
                    .workflowVersion("2")
                    .build())
            .block(WAIT)
            .workflowExecutionId();
    ApiClient.Answer answer = list(tenant, "");
    assertEquals(200, answer.status(), answer.raw().body());
    JsonNode body = answer.json();
    assertEquals(1, body.path("total").asLong());
    assertFalse(body.path("totalEstimated").asBoolean());
    assertEquals(20, body.path("limit").asInt());
    assertEquals(0, body.path("offset").asInt());
    assertTrue(body.path("nextCursor").isNull());
    JsonNode workflow = body.path("workflows").get(0);
    assertEquals(id.toString(), workflow.path("id").asText());
    assertEquals("order", workflow.path("kind").asText());
    assertEquals("order", workflow.path("workflowKind").asText());
    assertEquals("PENDING", workflow.path("status").asText());
    assertEquals("orders", workflow.path("queue").asText());
    assertEquals("2", workflow.path("version").asText());
    assertEquals("c1", workflow.path("metadata").path("customer").asText());
    assertTrue(workflow.path("parentWorkflowExecutionId").isNull());
    assertTrue(workflow.path("completedAt").isNull());
    assertTrue(workflow.path("error").isNull());
    Instant.parse(workflow.path("createdAt").asText());
    Instant.parse(workflow.path("updatedAt").asText());
    assertTrue(workflow.path("createdAt").asText().endsWith("Z"));
  }

  @Test
  void eachFilterParameterNarrowsTheList() {
    String tenant = tenant();
    Instant now = Instant.now();
    List<UUID> failed = workflows(tenant, 3, "order", "q1", "FAILED", now);
    List<UUID> cancelled = workflows(tenant, 2, "refund", "q2", "CANCELLED", now);
    List<UUID> old = workflows(tenant, 2, "order", "q2", "COMPLETED", now.minusSeconds(7200));
    UUID parent = failed.get(0);
    db.execute(
        "UPDATE workflow_executions SET parent_workflow_execution_id = ? WHERE id = ?",
        parent,
        cancelled.get(0));

    assertEquals(strings(failed), ids(list(tenant, "status=FAILED").json().path("workflows")));
    Set<String> failedOrCancelled = strings(failed);
    failedOrCancelled.addAll(strings(cancelled));
    assertEquals(
        failedOrCancelled, ids(list(tenant, "status=FAILED,cancelled").json().path("workflows")));
    assertEquals(
        failedOrCancelled,
        ids(list(tenant, "status=FAILED&status=CANCELLED").json().path("workflows")));
    Set<String> orders = strings(failed);
    orders.addAll(strings(old));
    assertEquals(orders, ids(list(tenant, "kind=order").json().path("workflows")));
    Set<String> q2 = strings(cancelled);
    q2.addAll(strings(old));
    assertEquals(q2, ids(list(tenant, "queue=q2").json().path("workflows")));
    assertEquals(strings(old), ids(list(tenant, "createdBefore=-1h").json().path("workflows")));
    assertEquals(7 - old.size(), list(tenant, "createdAfter=-1h").json().path("workflows").size());
    assertEquals(
        strings(old),
        ids(
            list(tenant, "updatedBefore=" + q(now.minusSeconds(3600).toString()))
                .json()
                .path("workflows")));
    assertEquals(5, list(tenant, "updatedAfter=-1h").json().path("total").asInt());
    assertEquals(
        Set.of(cancelled.get(0).toString()),
        ids(list(tenant, "parentId=" + parent).json().path("workflows")));
    assertEquals(
        Set.of(old.get(1).toString()),
        ids(list(tenant, "id=" + old.get(1)).json().path("workflows")));
    String prefix = old.get(1).toString().substring(0, 8);
    assertTrue(
        ids(list(tenant, "idPrefix=" + prefix).json().path("workflows"))
            .contains(old.get(1).toString()));
    // the shorthand parameters and the query are combined by AND
    assertEquals(
        Set.of(),
        ids(list(tenant, "status=FAILED&query=" + q("kind = refund")).json().path("workflows")));
    assertEquals(
        strings(failed),
        ids(list(tenant, "kind=order&query=" + q("queue = q1")).json().path("workflows")));
    // a list shows at most 200 characters of an error
    assertEquals(
        200,
        list(tenant, "status=FAILED")
            .json()
            .path("workflows")
            .get(0)
            .path("error")
            .asText()
            .length());
  }

  @Test
  void fqlQueriesFilterAndOrderTheList() {
    String tenant = tenant();
    Instant now = Instant.now();
    List<UUID> failed = workflows(tenant, 2, "ORDER-import", "q1", "FAILED", now);
    List<UUID> done = workflows(tenant, 3, "billing", "q1", "COMPLETED", now.minusSeconds(60));
    db.execute(
        "UPDATE workflow_executions SET metadata = '{\"customer\": \"c1\"}' WHERE id = ?",
        done.get(2));
    Map<String, Set<String>> expected = new LinkedHashMap<>();
    expected.put("status IN (FAILED, CANCELLED)", strings(failed));
    expected.put("kind ~ \"order\"", strings(failed));
    expected.put("kind !~ \"ORDER\"", strings(done));
    expected.put("metadata.customer = \"c1\"", Set.of(done.get(2).toString()));
    expected.put("NOT status = COMPLETED", strings(failed));
    expected.put("status = COMPLETED AND (kind = billing OR kind = x)", strings(done));
    expected.put("completedAt IS NOT NULL AND createdAt < -30s", strings(done));
    expected.put("id = \"" + failed.get(1) + "\"", Set.of(failed.get(1).toString()));
    expected.put("createdAt > NOW()", Set.of());
    expected.put(
        "parentId IS NULL AND version IS NULL", ids(list(tenant, "").json().path("workflows")));
    expected.forEach(
        (query, ids) -> {
          ApiClient.Answer answer = list(tenant, "query=" + q(query));
          assertEquals(200, answer.status(), query + ": " + answer.raw().body());
          assertEquals(ids, ids(answer.json().path("workflows")), query);
          assertEquals(ids.size(), answer.json().path("total").asInt(), query);
        });
    JsonNode oldestFirst =
        list(tenant, "query=" + q("ORDER BY createdAt ASC")).json().path("workflows");
    assertEquals(done.get(2).toString(), oldestFirst.get(0).path("id").asText());
    JsonNode newestFirst = list(tenant, "").json().path("workflows");
    assertEquals(failed.get(0).toString(), newestFirst.get(0).path("id").asText());
  }

  @Test
  void cursorPagingSkipsAndRepeatsNothingWhileRowsAreInserted() {
    String tenant = tenant();
    Instant start = Instant.now();
    List<UUID> original = workflows(tenant, 55, "k", "q", "COMPLETED", start);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      ApiClient.Answer page =
          list(tenant, "limit=10&status=COMPLETED" + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.status(), page.raw().body());
      page.json().path("workflows").forEach(item -> seen.add(item.path("id").asText()));
      cursor =
          page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asText();
      // newer rows arrive between pages: they must not shift the pages already under way
      workflows(tenant, 3, "k", "q", "COMPLETED", Instant.now().plusSeconds(10));
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(6, pages);
    List<String> expected = original.stream().map(UUID::toString).toList();
    assertEquals(expected, seen);
  }

  @Test
  void offsetPagingWalksTheWholeList() {
    String tenant = tenant();
    List<UUID> original = workflows(tenant, 25, "k", "q", "RUNNING", Instant.now());
    List<String> seen = new ArrayList<>();
    for (int offset = 0; offset < 30; offset += 10) {
      JsonNode page = list(tenant, "limit=10&offset=" + offset).json();
      assertEquals(25, page.path("total").asInt());
      assertEquals(offset, page.path("offset").asInt());
      page.path("workflows").forEach(item -> seen.add(item.path("id").asText()));
    }
    assertEquals(original.stream().map(UUID::toString).toList(), seen);
  }

  @Test
  void countsByStatusIgnoreTheStatusFilter() {
    String tenant = tenant();
    workflows(tenant, 3, "a", "q", "FAILED", Instant.now());
    workflows(tenant, 2, "a", "q", "RUNNING", Instant.now());
    workflows(tenant, 4, "b", "q", "COMPLETED", Instant.now());
    ApiClient.Answer answer =
        api.get("/api/orgs/" + tenant + "/workflow-executions/counts?status=FAILED&kind=a");
    assertEquals(200, answer.status(), answer.raw().body());
    JsonNode counts = answer.json().path("counts");
    assertEquals(3, counts.path("FAILED").asInt());
    assertEquals(2, counts.path("RUNNING").asInt());
    assertEquals(0, counts.path("COMPLETED").asInt());
    assertEquals(0, counts.path("PENDING").asInt());
    assertEquals(6, counts.size());
    assertEquals(5, answer.json().path("total").asInt());
    assertFalse(answer.json().path("estimated").asBoolean());
  }

  @Test
  void totalsBeyondTenThousandAreEstimated() {
    String tenant = tenant();
    workflows(tenant, 10_050, "big", "q", "COMPLETED", Instant.now());
    db.execute("ANALYZE workflow_executions");
    JsonNode page = list(tenant, "limit=5").json();
    assertTrue(page.path("totalEstimated").asBoolean());
    assertTrue(page.path("total").asLong() > 10_000, page.toString());
    assertEquals(5, page.path("workflows").size());
    JsonNode counts = api.get("/api/orgs/" + tenant + "/workflow-executions/counts").json();
    assertTrue(counts.path("estimated").asBoolean());
    assertTrue(counts.path("counts").path("COMPLETED").asLong() > 10_000, counts.toString());
    assertEquals(0, counts.path("counts").path("FAILED").asLong());
    // with a condition beyond the tenant, past the cap every status is the planner's estimate
    JsonNode filtered =
        api.get("/api/orgs/" + tenant + "/workflow-executions/counts?kind=big").json();
    assertTrue(filtered.path("estimated").asBoolean(), filtered.toString());
    assertTrue(filtered.path("counts").path("COMPLETED").asLong() > 5_000, filtered.toString());
  }

  @Test
  void badParametersAre400sNamingTheParameter() {
    String tenant = tenant();
    workflows(tenant, 1, "k", "q", "RUNNING", Instant.now());
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("limit=0", "limit: must be between 1 and 1000");
    cases.put("limit=1001", "limit: must be between 1 and 1000");
    cases.put("limit=ten", "limit: ");
    cases.put("offset=-1", "offset: ");
    cases.put("cursor=garbage", "cursor: ");
    cases.put("cursor=" + "x".repeat(300), "cursor: ");
    cases.put("query=" + q("kind ="), "query: expected a value at position 7");
    cases.put("query=" + q("nope = 1"), "query: unknown field 'nope'");
    cases.put("query=" + q("status = DONE"), "query: unknown status 'DONE'");
    cases.put("status=DONE", "status: unknown status 'DONE'");
    cases.put("createdAfter=yesterday", "createdAfter: ");
    cases.put("updatedBefore=2026-13-45", "updatedBefore: ");
    cases.put("idPrefix=ab", "idPrefix: ");
    cases.put("parentId=nope", "parentId: must be a UUID");
    cases.put("id=" + "9".repeat(400), "id: must be a UUID");
    cases.put(
        "query=" + q("ORDER BY completedAt DESC") + "&cursor=" + validCursor(),
        "cursor: not available with ORDER BY completedAt");
    cases.put("offset=10&cursor=" + validCursor(), "cursor: cannot be combined with offset");
    cases.forEach(
        (params, message) -> {
          ApiClient.Answer answer = list(tenant, params);
          assertEquals(400, answer.status(), params + ": " + answer.raw().body());
          assertTrue(answer.error().startsWith(message), params + ": " + answer.error());
          assertTrue(answer.error().length() < 300, params + ": " + answer.error());
        });
    ApiClient.Answer tasks = api.get("/api/orgs/" + tenant + "/task-executions?status=WAITING");
    assertEquals(400, tasks.status());
    assertTrue(tasks.error().startsWith("status: "), tasks.error());
    ApiClient.Answer both =
        api.get(
            "/api/orgs/"
                + tenant
                + "/task-executions?standalone=true&workflowId="
                + UUID.randomUUID());
    assertEquals(400, both.status());
    assertTrue(both.error().startsWith("standalone: "), both.error());
  }

  private static String validCursor() {
    return new ai.flovyn.dispatch.query.Cursor(Instant.now(), UUID.randomUUID()).encode();
  }

  @Test
  void tasksAreListedFilteredAndCounted() {
    String tenant = tenant();
    UUID workflow = workflows(tenant, 1, "wf", "q", "WAITING", Instant.now()).get(0);
    UUID ofWorkflow = task(tenant, "charge", "payments", "RUNNING", workflow);
    UUID standalone = task(tenant, "email", "mail", "PENDING", null);
    UUID failed = task(tenant, "charge", "payments", "FAILED", null);
    String base = "/api/orgs/" + tenant + "/task-executions";
    JsonNode all = api.get(base).json();
    assertEquals(3, all.path("total").asInt());
    assertEquals(50, all.path("limit").asInt());
    JsonNode first = all.path("tasks").get(0);
    assertTrue(first.has("executionCount") && first.has("maxRetries") && first.has("progress"));
    assertFalse(first.has("input"));
    assertEquals(
        Set.of(ofWorkflow.toString()),
        ids(api.get(base + "?workflowId=" + workflow).json().path("tasks")));
    assertEquals(
        Set.of(standalone.toString(), failed.toString()),
        ids(api.get(base + "?standalone=true").json().path("tasks")));
    assertEquals(
        Set.of(failed.toString()),
        ids(api.get(base + "?kind=charge&status=FAILED").json().path("tasks")));
    assertEquals(
        Set.of(standalone.toString()), ids(api.get(base + "?queue=mail").json().path("tasks")));
    assertEquals(
        Set.of(ofWorkflow.toString()),
        ids(
            api.get(base + "?query=" + q("workflowId IS NOT NULL AND attempt >= 1"))
                .json()
                .path("tasks")));
    assertEquals(3, api.get(base + "?createdAfter=-1h").json().path("total").asInt());
    assertEquals(0, api.get(base + "?createdBefore=-1h").json().path("total").asInt());
    JsonNode counts = api.get(base + "/counts?kind=charge&status=PENDING").json();
    assertEquals(1, counts.path("counts").path("RUNNING").asInt());
    assertEquals(1, counts.path("counts").path("FAILED").asInt());
    assertEquals(0, counts.path("counts").path("PENDING").asInt());
    assertEquals(5, counts.path("counts").size());
    assertEquals(2, counts.path("total").asInt());
  }

  @Test
  void queuesShowUnfinishedWorkBusiestFirst() {
    String tenant = tenant();
    Instant old = Instant.now().minusSeconds(600);
    workflows(tenant, 3, "k", "busy", "PENDING", old);
    workflows(tenant, 1, "k", "busy", "RUNNING", Instant.now());
    workflows(tenant, 5, "k", "busy", "COMPLETED", Instant.now());
    workflows(tenant, 1, "k", "quiet", "WAITING", Instant.now());
    task(tenant, "t", "busy", "PENDING", null);
    ApiClient.Answer answer = api.get("/api/orgs/" + tenant + "/queues");
    assertEquals(200, answer.status(), answer.raw().body());
    JsonNode queues = answer.json().path("queues");
    assertEquals(2, queues.size());
    JsonNode busy = queues.get(0);
    assertEquals("busy", busy.path("queue").asText());
    assertEquals(3, busy.path("workflows").path("PENDING").asInt());
    assertEquals(1, busy.path("workflows").path("RUNNING").asInt());
    assertEquals(0, busy.path("workflows").path("WAITING").asInt());
    assertEquals(1, busy.path("tasks").path("PENDING").asInt());
    assertTrue(busy.path("oldestPendingAgeSeconds").asLong() >= 600, busy.toString());
    Instant.parse(busy.path("oldestPendingWorkflowAt").asText());
    Instant.parse(busy.path("oldestPendingTaskAt").asText());
    JsonNode quiet = queues.get(1);
    assertEquals(1, quiet.path("workflows").path("WAITING").asInt());
    assertTrue(quiet.path("oldestPendingAgeSeconds").isNull());
  }

  @Test
  void workersAreListedWithWhetherTheyAreOnline() {
    String tenant = tenant();
    db.execute(
        "INSERT INTO workers (id, tenant_id, worker_name, worker_version, worker_type, host_name,"
            + " process_id, workflow_kinds, task_kinds, last_seen_at) VALUES"
            + " (?, ?, 'fresh', '1.0', 'java', 'h1', '42', '{order}', '{charge}', now()),"
            + " (?, ?, 'stale', '1.0', 'java', 'h2', '43', '{}', '{}', now() - interval '5 minutes')",
        UUID.randomUUID(),
        tenant,
        UUID.randomUUID(),
        tenant);
    ApiClient.Answer answer = api.get("/api/orgs/" + tenant + "/workers");
    assertEquals(200, answer.status(), answer.raw().body());
    JsonNode workers = answer.json().path("workers");
    assertEquals(2, workers.size());
    JsonNode fresh = workers.get(0);
    assertEquals("fresh", fresh.path("name").asText());
    assertEquals("java", fresh.path("type").asText());
    assertEquals("1.0", fresh.path("version").asText());
    assertEquals("h1", fresh.path("hostName").asText());
    assertEquals("42", fresh.path("processId").asText());
    assertEquals("order", fresh.path("workflowKinds").get(0).asText());
    assertEquals("charge", fresh.path("taskKinds").get(0).asText());
    assertTrue(fresh.path("online").asBoolean());
    Instant.parse(fresh.path("registeredAt").asText());
    Instant.parse(fresh.path("lastHeartbeatAt").asText());
    assertFalse(workers.get(1).path("online").asBoolean());
  }

  @Test
  void anotherTenantsRowsNeverAppearOnAnyRoute() {
    String a = tenant();
    String b = tenant();
    UUID ofA = workflows(a, 2, "k", "qa", "PENDING", Instant.now()).get(0);
    task(a, "t", "qa", "PENDING", ofA);
    db.execute(
        "INSERT INTO workers (id, tenant_id, worker_name, worker_version, worker_type, host_name,"
            + " process_id, workflow_kinds, task_kinds) VALUES (?, ?, 'w', '1', 'java', 'h', '1',"
            + " '{}', '{}')",
        UUID.randomUUID(),
        a);
    String[] fields = {"workflows", "total", "tasks", "total", "queues", "workers"};
    for (int i = 0; i < ROUTES.size(); i++) {
      ApiClient.Answer answer = api.get("/api/orgs/" + b + ROUTES.get(i));
      assertEquals(200, answer.status(), ROUTES.get(i));
      JsonNode value = answer.json().path(fields[i]);
      assertEquals(0, value.isArray() ? value.size() : value.asInt(), ROUTES.get(i));
      assertFalse(answer.raw().body().contains(ofA.toString()), ROUTES.get(i));
    }
    assertEquals(
        0,
        api.get("/api/orgs/" + b + "/workflow-executions?id=" + ofA).json().path("total").asInt());
    assertEquals(
        2, api.get("/api/orgs/" + a + "/workflow-executions").json().path("total").asInt());
  }

  @Test
  void aTokenOfAnotherTenantIsAnswered404OnEveryRoute() throws Exception {
    String a = tenant();
    String b = tenant();
    workflows(a, 1, "k", "q", "PENDING", Instant.now());
    Tokens tokens = Tokens.over(db.connectionFactory());
    IssuedToken ofB = tokens.create(b, TokenRole.ADMIN, "lists").block(WAIT);
    try (ActiveTokens active =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT)) {
      HttpPort secured =
          HttpPort.start(
              HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(active));
      try {
        ApiClient asB = new ApiClient(secured.port(), ofB.text());
        for (String route : ROUTES) {
          ApiClient.Answer other = asB.get("/api/orgs/" + a + route);
          assertEquals(404, other.status(), route + ": " + other.raw().body());
          assertEquals("organization not found", other.error(), route);
          assertEquals(200, asB.get("/api/orgs/" + b + route).status(), route);
          assertEquals(
              401, new ApiClient(secured.port(), null).get("/api/orgs/" + a + route).status());
        }
      } finally {
        secured.close();
      }
    }
  }
}
