package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.StreamEventType;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
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

  private static SseLines open(String id, String lastEventId) throws Exception {
    HttpRequest.Builder request = api.request(ORG + "/workflow-executions/" + id + "/stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    return new SseLines(response.body());
  }

  private static SseLines openPath(String path) throws Exception {
    HttpResponse<Stream<String>> response =
        client.send(api.request(path).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    return new SseLines(response.body());
  }

  /** The next history event's JSON, checking that its SSE id is its sequence. */
  private static JsonNode next(SseLines lines) throws Exception {
    SseLines.Event event = lines.next();
    assertEquals("data", event.event(), event.toString());
    JsonNode json = JSON.readTree(event.data());
    assertEquals(json.path("sequence").asText(), event.id(), event.toString());
    return json;
  }

  private static double subscribers() {
    return grpc.registry().get("dispatch_task_data_subscribers").gauge().value();
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
    SseLines lines = open(id, null);
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
    JsonNode completed = next(lines);
    assertEquals("WORKFLOW_COMPLETED", completed.path("event").asText());
    assertEquals(4, completed.path("sequence").asInt());
    assertEquals(List.of(), lines.rest(), "the stream ends with the workflow");
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
    try (SseLines lines = open(id, "1")) {
      assertEquals(List.of("2", "3"), lines.rest().stream().map(SseLines.Event::id).toList());
    }
    try (SseLines lines = open(id, null)) {
      assertEquals(List.of("1", "2", "3"), lines.rest().stream().map(SseLines.Event::id).toList());
    }
    // resuming after the finishing event: nothing is owed, and the stream ends at once
    try (SseLines lines = open(id, "3")) {
      assertEquals(List.of(), lines.rest());
    }
  }

  @Test
  void unknownOrAnotherTenantsWorkflowOrTaskIs404AndABadIdOrLastEventIdA400() throws Exception {
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
    ApiClient.Answer unknownTask =
        api.get(ORG + "/task-executions/" + UUID.randomUUID() + "/stream");
    assertEquals(404, unknownTask.status());
    assertTrue(unknownTask.error().contains("not found"), unknownTask.error());
    assertEquals(400, api.get(ORG + "/task-executions/nope/stream").status());
  }

  @Test
  void aWorkflowsStreamCarriesItsTasksLiveDataAndATaskStreamItsOwn() throws Exception {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "llm");
    String org = "/api/orgs/" + TaskFixtures.TENANT;
    double before = subscribers();
    try (SseLines workflow =
            openPath(org + "/workflow-executions/" + task.workflowId() + "/stream");
        SseLines taskStream = openPath(org + "/task-executions/" + task.taskId() + "/stream")) {
      Await.until(() -> subscribers() == before + 2, "both streams to follow the task data");
      for (StreamEventType type : List.of(StreamEventType.TOKEN, StreamEventType.PROGRESS)) {
        grpc.tasks()
            .streamTaskData(
                StreamTaskDataRequest.newBuilder()
                    .setTaskExecutionId(task.taskId().toString())
                    .setWorkflowExecutionId(task.workflowId())
                    .setType(type)
                    .setPayload("{\"n\":" + type.getNumber() + "}")
                    .build());
      }
      SseLines.Event token = taskStream.next();
      assertEquals("token", token.event(), token.toString());
      assertTrue(token.data().contains(task.taskId().toString()), token.data());
      assertEquals("progress", taskStream.next().event());

      // the history and the live data interleave; each keeps its own order
      List<String> names = new ArrayList<>();
      while (names.size() < 4) {
        SseLines.Event event = workflow.next();
        names.add(
            event.event().equals("data")
                ? JSON.readTree(event.data()).path("event").asText()
                : event.event());
      }
      assertEquals(
          List.of("WORKFLOW_STARTED", "TASK_SCHEDULED"),
          names.stream().filter(name -> name.contains("_")).toList(),
          names.toString());
      assertEquals(
          List.of("token", "progress"),
          names.stream().filter(name -> !name.contains("_")).toList(),
          names.toString());
    }
    // clients that leave stop following the task data
    Await.until(() -> subscribers() == before, "the streams' subscriptions to go away");
  }
}
