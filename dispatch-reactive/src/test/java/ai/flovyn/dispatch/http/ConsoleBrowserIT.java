package ai.flovyn.dispatch.http;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.FailWorkflowCommand;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser (headless Chromium) against the real HTTP port: sign-in with a
 * token or, with authentication off, an organization; the workflow list's filters in the URL; a
 * workflow's history, promises and cancel; bulk cancel; and stored payloads that look like markup
 * shown as text. Each page is saved as a PNG under {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = TaskFixtures.TENANT;
  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final int LONG_HISTORY = 10_000;

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static ActiveTokens activeTokens;
  private static HttpPort http;
  private static HttpPort httpWithoutAuth;
  private static IssuedToken token;
  private static Path profile;
  private static ChromeDriverService service;
  private static ChromeDriver browser;

  private static String withPromise;
  private static String toCancel;
  private static String withMarkup;
  private static String failed;
  private static String longHistory;
  private static UUID failedTask;
  private static String workerId;
  private static final List<String> bulk = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "browser tests skipped: /usr/bin/chromium (and /usr/bin/chromedriver) are not installed;"
            + " install Debian's chromium and chromium-driver to run them");
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    token =
        Tokens.over(db.connectionFactory()).create(TENANT, TokenRole.ADMIN, "console").block(WAIT);
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    http =
        HttpPort.start(
            HttpPort.Settings.local(grpc.registry(), grpc.dispatch()).withTokens(activeTokens));
    httpWithoutAuth = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    createData();

    Files.createDirectories(SCREENSHOTS);
    profile = Files.createTempDirectory("console-chromium-");
    // both paths given explicitly, so that Selenium Manager never looks for (or downloads) one
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (httpWithoutAuth != null) {
      httpWithoutAuth.close();
    }
    if (http != null) {
      http.close();
    }
    if (activeTokens != null) {
      activeTokens.close();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (db != null) {
      db.close();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /**
   * Workflows to look at: four "order-workflow"s on a bulk queue, an "invoice" one, one waiting on
   * a promise with a task that failed an attempt and logged, one failed, one whose input looks like
   * markup, one with a 10,000-event history, and a registered worker.
   */
  private static void createData() {
    for (int i = 0; i < 4; i++) {
      bulk.add(start("order-workflow", "bulk-q", "{\"n\":" + i + "}"));
    }
    start("invoice", "billing", "{\"amount\":12}");
    toCancel = start("refund", "billing", "{\"amount\":3}");
    withMarkup = start("order-workflow", "default", "\"" + XSS + "\"");

    String queue = "approvals";
    withPromise =
        Commands.startClaimed(grpc.workflows(), request("approval-flow", queue, "{\"order\":7}"));
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                withPromise,
                List.of(
                    scheduleTask(UUID.randomUUID(), "charge-card"),
                    createPromise("manager-approval"),
                    setState("stage", "\"awaiting approval\"")),
                WorkflowStatus.SUSPENDED));
    PollTaskResponse polled = TaskFixtures.poll(grpc, queue, "worker-console");
    assertTrue(polled.hasTask(), "the task was claimed");
    failedTask = UUID.fromString(polled.getTask().getTaskExecutionId());
    Scope scope = Scope.tenant(TENANT);
    grpc.dispatch().logMessage(scope, failedTask, "INFO", "charging " + XSS).block(WAIT);
    grpc.dispatch().failTask(scope, failedTask, "card declined").block(WAIT);

    failed = Commands.startClaimed(grpc.workflows(), request("payment", "payments", "{}"));
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                failed,
                List.of(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.FAIL_WORKFLOW)
                        .setFailWorkflow(
                            FailWorkflowCommand.newBuilder()
                                .setError("payment gateway timed out")
                                .setFailureType("ERROR"))
                        .build()),
                WorkflowStatus.FAILED));

    longHistory = start("import", "imports", "{}");
    db.execute(
        "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
            + " event_data) SELECT ?::uuid, g, CASE WHEN g % 100 = 0 THEN 'TASK_FAILED'"
            + " ELSE 'TASK_COMPLETED' END, '{\"n\":' || g || '}'"
            + " FROM generate_series(2, ?) g",
        longHistory, LONG_HISTORY);
    db.execute(
        "UPDATE workflow_executions SET current_sequence = ? WHERE id = ?::uuid",
        LONG_HISTORY,
        longHistory);

    workerId =
        grpc.lifecycle()
            .registerWorker(
                WorkerRegistrationRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setWorkerName("billing-worker")
                    .setWorkerVersion("1.4.2")
                    .setWorkerType("UNIFIED")
                    .setHostName("ip-10-0-3-17")
                    .setProcessId("4242")
                    .addWorkflows(WorkflowCapability.newBuilder().setKind("approval-flow"))
                    .addTasks(TaskCapability.newBuilder().setKind("charge-card"))
                    .build())
            .getWorkerId();
  }

  private static StartWorkflowRequest request(String kind, String queue, String input) {
    return StartWorkflowRequest.newBuilder()
        .setTenantId(TENANT)
        .setWorkflowKind(kind)
        .setQueue(queue)
        .setInput(ByteString.copyFromUtf8(input))
        .build();
  }

  private static String start(String kind, String queue, String input) {
    return grpc.workflows().startWorkflow(request(kind, queue, input)).getWorkflowExecutionId();
  }

  @BeforeEach
  void noDialogLeftOpen() {
    if (browser != null && browser.getCurrentUrl().startsWith("http")) {
      browser.executeScript("document.querySelectorAll('dialog').forEach(d => d.remove())");
    }
  }

  @Test
  @Order(1)
  void signingInWithATokenShowsTheTenantInTheHeader() throws Exception {
    browser.get(base() + "/console/");
    until(() -> present(By.id("token")), "the token form");
    screenshot("signin");
    type(By.id("token"), "fdt_not-a-real-token");
    click(By.cssSelector("#signin-form button[type=submit]"));
    until(
        () -> text(By.cssSelector("#signin-form .alert-error")).contains("not accepted"),
        "refusal");

    type(By.id("token"), token.text());
    click(By.cssSelector("#signin-form button[type=submit]"));
    until(() -> present(By.id("org-name")), "the header");
    assertTrue(text(By.id("org-name")).contains(TENANT), text(By.id("org-name")));
    assertTrue(
        browser.getCurrentUrl().contains("/console/orgs/" + TENANT), browser.getCurrentUrl());
    until(() -> present(By.cssSelector("#status-counts [data-status=FAILED]")), "the counts");
    until(
        () -> text(By.cssSelector("#status-counts [data-status=FAILED]")).contains("1"),
        "one failed workflow counted");
    until(() -> text(By.id("main")).contains("payment gateway timed out"), "recent failures");
    until(() -> text(By.id("main")).contains("billing-worker"), "the worker online");
    screenshot("overview");
    assertNull(sessionToken("localStorage"), "the token is not kept beyond the tab");
    assertEquals(token.text(), sessionTokenOf(), "the tab keeps the token");
  }

  @Test
  @Order(2)
  void theWorkflowListFiltersByKindAndItsUrlReproducesTheView() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows");
    until(() -> rows().size() >= 9, "every workflow listed");
    type(By.id("f-kind"), "order-workflow");
    click(By.id("apply-filters"));
    until(() -> browser.getCurrentUrl().contains("kind=order-workflow"), "the filter in the URL");
    until(() -> rows().size() == 5, "the five order workflows");
    for (WebElement row : rows()) {
      assertTrue(row.getText().contains("order-workflow"), row.getText());
    }
    until(
        () -> text(By.cssSelector(".tabs [data-tab=PENDING] .tab-count")).equals("5"),
        "the pending tab counts the filtered ones");
    screenshot("workflows");

    String filtered = browser.getCurrentUrl();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows");
    until(() -> rows().size() >= 9, "the unfiltered list");
    browser.get(filtered);
    until(() -> rows().size() == 5, "the link reproduces the filtered view");
    assertEquals("order-workflow", browser.findElement(By.id("f-kind")).getAttribute("value"));

    // keyset paging: Next follows nextCursor, Previous returns to the page before
    browser.get(filtered + "&limit=2");
    until(() -> rows().size() == 2, "a page of two");
    List<String> first = rowIds();
    click(By.id("page-next"));
    until(() -> browser.getCurrentUrl().contains("cursor="), "the cursor in the URL");
    until(() -> rows().size() == 2 && !rowIds().equals(first), "the second page");
    List<String> second = rowIds();
    click(By.id("page-next"));
    until(() -> rows().size() == 1, "the last page");
    assertFalse(browser.findElement(By.id("page-next")).isEnabled(), "nothing after the last");
    click(By.id("page-prev"));
    until(() -> rowIds().equals(second), "back on the second page");
    click(By.id("page-prev"));
    until(() -> rowIds().equals(first), "back on the first page");

    click(By.cssSelector(".tabs [data-tab=FAILED]"));
    until(() -> browser.getCurrentUrl().contains("status=FAILED"), "the status in the URL");
    until(() -> text(By.id("main")).contains("No workflow matches"), "no failed order workflow");
  }

  @Test
  @Order(3)
  void aWorkflowOpensFromTheListAndItsHistoryIsReadAsATimeline() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows?kind=approval-flow");
    until(() -> rows().size() == 1, "the approval workflow");
    rows().get(0).findElement(By.cssSelector("a")).click();
    until(() -> present(By.id("workflow-id")), "the workflow page");
    assertEquals(withPromise, text(By.id("workflow-id")));
    until(() -> text(By.id("workflow-input")).contains("\"order\": 7"), "the input as JSON");
    screenshot("workflow");

    click(By.cssSelector(".tabs [data-tab=history]"));
    until(() -> events().size() >= 3, "the history");
    List<String> types = eventTypes();
    assertEquals("WORKFLOW_STARTED", types.get(0), types.toString());
    assertTrue(types.contains("PROMISE_CREATED"), types.toString());
    assertTrue(types.contains("TASK_SCHEDULED"), types.toString());
    // an event's data opens as formatted JSON
    events().get(0).findElement(By.cssSelector("summary")).click();
    until(() -> present(By.cssSelector("#history details[open] pre.json")), "the event's data");
    screenshot("history");

    new Select(browser.findElement(By.id("event-type"))).selectByValue("PROMISE_CREATED");
    until(() -> browser.getCurrentUrl().contains("type=PROMISE_CREATED"), "the type in the URL");
    until(() -> eventTypes().equals(List.of("PROMISE_CREATED")), "only the promise's creation");
  }

  @Test
  @Order(4)
  void aLongHistoryIsLoadedPageByPage() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows/" + longHistory + "?tab=history");
    until(() -> eventCount() == 200, "the first page");
    click(By.id("load-more"));
    until(() -> eventCount() == 400, "the second page");
    click(By.id("load-all"));
    until(() -> eventCount() == LONG_HISTORY, "every event");
    assertEquals(String.valueOf(LONG_HISTORY), lastEventSequence());
    click(By.id("failed-only"));
    until(() -> browser.getCurrentUrl().contains("failedOnly=true"), "the toggle in the URL");
    until(() -> events().size() == LONG_HISTORY / 100, "failure events only");
    assertTrue(eventTypes().stream().allMatch("TASK_FAILED"::equals));
  }

  @Test
  @Order(5)
  void aPendingPromiseIsResolvedWithAValue() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows/" + withPromise + "?tab=promises");
    until(
        () -> present(By.cssSelector("button[data-action=resolve]")),
        "the promise's Resolve button");
    click(By.cssSelector("button[data-action=resolve]"));
    until(() -> present(By.id("promise-value")), "the resolve dialog");
    type(By.id("promise-value"), "{\"approved\": true, \"by\": \"ops\"}");
    screenshot("promise-dialog");
    click(By.id("promise-dialog-confirm"));
    until(
        () -> text(By.id("main")).contains("RESOLVED") && !present(By.id("promise-dialog")),
        "the promise shown resolved");
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM promises WHERE workflow_execution_id = ?::uuid"
                + " AND status = 'RESOLVED' AND convert_from(value, 'UTF8')::jsonb"
                + " = '{\"approved\": true, \"by\": \"ops\"}'::jsonb",
            withPromise));
    screenshot("promises");
  }

  @Test
  @Order(6)
  void aSignalIsSentAndCancellingWaitsForConfirmation() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows/" + toCancel);
    until(() -> present(By.id("signal")), "the Signal button");
    click(By.id("signal"));
    until(() -> present(By.id("signal-name")), "the signal dialog");
    type(By.id("signal-name"), "refund-approved");
    type(By.id("signal-value"), "{\"by\": \"ops\"}");
    screenshot("signal-dialog");
    click(By.id("signal-dialog-confirm"));
    until(
        () ->
            db.scalar(
                    "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid"
                        + " AND event_type = 'SIGNAL_RECEIVED'",
                    toCancel)
                == 1,
        "the signal recorded");
    until(() -> !present(By.id("signal-dialog")), "the dialog closed");

    click(By.id("cancel"));
    until(() -> present(By.id("cancel-dialog")), "the confirmation");
    click(By.cssSelector("#cancel-dialog button[value=cancel]"));
    until(() -> !present(By.id("cancel-dialog")), "the dialog dismissed");
    assertEquals("PENDING", status(toCancel), "dismissing cancels nothing");

    click(By.id("cancel"));
    until(() -> present(By.id("cancel-reason")), "the confirmation again");
    type(By.id("cancel-reason"), "customer asked");
    screenshot("cancel-dialog");
    click(By.id("cancel-dialog-confirm"));
    until(() -> "CANCELLED".equals(status(toCancel)), "the workflow cancelled");
    until(
        () -> text(By.cssSelector(".page-header h1")).contains("CANCELLED"),
        "the page shows it cancelled");
    assertFalse(browser.findElement(By.id("cancel")).isEnabled(), "nothing more to cancel");
  }

  @Test
  @Order(7)
  void selectedWorkflowsAndAllMatchingOnesAreCancelledAfterConfirmingTheCount() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows?queue=bulk-q");
    until(() -> rows().size() == 4, "the bulk queue's workflows");
    String chosen = rows().get(0).getAttribute("data-id");
    click(By.cssSelector("input.row-select[data-id='" + chosen + "']"));
    until(() -> text(By.id("cancel-selected")).equals("Cancel selected (1)"), "one selected");
    click(By.id("cancel-selected"));
    until(() -> present(By.id("cancel-dialog-confirm")), "the confirmation");
    assertTrue(text(By.id("cancel-dialog")).contains("1 workflow will be cancelled"));
    click(By.id("cancel-dialog-confirm"));
    until(() -> "CANCELLED".equals(status(chosen)), "the selected workflow cancelled");
    assertEquals(3, bulk.stream().filter(id -> "PENDING".equals(status(id))).count());

    browser.get(base() + "/console/orgs/" + TENANT + "/workflows?queue=bulk-q&status=PENDING");
    until(() -> rows().size() == 3, "the pending ones");
    click(By.id("cancel-all"));
    until(() -> present(By.id("cancel-all-count")), "the confirmation with the count");
    assertTrue(
        text(By.id("cancel-all-count")).startsWith("3 workflows"), text(By.id("cancel-all-count")));
    screenshot("cancel-all-dialog");
    click(By.id("cancel-all-dialog-confirm"));
    until(() -> bulk.stream().allMatch(id -> "CANCELLED".equals(status(id))), "all four cancelled");
    until(() -> text(By.id("main")).contains("No workflow matches"), "none pending any more");
  }

  @Test
  @Order(8)
  void markupInAStoredPayloadIsShownAsTextAndNeverRun() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows/" + withMarkup);
    until(() -> text(By.id("workflow-input")).contains(XSS), "the input as literal text");
    assertNoInjectedMarkup();
    screenshot("markup-as-text");

    browser.get(base() + "/console/orgs/" + TENANT + "/tasks/" + failedTask);
    until(() -> text(By.id("task-logs")).contains("charging " + XSS), "the log line as text");
    assertNoInjectedMarkup();
    screenshot("task");
  }

  @Test
  @Order(9)
  void theOtherPagesShowTheirData() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows");
    until(() -> rows().size() >= 10, "every workflow");
    screenshot("workflows-all");
    browser.get(base() + "/console/orgs/" + TENANT + "/tasks");
    until(() -> text(By.id("main")).contains("charge-card"), "the task list");
    screenshot("tasks");
    browser.get(base() + "/console/orgs/" + TENANT + "/queues");
    until(() -> present(By.cssSelector("tr[data-queue=billing]")), "the queues");
    screenshot("queues");
    // online means heard from within a minute: the class's earlier steps may take longer
    grpc.lifecycle()
        .sendHeartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(workerId).build());
    browser.get(base() + "/console/orgs/" + TENANT + "/workers");
    until(() -> text(By.id("main")).contains("billing-worker"), "the worker");
    assertTrue(text(By.id("main")).contains("ONLINE"));
    screenshot("workers");
    assertTrue(browser.findElements(By.cssSelector(".alert-error")).isEmpty(), "no error shown");
  }

  @Test
  @Order(10)
  void theStartFormStartsAWorkflowAndOpensIt() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/start");
    until(() -> present(By.id("start-kind")), "the form");
    type(By.id("start-kind"), "welcome-email");
    type(By.id("start-queue"), "emails");
    type(By.id("start-input"), "{not json");
    screenshot("start");
    click(By.id("start-submit"));
    until(() -> text(By.id("start-form")).contains("input: not valid JSON"), "the JSON refused");

    type(By.id("start-input"), "{\"to\": \"ada@example.com\"}");
    type(By.id("start-key"), "welcome-ada");
    click(By.id("start-submit"));
    until(() -> present(By.id("workflow-id")), "the new workflow's page");
    String id = text(By.id("workflow-id"));
    assertEquals(
        1,
        db.scalar(
            "SELECT count(*) FROM workflow_executions WHERE id = ?::uuid"
                + " AND kind = 'welcome-email' AND queue = 'emails'",
            id));
  }

  @Test
  @Order(11)
  void anApiErrorIsShownAsItsMessage() throws Exception {
    signedIn();
    browser.get(base() + "/console/orgs/" + TENANT + "/workflows?query=kind%20%3D%3D");
    until(() -> present(By.cssSelector(".alert-error")), "the error");
    assertTrue(
        text(By.cssSelector(".alert-error")).startsWith("query"),
        text(By.cssSelector(".alert-error")));
  }

  @Test
  @Order(12)
  void aRefusedTokenGoesBackToSignInAndSignOutForgetsIt() throws Exception {
    signedIn();
    click(By.id("sign-out"));
    until(() -> present(By.id("token")), "the sign-in form");
    assertEquals(null, sessionTokenOf());

    signedIn();
    browser.executeScript(
        "const s = JSON.parse(sessionStorage.getItem('dispatch.console.session'));"
            + " s.token = 'fdt_revoked'; sessionStorage.setItem('dispatch.console.session',"
            + " JSON.stringify(s));");
    browser.get(base() + "/console/orgs/" + TENANT + "/queues");
    until(() -> present(By.id("token")), "back at sign-in after a 401");
  }

  @Test
  @Order(13)
  void withAuthenticationOffTheConsoleAsksForTheOrganization() throws Exception {
    String root = "http://127.0.0.1:" + httpWithoutAuth.port();
    browser.get(root + "/console/");
    until(() -> present(By.id("org")), "the organization form");
    screenshot("signin-organization");
    type(By.id("org"), TENANT);
    click(By.cssSelector("#org-form button[type=submit]"));
    until(() -> present(By.id("org-name")), "the header");
    assertTrue(text(By.id("org-name")).contains(TENANT));
    until(() -> present(By.cssSelector("#status-counts [data-status=PENDING]")), "the overview");

    // a shared link opens straight away when no token is needed
    browser.executeScript("sessionStorage.clear()");
    browser.get(root + "/console/orgs/" + TENANT + "/workflows?kind=invoice");
    until(() -> rows().size() == 1, "the linked view");
  }

  // ---- helpers

  private static String base() {
    return "http://127.0.0.1:" + http.port();
  }

  private static void signedIn() throws InterruptedException {
    if (token.text().equals(sessionTokenOf())) {
      return;
    }
    browser.get(base() + "/console/signin");
    until(() -> present(By.id("token")), "the token form");
    type(By.id("token"), token.text());
    click(By.cssSelector("#signin-form button[type=submit]"));
    until(() -> present(By.id("org-name")), "signed in");
  }

  private static String sessionTokenOf() {
    return sessionToken("sessionStorage");
  }

  private static String sessionToken(String storage) {
    if (!browser.getCurrentUrl().startsWith("http")) {
      return null;
    }
    Object value =
        browser.executeScript(
            "const s = JSON.parse("
                + storage
                + ".getItem('dispatch.console.session'));"
                + " return s ? s.token : null;");
    return value == null ? null : value.toString();
  }

  private static void assertNull(Object value, String message) {
    assertEquals(null, value, message);
  }

  private static void assertNoInjectedMarkup() {
    assertTrue(browser.findElements(By.tagName("img")).isEmpty(), "no <img> made from data");
    assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());
    Object onError =
        ((JavascriptExecutor) browser)
            .executeScript("return document.querySelectorAll('[onerror]').length");
    assertEquals(0L, onError);
  }

  private static String status(String workflowId) {
    return db.rows("SELECT status FROM workflow_executions WHERE id = ?::uuid", workflowId)
        .get(0)
        .get("status")
        .toString();
  }

  private static List<WebElement> rows() {
    return browser.findElements(By.cssSelector("#main table.grid tbody tr[data-id]"));
  }

  private static List<String> rowIds() {
    List<String> ids = new ArrayList<>();
    for (WebElement row : rows()) {
      ids.add(row.getAttribute("data-id"));
    }
    return ids;
  }

  private static List<WebElement> events() {
    return browser.findElements(By.cssSelector("#history li.timeline-item"));
  }

  /** How many events the timeline shows (counted in the page: thousands of rows). */
  private static long eventCount() {
    return (Long)
        browser.executeScript(
            "return document.querySelectorAll('#history li.timeline-item').length");
  }

  private static List<String> eventTypes() {
    List<String> types = new ArrayList<>();
    for (WebElement event : events()) {
      types.add(event.getAttribute("data-type"));
    }
    return types;
  }

  private static String lastEventSequence() {
    Object value =
        browser.executeScript(
            "const items = document.querySelectorAll('#history li.timeline-item');"
                + " return items[items.length - 1].dataset.sequence;");
    return String.valueOf(value);
  }

  private static boolean present(By by) {
    return !browser.findElements(by).isEmpty();
  }

  private static String text(By by) {
    List<WebElement> found = browser.findElements(by);
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  /** Clicks an element scrolled to the middle of the window, clear of the sticky header. */
  private static void click(By by) {
    WebElement element = browser.findElement(by);
    browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    element.click();
  }

  private static void type(By by, String value) {
    WebElement input = browser.findElement(by);
    input.clear();
    input.sendKeys(value);
  }

  /** Waits for a condition of the page; a node replaced while it is read counts as not yet. */
  private static void until(BooleanSupplier condition, String what) throws InterruptedException {
    Await.until(
        () -> {
          try {
            return condition.getAsBoolean();
          } catch (StaleElementReferenceException e) {
            return false;
          }
        },
        what);
  }

  private static void screenshot(String name) {
    try {
      File shot = browser.getScreenshotAs(OutputType.FILE);
      Files.copy(
          shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (WebDriverException e) {
      throw new AssertionError("screenshot " + name + " failed", e);
    }
  }
}
