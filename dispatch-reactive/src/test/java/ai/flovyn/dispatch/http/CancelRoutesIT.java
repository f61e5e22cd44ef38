package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cancelling workflows over a real socket: one by id (PENDING, RUNNING with its worker refused
 * afterwards, WAITING with children, with and without cascade, a child whose parent hears of it, a
 * finished one), 404 for unknown ids and other tenants' (also with tokens), 400s naming the field,
 * and bulk cancel by filter (dry run, 409 on a stale count, the real run).
 */
class CancelRoutesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = TaskFixtures.TENANT;
  private static final String OTHER = "tenant-other";
  private static final String ORG = "/api/orgs/" + TENANT;

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static HttpPort httpWithTokens;
  private static ApiClient api;
  private static ActiveTokens activeTokens;
  private static IssuedToken tokenOfTenant;
  private static IssuedToken tokenOfOther;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    api = new ApiClient(http.port(), null);
    Tokens tokens = Tokens.over(db.connectionFactory());
    tokenOfTenant = tokens.create(TENANT, TokenRole.ADMIN, "operator").block(WAIT);
    tokenOfOther = tokens.create(OTHER, TokenRole.ADMIN, "other operator").block(WAIT);
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    httpWithTokens =
        HttpPort.start(
            HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(activeTokens));
  }

  @AfterAll
  static void stopServers() {
    httpWithTokens.close();
    http.close();
    activeTokens.close();
    grpc.close();
    db.close();
  }

  @Test
  void aPendingWorkflowEndsCancelledWithItsReason() {
    String id = started(TENANT, queue(), "order-workflow");

    ApiClient.Answer answer = cancel(api, TENANT, id, "{\"reason\":\"customer left\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals("CANCELLED", answer.json().path("status").asText());
    assertEquals(0, answer.json().path("cancelledChildren").asInt());
    Map<String, Object> row = row(id);
    assertEquals("CANCELLED", row.get("status"));
    assertEquals("customer left", row.get("error"));
    assertEquals(true, row.get("cancel_requested"));
    assertTrue(row.get("completed_at") != null);
    assertEquals(List.of("WORKFLOW_STARTED", "WORKFLOW_CANCELLED"), types(id));
    assertEquals("customer left", lastEventData(id).path("reason").asText());
  }

  @Test
  void aWaitingWorkflowsPendingTasksAreCancelledAndTheOneAWorkerRunsIsLeftToIt() {
    String queue = queue();
    String id = Commands.startClaimed(grpc.workflows(), Commands.start(TENANT, queue));
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                id,
                List.of(scheduleTask(first, "charge"), scheduleTask(second, "pack")),
                WorkflowStatus.SUSPENDED));
    String running = TaskFixtures.poll(grpc, queue, "task-worker").getTask().getTaskExecutionId();
    String pending = running.equals(first.toString()) ? second.toString() : first.toString();

    ApiClient.Answer answer = cancel(api, TENANT, id, "");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals("CANCELLED", row(id).get("status"));
    assertEquals("CANCELLED", taskStatus(pending));
    assertEquals("RUNNING", taskStatus(running));
    assertEquals("cancelled by an operator", lastEventData(id).path("reason").asText());
  }

  @Test
  void aRunningWorkflowIsCancelledAndItsWorkersNextBatchIsRefused() {
    String id = Commands.startClaimed(grpc.workflows(), Commands.start(TENANT, queue()));
    assertEquals("RUNNING", row(id).get("status"));

    ApiClient.Answer answer = cancel(api, TENANT, id, "{\"reason\":\"stuck\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    Map<String, Object> row = row(id);
    assertEquals("CANCELLED", row.get("status"));
    assertEquals(null, row.get("worker_id"));
    UUID task = UUID.randomUUID();
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                grpc.workflows()
                    .submitWorkflowCommands(batch(id, List.of(scheduleTask(task, "charge")))));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertEquals(List.of("WORKFLOW_STARTED", "WORKFLOW_CANCELLED"), types(id));
    assertEquals(
        0L, db.scalar("SELECT count(*) FROM task_executions WHERE id = ?::uuid", task.toString()));
    assertEquals("CANCELLED", row(id).get("status"));
  }

  @Test
  void cancellingAParentCancelsItsUnfinishedChildrenAndTheirChildren() {
    Family family = family();

    ApiClient.Answer answer = cancel(api, TENANT, family.parent, "{\"reason\":\"abort\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals("CANCELLED", answer.json().path("status").asText());
    assertEquals(2, answer.json().path("cancelledChildren").asInt());
    for (String id : List.of(family.parent, family.child, family.grandchild)) {
      assertEquals("CANCELLED", row(id).get("status"), id);
      assertEquals("WORKFLOW_CANCELLED", last(types(id)), id);
      assertEquals("abort", lastEventData(id).path("reason").asText());
    }
    assertTrue(
        !types(family.parent).contains("CHILD_WORKFLOW_FAILED")
            && !types(family.child).contains("CHILD_WORKFLOW_FAILED"),
        "a cancelled parent hears nothing from the children cancelled with it");
  }

  @Test
  void withoutCascadeTheChildrenKeepRunning() {
    Family family = family();

    ApiClient.Answer answer = cancel(api, TENANT, family.parent, "{\"cascadeToChildren\":false}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals(0, answer.json().path("cancelledChildren").asInt());
    assertEquals("CANCELLED", row(family.parent).get("status"));
    assertEquals("WAITING", row(family.child).get("status"));
    assertEquals("PENDING", row(family.grandchild).get("status"));
  }

  @Test
  void aCancelledChildTellsItsParentWhichBecomesClaimable() {
    Family family = family();
    int parentEvents = types(family.parent).size();

    ApiClient.Answer answer = cancel(api, TENANT, family.child, "{\"reason\":\"too slow\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals(1, answer.json().path("cancelledChildren").asInt(), "its own child");
    assertEquals("CANCELLED", row(family.child).get("status"));
    assertEquals("CANCELLED", row(family.grandchild).get("status"));
    List<String> parentTypes = types(family.parent);
    assertEquals(parentEvents + 1, parentTypes.size());
    assertEquals("CHILD_WORKFLOW_FAILED", last(parentTypes));
    JsonNode report = lastEventData(family.parent);
    assertEquals("shipping", report.path("childExecutionName").asText());
    assertEquals(family.child, report.path("childExecutionId").asText());
    assertEquals("Child workflow cancelled: too slow", report.path("error").asText());
    assertEquals("PENDING", row(family.parent).get("status"), "the report woke the parent");
    Commands.claim(grpc.workflows(), TENANT, family.queue, family.parent);
    assertEquals("RUNNING", row(family.parent).get("status"));
  }

  @Test
  void aFinishedWorkflowIsAlreadyTerminalAndNothingIsWritten() {
    String id = Commands.startClaimed(grpc.workflows(), Commands.start(TENANT, queue()));
    WorkflowCommand complete =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.COMPLETE_WORKFLOW)
            .setCompleteWorkflow(CompleteWorkflowCommand.newBuilder())
            .build();
    grpc.workflows().submitWorkflowCommands(batch(id, List.of(complete)));
    Map<String, Object> before = row(id);
    List<String> eventsBefore = types(id);

    ApiClient.Answer answer = cancel(api, TENANT, id, "{\"reason\":\"late\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals("ALREADY_TERMINAL", answer.json().path("status").asText());
    assertEquals(0, answer.json().path("cancelledChildren").asInt());
    assertEquals("COMPLETED", before.get("status"));
    assertEquals(before, row(id));
    assertEquals(eventsBefore, types(id));
  }

  @Test
  void anUnknownWorkflowOrAnotherTenantsIsNotFoundAndLeftAsItIs() {
    String theirs = started(OTHER, queue(), "order-workflow");
    String missing = UUID.randomUUID().toString();
    ApiClient.Answer unknown = cancel(api, TENANT, missing, "");
    ApiClient.Answer other = cancel(api, TENANT, theirs, "");

    assertEquals(404, unknown.status());
    assertEquals(404, other.status());
    assertEquals(
        unknown.error().replace(missing, "ID"),
        other.error().replace(theirs, "ID"),
        "another tenant's workflow is reported exactly as a missing one");
    assertEquals("PENDING", row(theirs).get("status"));
  }

  @Test
  void withTokensAnotherTenantsWorkflowIsNotFoundOnEitherOrganization() {
    String theirs = started(TENANT, queue(), "order-workflow");
    ApiClient other = new ApiClient(httpWithTokens.port(), tokenOfOther.text());
    ApiClient owner = new ApiClient(httpWithTokens.port(), tokenOfTenant.text());

    assertEquals(404, cancel(other, TENANT, theirs, "").status());
    assertEquals(404, cancel(other, OTHER, theirs, "").status());
    assertEquals(401, cancel(owner.withToken(null), TENANT, theirs, "").status());
    assertEquals("PENDING", row(theirs).get("status"));
    assertEquals(200, cancel(owner, TENANT, theirs, "").status());
    assertEquals("CANCELLED", row(theirs).get("status"));
  }

  @Test
  void badInputIsA400NamingTheFieldAndWritesNothing() {
    String id = started(TENANT, queue(), "order-workflow");

    assertBad(cancel(api, TENANT, "not-a-uuid", ""), "id: ");
    assertBad(cancel(api, TENANT, id, "{\"reason\":42}"), "reason: ");
    assertBad(cancel(api, TENANT, id, "{\"reason\":\"" + "x".repeat(40_000) + "\"}"), "reason: ");
    assertBad(cancel(api, TENANT, id, "{\"cascadeToChildren\":\"maybe\"}"), "cascadeToChildren: ");
    assertEquals(400, cancel(api, TENANT, id, "{not json").status());
    assertEquals(400, cancel(api, TENANT, id, "[1]").status());
    assertBad(bulk(api, TENANT, "{\"kind\":\"k\"}"), "expectedCount: ");
    assertBad(bulk(api, TENANT, "{\"status\":\"DONE\",\"dryRun\":true}"), "status: ");
    assertBad(bulk(api, TENANT, "{\"stauts\":\"PENDING\",\"dryRun\":true}"), "stauts: ");
    assertBad(bulk(api, TENANT, "{\"kind\":5,\"dryRun\":true}"), "kind: ");
    assertBad(
        bulk(api, TENANT, "{\"createdAfter\":\"yesterday\",\"dryRun\":true}"), "createdAfter: ");
    assertBad(bulk(api, TENANT, "{\"query\":\"status = DONE\",\"dryRun\":true}"), "query: ");
    assertBad(bulk(api, TENANT, "{\"expectedCount\":-1}"), "expectedCount: ");
    assertBad(bulk(api, TENANT, "{\"dryRun\":\"yes\"}"), "dryRun: ");
    assertEquals("PENDING", row(id).get("status"));
  }

  @Test
  void aBulkDryRunCountsTheMatchingUnfinishedWorkflows() {
    Bulk bulk = bulkFixture();

    ApiClient.Answer answer =
        bulk(
            api,
            TENANT,
            "{\"kind\":\"" + bulk.kind + "\",\"status\":\"PENDING,RUNNING\",\"dryRun\":true}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals(3, answer.json().path("matched").asInt());
    assertEquals(true, answer.json().path("dryRun").asBoolean());
    bulk.unchanged();
  }

  @Test
  void aBulkCancelWithAStaleExpectedCountIsA409AndWritesNothing() {
    Bulk bulk = bulkFixture();

    ApiClient.Answer answer =
        bulk(api, TENANT, "{\"kind\":\"" + bulk.kind + "\",\"expectedCount\":2}");

    assertEquals(409, answer.status(), answer.raw().body());
    assertTrue(answer.error().startsWith("expectedCount: "), answer.error());
    assertTrue(answer.error().contains("now matches 3"), answer.error());
    assertEquals(3, answer.json().path("matched").asInt());
    bulk.unchanged();
  }

  @Test
  void aBulkCancelCancelsExactlyTheMatchingUnfinishedWorkflowsOfTheTenant() {
    Bulk bulk = bulkFixture();

    ApiClient.Answer answer =
        bulk(
            api,
            TENANT,
            "{\"kind\":\"" + bulk.kind + "\",\"expectedCount\":3,\"reason\":\"cleanup\"}");

    assertEquals(200, answer.status(), answer.raw().body());
    assertEquals(3, answer.json().path("matched").asInt());
    assertEquals(3, answer.json().path("cancelled").asInt());
    for (String id : bulk.unfinished) {
      assertEquals("CANCELLED", row(id).get("status"));
      assertEquals("cleanup", lastEventData(id).path("reason").asText());
    }
    assertEquals("COMPLETED", row(bulk.finished).get("status"));
    assertEquals("PENDING", row(bulk.otherTenants).get("status"));
    assertEquals("PENDING", row(bulk.otherKind).get("status"));
  }

  @Test
  void aBulkCancelMatchingMoreThan10000WorkflowsIsA400SayingToNarrowTheFilter() {
    String kind = "many-" + UUID.randomUUID();
    db.execute(
        "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key)"
            + " SELECT gen_random_uuid(), ?, ?, 'q-many', 'PENDING', now()"
            + " FROM generate_series(1, 10001)",
        TENANT,
        kind);

    ApiClient.Answer dry = bulk(api, TENANT, "{\"kind\":\"" + kind + "\",\"dryRun\":true}");
    ApiClient.Answer real =
        bulk(api, TENANT, "{\"kind\":\"" + kind + "\",\"expectedCount\":10001}");

    assertEquals(400, dry.status(), dry.raw().body());
    assertTrue(dry.error().contains("narrow the filter"), dry.error());
    assertEquals(400, real.status(), real.raw().body());
    assertEquals(
        0L,
        db.scalar(
            "SELECT count(*) FROM workflow_executions WHERE kind = ? AND status = 'CANCELLED'",
            kind));
  }

  // --- fixtures

  /** A WAITING parent (claimed, then suspended) with a WAITING child and its PENDING grandchild. */
  private record Family(String queue, String parent, String child, String grandchild) {}

  private static Family family() {
    String queue = queue();
    String parent = Commands.startClaimed(grpc.workflows(), Commands.start(TENANT, queue));
    UUID child = UUID.randomUUID();
    String childQueue = queue + "-children";
    grpc.workflows()
        .submitWorkflowCommands(
            batch(parent, List.of(child("shipping", child, childQueue)), WorkflowStatus.SUSPENDED));
    Commands.claim(grpc.workflows(), TENANT, childQueue, child.toString());
    UUID grandchild = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                child.toString(),
                List.of(child("label", grandchild, queue + "-grandchildren")),
                WorkflowStatus.SUSPENDED));
    assertEquals("WAITING", row(parent).get("status"));
    assertEquals("WAITING", row(child.toString()).get("status"));
    return new Family(queue, parent, child.toString(), grandchild.toString());
  }

  private static WorkflowCommand child(String name, UUID id, String queue) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
        .setScheduleChildWorkflow(
            ScheduleChildWorkflowCommand.newBuilder()
                .setChildExecutionName(name)
                .setWorkflowKind(name + "-workflow")
                .setChildWorkflowExecutionId(id.toString())
                .setQueue(queue))
        .build();
  }

  /**
   * Of a fresh kind: two PENDING workflows and a RUNNING one of the tenant, a COMPLETED one, one of
   * another tenant; plus a PENDING one of another kind.
   */
  private record Bulk(
      String kind,
      List<String> unfinished,
      String finished,
      String otherTenants,
      String otherKind) {
    void unchanged() {
      assertEquals("PENDING", row(unfinished.get(0)).get("status"));
      assertEquals("PENDING", row(unfinished.get(1)).get("status"));
      assertEquals("RUNNING", row(unfinished.get(2)).get("status"));
      for (String id : unfinished) {
        assertEquals(List.of("WORKFLOW_STARTED"), types(id));
      }
    }
  }

  private static Bulk bulkFixture() {
    String kind = "bulk-" + UUID.randomUUID();
    String queue = queue();
    String a = started(TENANT, queue, kind);
    String b = started(TENANT, queue, kind);
    String running =
        Commands.startClaimed(
            grpc.workflows(),
            Commands.start(TENANT, queue()).toBuilder().setWorkflowKind(kind).build());
    String finished =
        Commands.startClaimed(
            grpc.workflows(),
            Commands.start(TENANT, queue()).toBuilder().setWorkflowKind(kind).build());
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                finished,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.COMPLETE_WORKFLOW)
                        .setCompleteWorkflow(CompleteWorkflowCommand.newBuilder())
                        .build())));
    String otherTenants = started(OTHER, queue, kind);
    String otherKind = started(TENANT, queue, kind + "-other");
    return new Bulk(kind, List.of(a, b, running), finished, otherTenants, otherKind);
  }

  private static String queue() {
    return "q-" + UUID.randomUUID();
  }

  private static String started(String tenant, String queue, String kind) {
    StartWorkflowRequest start =
        Commands.start(tenant, queue).toBuilder().setWorkflowKind(kind).build();
    return grpc.workflows().startWorkflow(start).getWorkflowExecutionId();
  }

  // --- calls and reads

  private static ApiClient.Answer cancel(ApiClient client, String org, String id, String body) {
    return client.post("/api/orgs/" + org + "/workflow-executions/" + id + "/cancel", body);
  }

  private static ApiClient.Answer bulk(ApiClient client, String org, String body) {
    return client.post("/api/orgs/" + org + "/workflow-executions/bulk-cancel", body);
  }

  private static void assertBad(ApiClient.Answer answer, String prefix) {
    assertEquals(400, answer.status(), answer.raw().body());
    assertTrue(answer.error().startsWith(prefix), answer.error());
    assertTrue(answer.error().length() < 400, "bounded: " + answer.error().length());
  }

  private static Map<String, Object> row(String id) {
    return db.rows(
            "SELECT status, error, cancel_requested, completed_at, worker_id, updated_at,"
                + " current_sequence FROM workflow_executions WHERE id = ?::uuid",
            id)
        .get(0);
  }

  private static String taskStatus(String id) {
    return (String)
        db.rows("SELECT status FROM task_executions WHERE id = ?::uuid", id).get(0).get("status");
  }

  private static List<String> types(String id) {
    return db
        .rows(
            "SELECT event_type FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                + " ORDER BY sequence_number",
            id)
        .stream()
        .map(row -> (String) row.get("event_type"))
        .toList();
  }

  private static JsonNode lastEventData(String id) {
    String data =
        (String)
            db.rows(
                    "SELECT event_data::text AS data FROM workflow_events"
                        + " WHERE workflow_execution_id = ?::uuid ORDER BY sequence_number DESC"
                        + " LIMIT 1",
                    id)
                .get(0)
                .get("data");
    try {
      return JSON.readTree(data);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String last(List<String> values) {
    return values.get(values.size() - 1);
  }
}
