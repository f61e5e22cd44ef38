package ai.flovyn.dispatch.server;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ read only metrics the server
 * exports: the real server is exercised until every metric they read has samples, then each name
 * their PromQL reads must be a sample name of its {@code /metrics} (so {@code _bucket}, {@code
 * _count}, {@code _sum} and {@code _total} are checked as Prometheus stores them). Renaming a
 * metric without the files fails here.
 */
class MonitoringFilesIT {
  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dispatch.json");
  private static final Path ALERTS = Path.of("..", "deploy", "prometheus", "alerts.yml");
  // what Prometheus records of every target by itself, not something the server exports
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");
  private static final String TENANT = "monitoring";

  @Test
  void everyMetricTheDashboardAndTheAlertsReadIsExported() throws Exception {
    Map<String, Set<String>> read = new TreeMap<>();
    dashboardExpressions().forEach(expr -> record(read, expr, "dispatch.json"));
    alertExpressions().forEach(expr -> record(read, expr, "alerts.yml"));
    assertTrue(
        read.keySet()
            .containsAll(
                Set.of(
                    "dispatch_command_batches_seconds_bucket",
                    "dispatch_queue_oldest_age_seconds",
                    "dispatch_listener_connected",
                    "dispatch_tenant_rejected_total")),
        "the files were read: " + read.keySet());

    try (TestDatabase db = TestDatabase.create()) {
      // waiting before the server starts: the backlog's first refresh, at start, shows it
      db.execute(
          "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key)"
              + " VALUES (?::uuid, ?, 'k', 'backlog', 'PENDING', now())",
          UUID.randomUUID().toString(),
          TENANT);
      DispatchServer server = RealServers.start(db, "--tenant-max-long-polls=1");
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        runWorkflows(channel);
        refuseASecondPoll(channel, server.httpPort());
        Await.until(
            () -> scrape(server.httpPort()).contains("dispatch_queue_oldest_age_seconds{"),
            "the backlog gauges");

        Set<String> exported = sampleNames(scrape(server.httpPort()));
        List<String> missing = new ArrayList<>();
        read.forEach(
            (name, files) -> {
              if (!exported.contains(name) && !PROMETHEUS_OWN.contains(name)) {
                missing.add(name + " (" + String.join(", ", files) + ")");
              }
            });
        assertEquals(List.of(), missing, "read by the dashboard or the alerts, not exported");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
      }
    }
  }

  /**
   * A workflow that runs a task (failed once, retried, completed) and completes; one that fails.
   */
  private static void runWorkflows(ManagedChannel channel) {
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows =
        WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    TaskExecutionGrpc.TaskExecutionBlockingStub tasks =
        TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    String completing = Commands.startClaimed(workflows, start(TENANT, "wf"));
    UUID taskId = UUID.randomUUID();
    workflows.submitWorkflowCommands(
        batch(
            completing,
            List.of(
                scheduleTask(
                    ScheduleTaskCommand.newBuilder()
                        .setTaskExecutionId(taskId.toString())
                        .setTaskType("step")
                        .setQueue("tasks")
                        .setMaxRetries(1))),
            WorkflowStatus.SUSPENDED));
    TaskExecutionInfo first = tasks.pollTask(pollTask("tasks")).getTask();
    tasks.failTask(
        FailTaskRequest.newBuilder()
            .setTaskExecutionId(first.getTaskExecutionId())
            .setError("transient")
            .build());
    TaskExecutionInfo retried = tasks.pollTask(pollTask("tasks")).getTask();
    assertEquals(2, retried.getExecutionCount(), "the retry");
    tasks.completeTask(
        CompleteTaskRequest.newBuilder()
            .setTaskExecutionId(retried.getTaskExecutionId())
            .setOutput(ByteString.copyFromUtf8("{}"))
            .build());
    Commands.claim(workflows, TENANT, "wf", completing);
    workflows.submitWorkflowCommands(
        batch(completing, List.of(Commands.completeWorkflow()), WorkflowStatus.COMPLETED));

    String failing = Commands.startClaimed(workflows, start(TENANT, "wf"));
    workflows.submitWorkflowCommands(
        batch(failing, List.of(Commands.failWorkflow("broken")), WorkflowStatus.FAILED));
  }

  /** The tenant may hold one long poll: a second is refused, and counted as a rejection. */
  private static void refuseASecondPoll(ManagedChannel channel, int httpPort) throws Exception {
    ListenableFuture<PollTaskResponse> waiting =
        TaskExecutionGrpc.newFutureStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .pollTask(pollTask("idle"));
    try {
      Await.until(
          () -> scrape(httpPort).contains("dispatch_polls_waiting 1.0"), "the first poll waiting");
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  TaskExecutionGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(30, TimeUnit.SECONDS)
                      .pollTask(pollTask("idle")));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    } finally {
      waiting.cancel(true);
    }
  }

  private static PollTaskRequest pollTask(String queue) {
    return PollTaskRequest.newBuilder()
        .setWorkerId("monitoring-worker")
        .setTenantId(TENANT)
        .setQueue(queue)
        .setTimeoutSeconds(20)
        .build();
  }

  private static void record(Map<String, Set<String>> read, String expr, String file) {
    PromQlNames.of(expr)
        .forEach(name -> read.computeIfAbsent(name, n -> new TreeSet<>()).add(file));
  }

  /** Every PromQL expression of the dashboard: its panels' targets and its template queries. */
  static List<String> dashboardExpressions() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> expressions = new ArrayList<>();
    for (JsonNode expr : dashboard.findValues("expr")) {
      expressions.add(expr.asText());
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        expressions.add(variable.path("definition").asText());
      }
    }
    assertTrue(expressions.size() > 10, "the dashboard's expressions: " + expressions);
    return expressions;
  }

  /** Every rule's expression of the alert rules file. */
  @SuppressWarnings("unchecked")
  static List<String> alertExpressions() throws IOException {
    Map<String, Object> rules;
    try (Reader reader = Files.newBufferedReader(ALERTS)) {
      rules = new Yaml().load(reader);
    }
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        expressions.add(String.valueOf(rule.get("expr")));
      }
    }
    assertTrue(expressions.size() >= 4, "the alert rules: " + expressions);
    return expressions;
  }

  /** The name of every sample on the page, as Prometheus stores it (with its suffix). */
  private static Set<String> sampleNames(String page) {
    Set<String> names = new TreeSet<>();
    for (String line : page.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  private static String scrape(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
