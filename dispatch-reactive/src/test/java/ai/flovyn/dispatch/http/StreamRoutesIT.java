package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A workflow's progress as Server-Sent Events: replay, new events as they come, the end. */
class StreamRoutesIT {
  private static final String ORG = "/api/orgs/acme";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static ApiClient api;
  private static final HttpClient client = HttpClient.newHttpClient();

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

  private static HttpResponse<Stream<String>> open(String id, String lastEventId) throws Exception {
    HttpRequest.Builder request = api.request(ORG + "/workflow-executions/" + id + "/stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
  }

  /** The next event's JSON data line, skipping comments, ids, names and blank lines. */
  private static JsonNode next(Iterator<String> lines) throws Exception {
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data: ")) {
        return JSON.readTree(line.substring("data: ".length()));
      }
    }
    throw new AssertionError("the stream ended");
  }

  private static WorkflowCommand complete() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMPLETE_WORKFLOW)
        .setCompleteWorkflow(
            CompleteWorkflowCommand.newBuilder().setOutput(ByteString.copyFromUtf8("{}")))
        .build();
  }

  @Test
  void aRunningWorkflowsEventsArriveInOrderAndTheStreamEndsWithTheWorkflow() throws Exception {
    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"live\",\"queue\":\"live\"}")
            .json()
            .path("id")
            .asText();
    HttpResponse<Stream<String>> response = open(id, null);
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    Iterator<String> lines = response.body().iterator();
    JsonNode started = next(lines);
    assertEquals("Event", started.path("type").asText());
    assertEquals("WORKFLOW_STARTED", started.path("event").asText());
    assertEquals(1, started.path("sequence").asInt());

    // appended after the stream opened
    Commands.claim(grpc.workflows(), "acme", "live", id);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(id, List.of(scheduleTask(UUID.randomUUID(), "step")), WorkflowStatus.SUSPENDED));
    JsonNode scheduled = next(lines);
    assertEquals("TASK_SCHEDULED", scheduled.path("event").asText());
    assertEquals(2, scheduled.path("sequence").asInt());
    assertEquals("step", scheduled.path("data").path("kind").asText());

    api.post(ORG + "/workflow-executions/" + id + "/signal", "{\"signalName\":\"go\"}");
    assertEquals("SIGNAL_RECEIVED", next(lines).path("event").asText());
    Commands.claim(grpc.workflows(), "acme", "live", id);
    grpc.workflows().submitWorkflowCommands(batch(id, List.of(complete())));
    List<String> rest = new ArrayList<>();
    lines.forEachRemaining(rest::add);
    assertTrue(
        rest.stream().anyMatch(line -> line.contains("\"event\":\"WORKFLOW_COMPLETED\"")),
        rest.toString());
  }

  @Test
  void aReconnectResumesAfterLastEventIdAndAFinishedWorkflowsStreamEnds() throws Exception {
    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"done\",\"queue\":\"done\"}")
            .json()
            .path("id")
            .asText();
    Commands.claim(grpc.workflows(), "acme", "done", id);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(id, List.of(scheduleTask(UUID.randomUUID(), "a"), complete())));
    List<String> sequences = new ArrayList<>();
    try (Stream<String> lines = open(id, "1").body()) {
      lines.filter(line -> line.startsWith("id: ")).forEach(sequences::add);
    }
    assertEquals(List.of("id: 2", "id: 3"), sequences);
  }

  @Test
  void unknownOrAnotherTenantsWorkflowIs404AndABadIdOrLastEventIdA400() throws Exception {
    String id =
        api.post(ORG + "/workflow-executions", "{\"kind\":\"k\"}").json().path("id").asText();
    assertEquals(404, api.get("/api/orgs/other/workflow-executions/" + id + "/stream").status());
    assertEquals(
        404, api.get(ORG + "/workflow-executions/" + UUID.randomUUID() + "/stream").status());
    ApiClient.Answer bad = api.get(ORG + "/workflow-executions/nope/stream");
    assertEquals(400, bad.status());
    ApiClient.Answer badLast =
        api.send(
            api.request(ORG + "/workflow-executions/" + id + "/stream")
                .header("Last-Event-ID", "x"));
    assertEquals(400, badLast.status());
    assertTrue(badLast.error().startsWith("Last-Event-ID:"), badLast.error());
    assertEquals(404, api.get(ORG + "/task-executions/" + UUID.randomUUID() + "/stream").status());
  }
}
