package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starting and signalling workflows and settling promises over the HTTP API. */
class StartSignalRoutesIT {
  private static final String ORG = "/api/orgs/acme";
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static ApiClient api;
  private static final OpenApiSchemas schemas = new OpenApiSchemas();

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

  private static void conforms(String operationId, ApiClient.Answer answer) {
    List<String> problems =
        schemas.check(schemas.responseSchema(operationId, answer.status()), answer.json());
    assertTrue(problems.isEmpty(), operationId + " " + problems + " in " + answer.json());
  }

  private static String scalar(String sql, String arg) throws Exception {
    try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, arg);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  @Test
  void aTriggerStartsAWorkflowOnceForItsIdempotencyKey() throws Exception {
    String body =
        "{\"kind\":\"checkout\",\"input\":{\"order\":42},\"queue\":\"shop\","
            + "\"idempotencyKey\":\"order-42\",\"metadata\":{\"customer\":\"c1\"}}";
    ApiClient.Answer first = api.post(ORG + "/workflow-executions", body);
    assertEquals(201, first.status(), first.raw().body());
    conforms("triggerWorkflow", first);
    String id = first.json().path("workflowExecutionId").asText();
    assertEquals(id, first.json().path("id").asText());
    assertEquals("PENDING", first.json().path("status").asText());
    assertEquals("checkout", first.json().path("kind").asText());
    assertTrue(first.json().path("idempotencyKeyNew").asBoolean());

    ApiClient.Answer again = api.post(ORG + "/workflow-executions", body);
    assertEquals(200, again.status());
    assertEquals(id, again.json().path("workflowExecutionId").asText());
    assertTrue(again.json().path("idempotencyKeyUsed").asBoolean());
    assertFalse(again.json().path("idempotencyKeyNew").asBoolean());

    assertEquals("shop", scalar("SELECT queue FROM workflow_executions WHERE id = ?::uuid", id));
    assertEquals(
        "{\"order\":42}",
        scalar(
            "SELECT convert_from(input, 'UTF8') FROM workflow_executions WHERE id = ?::uuid", id));
    assertEquals(
        "1",
        scalar(
            "SELECT count(*) FROM workflow_executions WHERE tenant_id = 'acme' AND kind = ?",
            "checkout"));
  }

  @Test
  void aTriggerWithoutKindOrWithWrongTypesIsA400NamingTheFieldAndWritesNothing() throws Exception {
    String before = scalar("SELECT count(*) FROM workflow_executions WHERE tenant_id = ?", "bad");
    ApiClient.Answer noKind = api.post("/api/orgs/bad/workflow-executions", "{\"input\":{}}");
    assertEquals(400, noKind.status());
    assertTrue(noKind.error().startsWith("kind:"), noKind.error());
    ApiClient.Answer badQueue =
        api.post("/api/orgs/bad/workflow-executions", "{\"kind\":\"k\",\"queue\":7}");
    assertEquals(400, badQueue.status());
    assertTrue(badQueue.error().startsWith("queue:"), badQueue.error());
    ApiClient.Answer badMetadata =
        api.post("/api/orgs/bad/workflow-executions", "{\"kind\":\"k\",\"metadata\":{\"a\":1}}");
    assertEquals(400, badMetadata.status());
    assertTrue(badMetadata.error().startsWith("metadata.a:"), badMetadata.error());
    ApiClient.Answer notJson = api.post("/api/orgs/bad/workflow-executions", "{kind");
    assertEquals(400, notJson.status());
    assertEquals(
        before, scalar("SELECT count(*) FROM workflow_executions WHERE tenant_id = ?", "bad"));
  }

  @Test
  void aSignalIsAppendedAndASignalToAFinishedWorkflowIsA409() throws Exception {
    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"approval\",\"queue\":\"signals\"}")
            .json()
            .path("id")
            .asText();
    ApiClient.Answer signalled =
        api.post(
            ORG + "/workflow-executions/" + id + "/signal",
            "{\"signalName\":\"approved\",\"signalValue\":{\"by\":\"ops\"}}");
    assertEquals(200, signalled.status(), signalled.raw().body());
    conforms("signalWorkflow", signalled);
    int sequence = signalled.json().path("signalEventSequence").asInt();
    assertEquals(
        "SIGNAL_RECEIVED",
        scalar(
            "SELECT event_type FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                + " AND sequence_number = "
                + sequence,
            id));
    ApiClient.Answer noName =
        api.post(ORG + "/workflow-executions/" + id + "/signal", "{\"signalValue\":1}");
    assertEquals(400, noName.status());
    assertTrue(noName.error().startsWith("signalName:"), noName.error());

    Commands.claim(grpc.workflows(), "acme", "signals", id);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                id,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.COMPLETE_WORKFLOW)
                        .setCompleteWorkflow(
                            CompleteWorkflowCommand.newBuilder()
                                .setOutput(ByteString.copyFromUtf8("{}")))
                        .build())));
    ApiClient.Answer late =
        api.post(ORG + "/workflow-executions/" + id + "/signal", "{\"signalName\":\"late\"}");
    assertEquals(409, late.status(), late.raw().body());
  }

  @Test
  void signalWithStartCreatesTheWorkflowOnceAndSignalsItEachTime() {
    String body =
        "{\"workflowKind\":\"cart\",\"workflowId\":\"cart-7\",\"workflowInput\":{},"
            + "\"signalName\":\"add\",\"signalValue\":{\"sku\":\"a\"}}";
    ApiClient.Answer first = api.post(ORG + "/workflow-executions/signal-with-start", body);
    assertEquals(201, first.status(), first.raw().body());
    conforms("signalWithStartWorkflow", first);
    assertTrue(first.json().path("workflowCreated").asBoolean());
    ApiClient.Answer second = api.post(ORG + "/workflow-executions/signal-with-start", body);
    assertEquals(200, second.status());
    assertFalse(second.json().path("workflowCreated").asBoolean());
    assertEquals(
        first.json().path("workflowExecutionId").asText(),
        second.json().path("workflowExecutionId").asText());
    assertTrue(
        second.json().path("signalEventSequence").asInt()
            > first.json().path("signalEventSequence").asInt());
    ApiClient.Answer missing =
        api.post(ORG + "/workflow-executions/signal-with-start", "{\"workflowKind\":\"cart\"}");
    assertEquals(400, missing.status());
  }

  @Test
  void aPromiseIsResolvedOnceAndASecondResolveOrRejectSaysAlreadyResolved() throws Exception {
    StartWorkflowRequest start =
        StartWorkflowRequest.newBuilder()
            .setTenantId("acme")
            .setWorkflowKind("approval")
            .setQueue("promises")
            .setInput(ByteString.copyFromUtf8("{}"))
            .build();
    String id = Commands.startClaimed(grpc.workflows(), start);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(id, List.of(createPromise("manager")), WorkflowStatus.SUSPENDED));
    String promise = id + ":manager";

    ApiClient.Answer resolved =
        api.post(ORG + "/promises/id:" + promise + "/resolve", "{\"value\":{\"ok\":true}}");
    assertEquals(200, resolved.status(), resolved.raw().body());
    conforms("resolvePromise", resolved);
    JsonNode body = resolved.json();
    assertTrue(body.path("resolved").asBoolean());
    assertFalse(body.path("alreadyResolved").asBoolean());
    assertEquals(promise, body.path("promiseId").asText());
    assertEquals("RESOLVED", scalar("SELECT status FROM promises WHERE id = ?", promise));
    assertEquals(
        "PROMISE_RESOLVED",
        scalar(
            "SELECT event_type FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                + " ORDER BY sequence_number DESC LIMIT 1",
            id));

    ApiClient.Answer again =
        api.post(ORG + "/promises/" + promise + "/resolve", "{\"value\":{\"ok\":true}}");
    assertEquals(200, again.status(), again.raw().body());
    assertFalse(again.json().path("resolved").asBoolean());
    assertTrue(again.json().path("alreadyResolved").asBoolean());
    assertEquals(promise, again.json().path("promiseId").asText());
    assertEquals(
        "1",
        scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                + " AND event_type = 'PROMISE_RESOLVED'",
            id));

    ApiClient.Answer rejected =
        api.post(ORG + "/promises/" + promise + "/reject", "{\"error\":\"too late\"}");
    assertEquals(200, rejected.status());
    assertFalse(rejected.json().path("rejected").asBoolean());
    assertTrue(rejected.json().path("alreadyResolved").asBoolean());
    assertEquals("RESOLVED", scalar("SELECT status FROM promises WHERE id = ?", promise));

    assertEquals(404, api.post(ORG + "/promises/" + id + ":nope/resolve", "{}").status());
    assertEquals(404, api.post("/api/orgs/other/promises/" + promise + "/resolve", "{}").status());
    ApiClient.Answer noError = api.post(ORG + "/promises/" + promise + "/reject", "{}");
    assertEquals(400, noError.status());
    assertTrue(noError.error().startsWith("error:"), noError.error());
  }

  @Test
  void anotherTenantsWorkflowCannotBeSignalled() {
    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"k\"}").json().path("id").asText();
    ApiClient.Answer other =
        api.post("/api/orgs/other/workflow-executions/" + id + "/signal", "{\"signalName\":\"s\"}");
    assertEquals(404, other.status());
    ApiClient.Answer badId =
        api.post(ORG + "/workflow-executions/not-a-uuid/signal", "{\"signalName\":\"s\"}");
    assertEquals(400, badId.status());
    assertTrue(badId.error().startsWith("id:"), badId.error());
  }

  @Test
  void valuesTheLibraryRefusesAre400sNamingTheJsonFieldAndWriteNothing() throws Exception {
    String org = "/api/orgs/limits";
    String longName = "\"" + "k".repeat(300) + "\"";
    Map<String, String> triggers =
        Map.of(
            "kind",
            "{\"kind\":" + longName + "}",
            "prioritySeconds",
            "{\"kind\":\"k\",\"prioritySeconds\":2000000000}",
            "idempotencyKey",
            "{\"kind\":\"k\",\"idempotencyKey\":" + longName + "}",
            "version",
            "{\"kind\":\"k\",\"version\":\"\"}");
    for (Map.Entry<String, String> trigger : triggers.entrySet()) {
      ApiClient.Answer answer = api.post(org + "/workflow-executions", trigger.getValue());
      String field = trigger.getKey();
      assertEquals(400, answer.status(), answer.raw().body());
      assertTrue(answer.error().startsWith(field + ": "), answer.error());
      assertTrue(answer.error().length() < 200, answer.error());
    }
    ApiClient.Answer withStart =
        api.post(
            org + "/workflow-executions/signal-with-start",
            "{\"workflowKind\":\"k\",\"workflowId\":" + longName + ",\"signalName\":\"s\"}");
    assertEquals(400, withStart.status());
    assertTrue(withStart.error().startsWith("workflowId: "), withStart.error());
    ApiClient.Answer badValue =
        api.post(
            org + "/workflow-executions/signal-with-start",
            "{\"workflowKind\":\"k\",\"workflowId\":\"w\",\"signalName\":\"s\","
                + "\"prioritySeconds\":\"soon\"}");
    assertEquals(400, badValue.status());
    assertTrue(badValue.error().startsWith("prioritySeconds: "), badValue.error());
    assertEquals(
        "0", scalar("SELECT count(*) FROM workflow_executions WHERE tenant_id = ?", "limits"));

    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"k\"}").json().path("id").asText();
    ApiClient.Answer longSignal =
        api.post(
            ORG + "/workflow-executions/" + id + "/signal", "{\"signalName\":" + longName + "}");
    assertEquals(400, longSignal.status());
    assertTrue(longSignal.error().startsWith("signalName: "), longSignal.error());
    ApiClient.Answer numberName =
        api.post(ORG + "/workflow-executions/" + id + "/signal", "{\"signalName\":5}");
    assertEquals(400, numberName.status());
    assertTrue(numberName.error().startsWith("signalName: "), numberName.error());
    assertEquals(
        "1",
        scalar("SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid", id));
    ApiClient.Answer longPromise =
        api.post(ORG + "/promises/" + id + ":" + "p".repeat(400) + "/resolve", "{}");
    assertEquals(400, longPromise.status());
    assertTrue(longPromise.error().startsWith("promise: "), longPromise.error());
  }
}
