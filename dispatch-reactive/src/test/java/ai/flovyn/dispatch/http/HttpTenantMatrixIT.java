package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant rule on every route of the table, as gRPC has it: another tenant's token finds nothing
 * of this tenant by any route — naming this tenant's organization, or its own with this tenant's
 * ids — and changes nothing; without a token every route is a 401.
 */
class HttpTenantMatrixIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static ActiveTokens activeTokens;
  private static HttpPort http;
  private static ApiClient owner;
  private static ApiClient intruder;
  private static String workflow;
  private static String task;
  private static String agent;

  @BeforeAll
  static void startServersAndData() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    Tokens tokens = Tokens.over(db.connectionFactory());
    IssuedToken ofOwner = tokens.create("owner", TokenRole.ADMIN, "owner").block(WAIT);
    IssuedToken ofIntruder = tokens.create("intruder", TokenRole.ADMIN, "intruder").block(WAIT);
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    http =
        HttpPort.start(
            HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(activeTokens));
    owner = new ApiClient(http.port(), ofOwner.text());
    intruder = new ApiClient(http.port(), ofIntruder.text());

    workflow =
        owner
            .post("/api/orgs/owner/workflow-executions", "{\"kind\":\"k\",\"queue\":\"matrix\"}")
            .json()
            .path("id")
            .asText();
    Commands.claim(grpc.workflows(), "owner", "matrix", workflow);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflow,
                List.of(scheduleTask(UUID.randomUUID(), "t"), createPromise("p")),
                WorkflowStatus.SUSPENDED));
    task =
        grpc.tasks()
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setTenantId("owner")
                    .setQueue("matrix")
                    .setWorkerId("w")
                    .setTimeoutSeconds(5)
                    .build())
            .getTask()
            .getTaskExecutionId();
    agent =
        owner
            .post("/api/orgs/owner/agent-executions", "{\"kind\":\"a\",\"queue\":\"matrix\"}")
            .json()
            .path("id")
            .asText();
  }

  @AfterAll
  static void stopServers() {
    http.close();
    activeTokens.close();
    grpc.close();
    db.close();
  }

  /** The route's path with {@code org} and the owner's objects filled in. */
  private static String path(Route route, String org) {
    String id =
        route.template().contains("/task-executions/")
            ? task
            : route.template().contains("/agent-executions/") ? agent : workflow;
    return route
        .template()
        .replace("{org}", org)
        .replace("{id}", id)
        .replace("{seq}", "1")
        .replace("{promise}", workflow + ":p");
  }

  private static final String BODY =
      "{\"kind\":\"k\",\"workflowKind\":\"k\",\"workflowId\":\"key\",\"signalName\":\"s\","
          + "\"value\":1,\"error\":\"e\",\"dryRun\":true}";

  private static ApiClient.Answer call(ApiClient client, Route route, String path) {
    return switch (route.method()) {
      case "GET" -> client.get(path);
      case "POST" -> client.post(path, BODY);
      default -> client.send(route.method(), path);
    };
  }

  private static List<Route> scoped() {
    return ApiRoutes.all(new ApiContext(grpc.dispatch())).stream().filter(Route::scoped).toList();
  }

  private String fingerprint() {
    return db.rows(
            "SELECT (SELECT count(*) FROM workflow_executions) || '/'"
                + " || (SELECT count(*) FROM workflow_events) || '/'"
                + " || (SELECT count(*) FROM task_executions) || '/'"
                + " || (SELECT string_agg(status, ',' ORDER BY id) FROM promises) || '/'"
                + " || (SELECT string_agg(status, ',' ORDER BY id) FROM workflow_executions) || '/'"
                + " || (SELECT string_agg(status, ',' ORDER BY id) FROM agent_executions) || '/'"
                + " || (SELECT count(*) FROM agent_signals)")
        .get(0)
        .values()
        .iterator()
        .next()
        .toString();
  }

  @Test
  void anotherTenantsTokenOnThisTenantsOrganizationIs404ByEveryRouteAndWritesNothing() {
    String before = fingerprint();
    List<String> wrong = new ArrayList<>();
    for (Route route : scoped()) {
      ApiClient.Answer answer = call(intruder, route, path(route, "owner"));
      if (answer.status() != 404 || !answer.error().equals("organization not found")) {
        wrong.add(route.method() + " " + route.template() + " -> " + answer.status());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertEquals(before, fingerprint());
  }

  @Test
  void anotherTenantsTokenInItsOwnOrganizationFindsNoneOfThisTenantsObjects() {
    String before = fingerprint();
    List<String> wrong = new ArrayList<>();
    for (Route route : scoped()) {
      if (route.template().contains("bulk-cancel")
          || route.template().endsWith("/workflow-executions") && route.method().equals("POST")
          || route.template().endsWith("/agent-executions") && route.method().equals("POST")
          || route.template().endsWith("/signal-with-start")) {
        continue; // these create or match in the intruder's own tenant: checked below
      }
      ApiClient.Answer answer = call(intruder, route, path(route, "intruder"));
      boolean names = route.template().contains("{id}") || route.template().contains("{promise}");
      if (names ? answer.status() != 404 : answer.raw().body().contains(workflow)) {
        wrong.add(route.method() + " " + route.template() + " -> " + answer.status());
      }
      if (!names && answer.raw().body().contains(agent)) {
        wrong.add(route.method() + " " + route.template() + " shows the agent");
      }
      if (!names && answer.raw().body().contains(task)) {
        wrong.add(route.method() + " " + route.template() + " shows the task");
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    ApiClient.Answer bulk =
        intruder.post(
            "/api/orgs/intruder/workflow-executions/bulk-cancel",
            "{\"id\":\"" + workflow + "\",\"dryRun\":true}");
    assertEquals(0, bulk.json().path("matched").asInt(), bulk.raw().body());
    assertEquals(before, fingerprint());
  }

  @Test
  void withoutATokenEveryRouteIs401() {
    ApiClient anonymous = new ApiClient(http.port(), null);
    List<String> wrong = new ArrayList<>();
    for (Route route : ApiRoutes.all(new ApiContext(grpc.dispatch()))) {
      ApiClient.Answer answer = call(anonymous, route, path(route, "owner"));
      if (answer.status() != 401) {
        wrong.add(route.method() + " " + route.template() + " -> " + answer.status());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertFalse(scoped().isEmpty());
  }

  @Test
  void theOwnersTokenReadsItsWorkflow() {
    assertEquals(200, owner.get("/api/orgs/owner/workflow-executions/" + workflow).status());
  }

  @Test
  void theOwnersTokenReadsItsAgent() {
    assertEquals(200, owner.get("/api/orgs/owner/agent-executions/" + agent).status());
    assertEquals(201, intruder.post("/api/orgs/intruder/agent-executions", BODY).status());
    assertFalse(
        owner.get("/api/orgs/owner/agent-executions?kind=k").raw().body().contains("intruder"));
  }
}
