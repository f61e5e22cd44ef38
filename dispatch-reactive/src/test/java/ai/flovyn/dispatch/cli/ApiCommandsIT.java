package ai.flovyn.dispatch.cli;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.server.DispatchServer;
import ai.flovyn.dispatch.server.DispatchServerMain;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API verbs of the server jar's command line ({@code workflows}, {@code tasks}, {@code
 * workers}, {@code queues}) run as {@code java -jar} would run them: the main class in a child JVM
 * with the test class path (the jar is built only at the package phase, after these tests), against
 * the real server over a real database, authentication off (the org by slug) and required (the org
 * from the token).
 */
class ApiCommandsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "cli-" + UUID.randomUUID();
  private static final String SLUG = "cli-org";
  // short enough for a table cell (at most 40 characters)
  private static final String QUEUE = "cli-q-" + UUID.randomUUID().toString().substring(0, 8);

  private static TestDatabase db;
  private static DispatchServer server;
  private static DispatchServer secured;
  private static ManagedChannel channel;
  private static IssuedToken token;
  private static String running;
  private static String pending;
  private static String signalled;
  private static UUID task;
  private static String longHistory;

  @TempDir Path temp;

  /** What one run printed and returned. */
  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    Tokens tokens = Tokens.over(db.connectionFactory());
    tokens.setSlug(TENANT, SLUG).block(WAIT);
    token = tokens.create(TENANT, TokenRole.ADMIN, "cli").block(WAIT);
    // the claimed workflow must stay RUNNING however long the class takes on a busy machine
    server = RealServers.start(db, "--workflow-lease-seconds=86400");
    secured = RealServers.start(db, "--auth=required", "--workflow-lease-seconds=86400");
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows =
        WorkflowDispatchGrpc.newBlockingStub(channel);
    running = Commands.startClaimed(workflows, Commands.start(TENANT, QUEUE));
    task = UUID.randomUUID();
    workflows.submitWorkflowCommands(batch(running, List.of(scheduleTask(task, "charge-card"))));
    pending =
        workflows
            .startWorkflow(Commands.start(TENANT, "cli-other-" + UUID.randomUUID()))
            .getWorkflowExecutionId();
    signalled =
        workflows
            .startWorkflow(Commands.start(TENANT, "cli-other-" + UUID.randomUUID()))
            .getWorkflowExecutionId();
    longHistory =
        workflows
            .startWorkflow(Commands.start(TENANT, "cli-long-" + UUID.randomUUID()))
            .getWorkflowExecutionId();
    // more events than one page of the events route holds, written straight into the table
    db.execute(
        "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
            + " event_data) SELECT ?::uuid, g, 'TIMER_FIRED', '{\"n\":' || g || '}'"
            + " FROM generate_series(2, 2500) g",
        longHistory);
    db.execute(
        "UPDATE workflow_executions SET current_sequence = 2500 WHERE id = ?::uuid", longHistory);
    WorkerLifecycleGrpc.newBlockingStub(channel)
        .registerWorker(
            WorkerRegistrationRequest.newBuilder()
                .setWorkerName("cli-worker")
                .setWorkerVersion("1.2.3")
                .setWorkerType("TASK")
                .setTenantId(TENANT)
                .setHostName("cli-host")
                .setProcessId("7")
                .addTasks(TaskCapability.newBuilder().setKind("charge-card").setName("charge"))
                .build());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    secured.close();
    server.close();
    db.close();
  }

  @Test
  void workflowsListPrintsATableOfTheOrganizationsWorkflows() throws Exception {
    Run run = cli("workflows", "list", "--queue", QUEUE);
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.lines();
    assertTrue(lines.get(0).matches("ID\\s+KIND\\s+STATUS\\s+QUEUE\\s+CREATED.*"), lines.get(0));
    assertTrue(lines.get(1).startsWith(running + "  order-workflow"), lines.get(1));
    assertTrue(lines.get(1).contains("RUNNING"), lines.get(1));
    assertEquals("1 of 1 workflows", lines.get(2));
  }

  @Test
  void workflowsListWithJsonPrintsTheApisAnswer() throws Exception {
    Run run = cli("workflows", "list", "--status", "RUNNING,PENDING", "--limit", "50", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode page = JSON.readTree(run.out());
    assertEquals(50, page.path("limit").asInt());
    List<String> ids = new ArrayList<>();
    page.path("workflows").forEach(workflow -> ids.add(workflow.path("id").asText()));
    // not `pending`: the cancel test may have cancelled it already
    assertTrue(ids.containsAll(List.of(running, longHistory)), ids.toString());
    page.path("workflows")
        .forEach(
            workflow ->
                assertTrue(
                    List.of("RUNNING", "PENDING").contains(workflow.path("status").asText()),
                    workflow.toString()));
  }

  @Test
  void workflowsShowPrintsTheWorkflowAndItsHistory() throws Exception {
    Run run = cli("workflows", "show", running);
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.lines().get(0).matches("id:\\s+" + running), run.lines().get(0));
    assertTrue(run.out().contains("status:"), run.out());
    assertTrue(run.out().contains("input:"), run.out());
    assertTrue(run.lines().stream().anyMatch(line -> line.matches("SEQ\\s+TYPE\\s+TIME\\s+DATA")));
    assertTrue(run.out().contains("TASK_SCHEDULED"), run.out());

    Run json = cli("workflows", "show", running, "--json");
    assertEquals(0, json.exit(), json.err());
    JsonNode both = JSON.readTree(json.out());
    assertEquals(running, both.path("workflow").path("id").asText());
    assertTrue(both.path("events").size() >= 1, json.out());
  }

  @Test
  void workflowsShowReadsAHistoryLongerThanOnePage() throws Exception {
    Run json = cli("workflows", "show", longHistory, "--json");
    assertEquals(0, json.exit(), json.err());
    JsonNode events = JSON.readTree(json.out()).path("events");
    assertEquals(2500, events.size());
    assertEquals(1, events.get(0).path("sequence").asInt());
    assertEquals(2500, events.get(2499).path("sequence").asInt());
    Run table = cli("workflows", "show", longHistory);
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.lines().get(table.lines().size() - 1).startsWith("2500 "), table.out());
  }

  @Test
  void workflowsCancelCancelsThePendingWorkflow() throws Exception {
    Run run = cli("workflows", "cancel", pending, "--reason", "cli test");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith(pending + " CANCELLED"), run.out());
    assertEquals(
        "CANCELLED",
        db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", pending)
            .get(0)
            .get("status"));
  }

  @Test
  void workflowsSignalAppendsTheSignalWithItsValue() throws Exception {
    Run run = cli("workflows", "signal", signalled, "approved", "--value", "{\"by\":\"ops\"}");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith(signalled + " signalled approved"), run.out());
    assertEquals(
        1L,
        db.scalar(
            "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                + " AND event_type = 'SIGNAL_RECEIVED'",
            signalled));
  }

  @Test
  void workflowsStartCreatesAWorkflowOnceForItsIdempotencyKey() throws Exception {
    String key = "cli-key-" + UUID.randomUUID();
    String queue = "cli-start-" + UUID.randomUUID();
    Run first =
        cli(
            "workflows",
            "start",
            "checkout",
            "--input",
            "{\"order\":42}",
            "--queue",
            queue,
            "--idempotency-key",
            key,
            "--json");
    assertEquals(0, first.exit(), first.err());
    String id = JSON.readTree(first.out()).path("workflowExecutionId").asText();
    Run again = cli("workflows", "start", "checkout", "--queue", queue, "--idempotency-key", key);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().startsWith(id + " "), again.out());
    assertEquals(1L, db.scalar("SELECT count(*) FROM workflow_executions WHERE queue = ?", queue));
  }

  @Test
  void tasksListAndShowPrintTheWorkflowsTask() throws Exception {
    Run list = cli("tasks", "list", "--workflow", running);
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.lines().get(0).startsWith("ID"), list.out());
    assertTrue(list.lines().get(1).startsWith(task + "  charge-card"), list.out());
    Run show = cli("tasks", "show", task.toString());
    assertEquals(0, show.exit(), show.err());
    assertTrue(show.lines().get(0).matches("id:\\s+" + task), show.out());
    assertTrue(show.out().contains("charge-card"), show.out());
  }

  @Test
  void workersListShowsTheRegisteredWorker() throws Exception {
    Run run = cli("workers", "list");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.lines().get(0).matches("ID\\s+NAME\\s+TYPE.*"), run.out());
    assertTrue(
        run.lines().stream()
            .anyMatch(line -> line.contains("cli-worker") && line.contains("charge-card")),
        run.out());
  }

  @Test
  void queuesShowsTheQueuesWorkflowsByStatus() throws Exception {
    Run run = cli("queues");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.lines().get(0).matches("QUEUE\\s+WORKFLOWS\\s+TASKS.*"), run.out());
    assertTrue(
        run.lines().stream().anyMatch(line -> line.startsWith(QUEUE) && line.contains("RUNNING=1")),
        run.out());
  }

  @Test
  void usageErrorsExitTwoWithOneLine() throws Exception {
    List<List<String>> bad =
        List.of(
            List.of("workflows"),
            List.of("workflows", "signal", running),
            List.of("workflows", "signal", running, "go", "--value", "{not json"),
            List.of("workflows", "list", "--limit", "many"),
            List.of("workflows", "list", "--colour", "red"));
    for (List<String> args : bad) {
      Run run = cli(args.toArray(String[]::new));
      assertEquals(2, run.exit(), args + ": " + run.err());
      assertEquals(1, run.err().lines().count(), args + ": " + run.err());
      assertTrue(run.err().startsWith("dispatch: "), run.err());
      assertEquals("", run.out(), args.toString());
    }
    Run ftp = run(List.of("workflows", "list", "--server", "ftp://x", "--org", SLUG));
    assertEquals(2, ftp.exit(), ftp.err());
    assertTrue(ftp.err().startsWith("dispatch: --server must be an http"), ftp.err());
    Run noOrg = run(List.of("workflows", "list", "--server", server(server)));
    assertEquals(2, noOrg.exit(), noOrg.err());
    assertTrue(noOrg.err().contains("--org"), noOrg.err());
  }

  @Test
  void anUnknownWorkflowExitsOneWithTheApisMessage() throws Exception {
    Run run = cli("workflows", "show", UUID.randomUUID().toString());
    assertEquals(1, run.exit());
    assertEquals("", run.out());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().startsWith("dispatch: "), run.err());
    assertTrue(run.err().trim().endsWith("(HTTP 404)"), run.err());
  }

  @Test
  void withATokenTheOrganizationIsTheTokensAndAnotherOneIsNotFound() throws Exception {
    Run mine =
        run(
            List.of(
                "workflows",
                "show",
                running,
                "--server",
                server(secured),
                "--token",
                token.text()));
    assertEquals(0, mine.exit(), mine.err());
    assertTrue(mine.lines().get(0).endsWith(running), mine.out());
    Run theirs =
        run(
            List.of(
                "workflows",
                "show",
                running,
                "--server",
                server(secured),
                "--token",
                token.text(),
                "--org",
                "someone-else"));
    assertEquals(1, theirs.exit());
    assertTrue(theirs.err().contains("(HTTP 404)"), theirs.err());
  }

  @Test
  void anUnreachableServerExitsOne() throws Exception {
    Run run = run(List.of("queues", "--server", "http://127.0.0.1:1", "--org", SLUG));
    assertEquals(1, run.exit());
    assertTrue(run.err().startsWith("dispatch: cannot reach http://127.0.0.1:1"), run.err());
  }

  private static String server(DispatchServer which) {
    return "http://127.0.0.1:" + which.httpPort();
  }

  /** A verb against the server without authentication, its organization named by slug. */
  private Run cli(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", server(server), "--org", SLUG));
    return run(all);
  }

  private Run run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DispatchServerMain.class.getName());
    command.addAll(args);
    Path stdout = temp.resolve("stdout-" + UUID.randomUUID());
    Path stderr = temp.resolve("stderr-" + UUID.randomUUID());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("DISPATCH_"));
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the command did not exit within 60 s: " + args);
    }
    return new Run(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }
}
