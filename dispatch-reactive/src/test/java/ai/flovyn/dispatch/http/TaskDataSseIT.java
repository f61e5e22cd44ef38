package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.StreamEventType;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Live task data as Server-Sent Events on the metrics HTTP server. */
class TaskDataSseIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void startServers() throws Exception {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
  }

  @AfterAll
  static void stopServers() {
    http.close();
    grpc.close();
    db.close();
  }

  private static HttpRequest get(String query) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + http.port() + "/v1/task-data?" + query))
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  private static double subscribers() {
    return grpc.registry().get("dispatch_task_data_subscribers").gauge().value();
  }

  @Test
  void aTasksLiveDataArrivesAsEventsAndTheStreamEndsWhenDispatchStops() throws Exception {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "llm");

    HttpResponse<Stream<String>> response =
        client.send(get("task_execution_id=" + task.taskId()), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    Await.until(() -> subscribers() == 1, "the stream to subscribe");
    grpc.tasks()
        .streamTaskData(
            StreamTaskDataRequest.newBuilder()
                .setTaskExecutionId(task.taskId().toString())
                .setWorkflowExecutionId(task.workflowId())
                .setType(StreamEventType.TOKEN)
                .setPayload("{\"type\":\"token\",\"text\":\"hi\"}")
                .build());

    Iterator<String> lines = response.body().iterator();
    // the stream opens with a comment (so that the headers go out at once), then the events
    assertEquals(": open", lines.next());
    assertEquals("", lines.next());
    String data = lines.next();
    assertTrue(data.startsWith("data: {\"taskExecutionId\":\"" + task.taskId() + "\""), data);
    assertTrue(
        data.contains("\"payload\":\"{\\\"type\\\":\\\"token\\\",\\\"text\\\":\\\"hi\\\"}\""),
        data);
    assertTrue(data.contains("\"type\":1"), data);
    assertEquals("", lines.next());

    grpc.dispatch().stopSubscriptions();
    assertFalse(lines.hasNext(), "the stream ended");
    Await.until(() -> subscribers() == 0, "the subscription to go away");
  }

  @Test
  void unknownTargetsAreNotFoundAndMalformedQueriesBadRequests() throws Exception {
    HttpResponse.BodyHandler<String> text = HttpResponse.BodyHandlers.ofString();

    assertEquals(
        404, client.send(get("task_execution_id=" + UUID.randomUUID()), text).statusCode());
    assertEquals(
        404, client.send(get("workflow_execution_id=" + UUID.randomUUID()), text).statusCode());
    HttpResponse<String> bad = client.send(get("task_execution_id=nope"), text);
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("task_execution_id"));
    assertEquals(400, client.send(get(""), text).statusCode());
    assertEquals(
        400,
        client
            .send(
                get(
                    "task_execution_id="
                        + UUID.randomUUID()
                        + "&workflow_execution_id="
                        + UUID.randomUUID()),
                text)
            .statusCode());
  }
}
