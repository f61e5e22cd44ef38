package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every JSON route answered for real and checked against the OpenAPI document's schema for its
 * status: a field the document requires and the answer lacks, or a value of another type than
 * described, fails the build. Also the error bodies of 400, 401 and 404.
 */
class OpenApiConformanceIT {
  private static final String TENANT = TaskFixtures.TENANT;
  private static final String ORG = "/api/orgs/" + TENANT;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final OpenApiSchemas schemas = new OpenApiSchemas();
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static ApiClient api;
  private static String workflow;
  private static UUID task;

  @BeforeAll
  static void startServersAndData() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    api = new ApiClient(http.port(), null);

    workflow =
        api.post(
                ORG + "/workflow-executions",
                "{\"kind\":\"approval\",\"queue\":\"conf\",\"input\":{\"order\":1},"
                    + "\"metadata\":{\"team\":\"ops\"}}")
            .json()
            .path("id")
            .asText();
    Commands.claim(grpc.workflows(), TENANT, "conf", workflow);
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflow,
                List.of(
                    scheduleTask(UUID.randomUUID(), "charge"),
                    createPromise("approval"),
                    setState("stage", "\"waiting\"")),
                WorkflowStatus.SUSPENDED));
    PollTaskResponse polled = TaskFixtures.poll(grpc, "conf", "worker-1");
    assertTrue(polled.hasTask(), "the task was claimed");
    task = UUID.fromString(polled.getTask().getTaskExecutionId());
    Scope scope = Scope.tenant(TENANT);
    grpc.dispatch().logMessage(scope, task, "INFO", "charging").block(WAIT);
    grpc.dispatch().failTask(scope, task, "declined").block(WAIT);
    grpc.lifecycle()
        .registerWorker(
            WorkerRegistrationRequest.newBuilder()
                .setTenantId(TENANT)
                .setWorkerName("w")
                .setWorkerVersion("1")
                .setWorkerType("UNIFIED")
                .setHostName("h")
                .setProcessId("1")
                .addWorkflows(WorkflowCapability.newBuilder().setKind("approval"))
                .addTasks(TaskCapability.newBuilder().setKind("charge"))
                .build());
  }

  @AfterAll
  static void stopServers() {
    http.close();
    grpc.close();
    db.close();
  }

  private static List<String> problems(String operationId, ApiClient.Answer answer) {
    JsonNode schema = schemas.responseSchema(operationId, answer.status());
    if (schema == null || schema.isMissingNode()) {
      return List.of(
          operationId + " answered " + answer.status() + ", which the document does not describe");
    }
    List<String> found = new ArrayList<>();
    schemas
        .check(schema, answer.json())
        .forEach(problem -> found.add(operationId + " " + answer.status() + " " + problem));
    return found;
  }

  @Test
  void everyJsonRouteAnswersWhatTheDocumentDescribes() {
    Map<String, ApiClient.Answer> answers = new LinkedHashMap<>();
    String wf = ORG + "/workflow-executions/" + workflow;
    String tk = ORG + "/task-executions/" + task;
    answers.put("whoami", api.get("/api/whoami"));
    answers.put("getOrg", api.get(ORG));
    answers.put("listWorkflows", api.get(ORG + "/workflow-executions?limit=5"));
    answers.put("countWorkflows", api.get(ORG + "/workflow-executions/counts"));
    answers.put("getWorkflow", api.get(wf));
    answers.put("getWorkflowEvents", api.get(wf + "/events"));
    answers.put("listWorkflowTasks", api.get(wf + "/tasks"));
    answers.put("listWorkflowChildren", api.get(wf + "/children"));
    answers.put("getWorkflowState", api.get(wf + "/state"));
    answers.put("listTasks", api.get(ORG + "/task-executions"));
    answers.put("countTasks", api.get(ORG + "/task-executions/counts"));
    answers.put("getTask", api.get(tk));
    answers.put("listTaskAttempts", api.get(tk + "/attempts"));
    answers.put("listTaskLogs", api.get(tk + "/logs"));
    answers.put("getTaskState", api.get(tk + "/state"));
    answers.put("listQueues", api.get(ORG + "/queues"));
    answers.put("listWorkers", api.get(ORG + "/workers"));
    answers.put(
        "signalWorkflow", api.post(wf + "/signal", "{\"signalName\":\"s\",\"signalValue\":1}"));
    answers.put(
        "resolvePromise",
        api.post(ORG + "/promises/" + workflow + ":approval/resolve", "{\"value\":true}"));
    answers.put(
        "rejectPromise",
        api.post(ORG + "/promises/" + workflow + ":approval/reject", "{\"error\":\"no\"}"));
    answers.put(
        "signalWithStartWorkflow",
        api.post(
            ORG + "/workflow-executions/signal-with-start",
            "{\"workflowKind\":\"k\",\"workflowId\":\"key-1\",\"signalName\":\"s\"}"));
    answers.put("triggerWorkflow", api.post(ORG + "/workflow-executions", "{\"kind\":\"k2\"}"));

    List<String> found = new ArrayList<>();
    answers.forEach(
        (operation, answer) -> {
          if (answer.status() >= 300) {
            found.add(operation + " failed: " + answer.status() + " " + answer.raw().body());
          } else {
            found.addAll(problems(operation, answer));
          }
        });
    assertTrue(found.isEmpty(), String.join("\n", found));
    // the data behind the answers is there, so the checks above looked at real items
    assertFalse(answers.get("listWorkflows").json().path("workflows").isEmpty());
    assertFalse(answers.get("listTaskAttempts").json().path("attempts").isEmpty());
    assertFalse(answers.get("listWorkers").json().path("workers").isEmpty());
    assertFalse(answers.get("getWorkflow").json().path("promises").isEmpty());
  }

  @Test
  void errorsAreTheDocumentedErrorBody() {
    List<String> found = new ArrayList<>();
    found.addAll(problems("listWorkflows", api.get(ORG + "/workflow-executions?limit=0")));
    found.addAll(
        problems("getWorkflow", api.get(ORG + "/workflow-executions/" + UUID.randomUUID())));
    assertTrue(found.isEmpty(), String.join("\n", found));
    assertEquals(400, api.get(ORG + "/workflow-executions?limit=0").status());
  }
}
