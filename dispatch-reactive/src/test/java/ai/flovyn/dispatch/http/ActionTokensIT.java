package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Start, signal, promise and stream routes with bearer tokens required: a token acts in its own
 * tenant, and another tenant's workflow or promise reads as a missing one.
 */
class ActionTokensIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ORG = "/api/orgs/acme";
  private static final String OTHER_ORG = "/api/orgs/other";
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static ActiveTokens activeTokens;
  private static HttpPort http;
  private static ApiClient acme;
  private static ApiClient other;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    Tokens tokens = Tokens.over(db.connectionFactory());
    IssuedToken ofAcme = tokens.create("acme", TokenRole.ADMIN, "operator").block(WAIT);
    IssuedToken ofOther = tokens.create("other", TokenRole.ADMIN, "other operator").block(WAIT);
    // created before the snapshot's first load, so the port knows both from the start
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    http =
        HttpPort.start(
            HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(activeTokens));
    acme = new ApiClient(http.port(), ofAcme.text());
    other = new ApiClient(http.port(), ofOther.text());
  }

  @AfterAll
  static void stopServers() {
    http.close();
    activeTokens.close();
    grpc.close();
    db.close();
  }

  @Test
  void anotherTenantsTokenFindsNoWorkflowToSignalOrStreamAndNoPromiseToSettle() throws Exception {
    ApiClient.Answer started =
        acme.post(ORG + "/workflow-executions", "{\"kind\":\"k\",\"queue\":\"tokens\"}");
    assertEquals(201, started.status(), started.raw().body());
    String id = started.json().path("id").asText();
    String signal = "/workflow-executions/" + id + "/signal";
    String stream = "/workflow-executions/" + id + "/stream";

    for (String org : List.of(OTHER_ORG, ORG)) {
      // in its own organization, and naming this tenant's organization
      ApiClient.Answer signalled = other.post(org + signal, "{\"signalName\":\"s\"}");
      assertEquals(404, signalled.status(), org + " " + signalled.raw().body());
      assertEquals(404, other.get(org + stream).status(), org);
    }
    assertEquals(
        other
            .post(OTHER_ORG + "/workflow-executions/" + id + "/signal", "{\"signalName\":\"s\"}")
            .error()
            .replace(id, "X"),
        other
            .post(
                OTHER_ORG + "/workflow-executions/00000000-0000-0000-0000-000000000000/signal",
                "{\"signalName\":\"s\"}")
            .error()
            .replace("00000000-0000-0000-0000-000000000000", "X"),
        "another tenant's workflow reads exactly as a missing one");
    assertEquals(404, other.post(ORG + "/workflow-executions", "{\"kind\":\"k\"}").status(), "org");

    // the owner's token signals and streams it
    assertEquals(200, acme.post(ORG + signal, "{\"signalName\":\"s\"}").status());
    HttpResponse<Stream<String>> own =
        HttpClient.newHttpClient()
            .send(acme.request(ORG + stream).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, own.statusCode());
    try (SseLines lines = new SseLines(own.body())) {
      assertTrue(lines.next().data().contains("WORKFLOW_STARTED"));
      assertTrue(lines.next().data().contains("SIGNAL_RECEIVED"));
    }
    assertEquals(401, new ApiClient(http.port(), null).post(ORG + signal, "{}").status());
  }

  @Test
  void anotherTenantsTokenCannotSettleAPromise() {
    StartWorkflowRequest start =
        StartWorkflowRequest.newBuilder()
            .setTenantId("acme")
            .setWorkflowKind("approval")
            .setQueue("token-promises")
            .setInput(ByteString.copyFromUtf8("{}"))
            .build();
    String id = Commands.startClaimed(grpc.workflows(), start);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(id, List.of(createPromise("manager")), WorkflowStatus.SUSPENDED));
    String promise = "/promises/" + id + ":manager";

    assertEquals(404, other.post(OTHER_ORG + promise + "/resolve", "{\"value\":1}").status());
    assertEquals(404, other.post(OTHER_ORG + promise + "/reject", "{\"error\":\"e\"}").status());
    ApiClient.Answer resolved = acme.post(ORG + promise + "/resolve", "{\"value\":1}");
    assertEquals(200, resolved.status(), resolved.raw().body());
    assertTrue(resolved.json().path("resolved").asBoolean());
  }
}
