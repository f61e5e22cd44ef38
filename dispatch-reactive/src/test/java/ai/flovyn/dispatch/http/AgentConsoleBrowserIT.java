package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TokenUsage;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console's Agents tab in a real browser (headless Chromium) against the real HTTP port,
 * authentication off: the list's state tabs and filters in the URL, an agent's entries,
 * checkpoints, tasks and signals, a signal that resumes it, its live data, and cancel. Each page is
 * saved as a PNG under {@code target/screenshots/agent-*.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentConsoleBrowserIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "agents-console";
  private static final Scope SCOPE = Scope.tenant(TENANT);

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static Dispatch dispatch;
  private static HttpPort http;
  private static Path profile;
  private static ChromeDriverService service;
  private static ChromeDriver browser;

  private static UUID waiting;
  private static UUID streaming;
  private static UUID doomed;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "browser tests skipped: /usr/bin/chromium (and /usr/bin/chromedriver) are not installed");
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    dispatch = grpc.dispatch();
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), dispatch));
    createData();

    Files.createDirectories(SCREENSHOTS);
    profile = Files.createTempDirectory("agent-console-chromium-");
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
    if (http != null) {
      http.close();
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
   * Three PENDING "planner"s on queue "chat"; a "support-agent" that appended two entries, took a
   * checkpoint, scheduled a task, consumed a signal and now waits for "approve"; one FAILED; one
   * COMPLETED; and a RUNNING "streamer" to watch live.
   */
  private static void createData() {
    for (int i = 0; i < 3; i++) {
      create("planner", "chat", "{\"topic\":" + i + "}");
    }
    waiting = create("support-agent", "support", "{\"ticket\":\"T-1042\"}");
    claim("support");
    entry(waiting, "message", "user", "{\"text\":\"My invoice is wrong\"}");
    entry(waiting, "message", "assistant", "{\"text\":\"Let me look it up.\"}");
    dispatch
        .agents()
        .submitCheckpoint(
            SCOPE,
            waiting,
            null,
            bytes("{\"turns\":2,\"summary\":\"invoice dispute\"}"),
            new TokenUsage(120, 45, null, null))
        .block(WAIT);
    dispatch
        .agents()
        .scheduleTask(
            SCOPE,
            new ScheduleAgentTask(
                waiting, "lookup-invoice", bytes("{\"id\":\"INV-7\"}"), null, null, null, "k1"))
        .block(WAIT);
    dispatch.signalAgent(SCOPE, waiting, "context", bytes("{\"plan\":\"pro\"}")).block(WAIT);
    dispatch.agents().consumeSignals(SCOPE, waiting, "context", null).block(WAIT);
    dispatch
        .agents()
        .suspend(SCOPE, waiting, new AgentWait(AgentWait.Kind.SIGNAL, "approve", null, "refund"))
        .block(WAIT);

    UUID failing = create("crasher", "ops", "{}");
    claim("ops");
    dispatch
        .agents()
        .fail(SCOPE, failing, "the model refused: all tools failed", null, null)
        .block(WAIT);
    UUID done = create("summarizer", "ops", "{}");
    claim("ops");
    dispatch
        .agents()
        .complete(SCOPE, done, bytes("{\"response\":\"3 bullet points\"}"))
        .block(WAIT);

    streaming = create("streamer", "live", "{}");
    claim("live");
    doomed = create("sleeper", "idle", "{}");
  }

  private static UUID create(String kind, String queue, String input) {
    return dispatch
        .createAgent(
            SCOPE, StartAgent.builder(TENANT, kind).queue(queue).input(bytes(input)).build())
        .block(WAIT)
        .id();
  }

  private static void claim(String queue) {
    AgentExecution claimed =
        dispatch
            .pollAgent(SCOPE, TENANT, queue, List.of(), null, "worker-7", Duration.ofSeconds(5))
            .block(WAIT);
    assertNotNull(claimed, "claimed on " + queue);
  }

  private static void entry(UUID agent, String type, String role, String content) {
    dispatch
        .agents()
        .appendEntry(
            SCOPE, new NewAgentEntry(agent, null, type, role, bytes(content), "turn-1", null, null))
        .block(WAIT);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void theListShowsAgentsByStateAndItsFiltersLiveInTheUrl() throws Exception {
    browser.get(base() + "/agents");
    until(() -> rows().size() == 8, "every agent listed");
    until(
        () -> text(By.cssSelector(".tabs [data-tab=PENDING] .tab-count")).equals("4"),
        "the pending tab's count");
    assertEquals("1", text(By.cssSelector(".tabs [data-tab=WAITING] .tab-count")));
    assertEquals("1", text(By.cssSelector(".tabs [data-tab=FAILED] .tab-count")));
    screenshot("agent-list");

    type(By.id("f-kind"), "planner");
    click(By.id("apply-filters"));
    until(() -> browser.getCurrentUrl().contains("kind=planner"), "the filter in the URL");
    until(() -> rows().size() == 3, "the three planners");
    for (WebElement row : rows()) {
      assertTrue(row.getText().contains("planner"), row.getText());
    }
    click(By.cssSelector(".tabs [data-tab=FAILED]"));
    until(() -> browser.getCurrentUrl().contains("status=FAILED"), "the state in the URL");
    until(
        () -> rows().isEmpty() || text(By.cssSelector("#main td.empty")).contains("No agent"),
        "no failed planner");
    browser.get(base() + "/agents?status=FAILED");
    until(() -> rows().size() == 1, "the failed agent by link");
    assertTrue(rows().get(0).getText().contains("all tools failed"), rows().get(0).getText());
    screenshot("agent-list-failed");
  }

  @Test
  @Order(2)
  void anAgentShowsItsEntriesCheckpointsTasksAndSignals() throws Exception {
    String page = base() + "/agents/" + waiting;
    browser.get(page);
    until(() -> present(By.id("agent-input")), "the summary");
    assertTrue(text(By.cssSelector(".page-header h1")).contains("WAITING"));
    assertTrue(text(By.id("agent-input")).contains("T-1042"));
    screenshot("agent-detail");

    browser.get(page + "?tab=entries");
    until(() -> tableRows("#agent-entries").size() == 2, "two entries");
    assertTrue(text(By.id("agent-entries")).contains("assistant"));
    screenshot("agent-entries");

    browser.get(page + "?tab=checkpoints");
    until(() -> tableRows("#agent-checkpoints").size() == 1, "one checkpoint");
    assertTrue(text(By.id("agent-checkpoints")).contains("invoice dispute"));
    assertTrue(text(By.id("agent-checkpoints")).contains("120 in"));
    screenshot("agent-checkpoints");

    browser.get(page + "?tab=tasks");
    until(() -> tableRows("#agent-tasks").size() == 1, "one task");
    assertTrue(text(By.id("agent-tasks")).contains("lookup-invoice"));
    screenshot("agent-tasks");

    browser.get(page + "?tab=signals");
    until(() -> tableRows("#agent-signals").size() == 1, "one signal");
    assertTrue(text(By.id("agent-signals")).contains("CONSUMED"));
    screenshot("agent-signals");
  }

  @Test
  @Order(3)
  void aSignalFromTheConsoleResumesTheWaitingAgent() throws Exception {
    browser.get(base() + "/agents/" + waiting + "?tab=signals");
    until(() -> present(By.id("signal")), "the Signal button");
    click(By.id("signal"));
    until(() -> present(By.id("signal-name")), "the signal dialog");
    type(By.id("signal-name"), "approve");
    type(By.id("signal-value"), "{\"refund\": 42}");
    screenshot("agent-signal-dialog");
    click(By.id("signal-dialog-confirm"));
    until(() -> "PENDING".equals(status(waiting)), "the agent resumed");
    until(() -> !present(By.id("signal-dialog")), "the dialog closed");
    until(
        () -> text(By.cssSelector(".page-header h1")).contains("PENDING"),
        "the page shows it PENDING");
    until(() -> tableRows("#agent-signals").size() == 2, "the new signal listed");
    assertTrue(text(By.id("agent-signals")).contains("QUEUED"));
  }

  @Test
  @Order(4)
  void theLiveTabShowsWhatTheWorkerStreamsUntilTheAgentFinishes() throws Exception {
    browser.get(base() + "/agents/" + streaming + "?tab=live");
    until(() -> text(By.id("live-events")).contains("RUNNING"), "the first status event");
    for (String token : List.of("Hello", ", ", "world")) {
      dispatch
          .agents()
          .streamData(SCOPE, new AgentData(streaming, 0, 1, "{\"token\":\"" + token + "\"}", now()))
          .block(WAIT);
    }
    dispatch
        .agents()
        .streamData(
            SCOPE, new AgentData(streaming, 1, 5, "{\"tool\":\"search\",\"args\":{}}", now()))
        .block(WAIT);
    until(() -> text(By.id("live-text")).equals("Hello, world"), "the tokens joined");
    until(() -> text(By.id("live-events")).contains("tool_start"), "the tool call");
    screenshot("agent-live");
    dispatch
        .agents()
        .complete(SCOPE, streaming, bytes("{\"response\":\"Hello, world\"}"))
        .block(WAIT);
    until(() -> text(By.id("live-state")).contains("finished"), "the stream ended");
    assertTrue(text(By.id("live-events")).contains("COMPLETED"));
    until(
        () -> text(By.cssSelector(".page-header h1")).contains("COMPLETED"),
        "the header follows the stream");
    screenshot("agent-live-finished");
  }

  @Test
  @Order(5)
  void cancellingAnAgentWaitsForConfirmation() throws Exception {
    browser.get(base() + "/agents/" + doomed);
    until(() -> present(By.id("cancel")), "the Cancel button");
    click(By.id("cancel"));
    until(() -> present(By.id("cancel-reason")), "the confirmation");
    type(By.id("cancel-reason"), "not needed");
    click(By.id("cancel-dialog-confirm"));
    until(() -> "CANCELLED".equals(status(doomed)), "the agent cancelled");
    until(
        () -> text(By.cssSelector(".page-header h1")).contains("CANCELLED"),
        "the page shows it cancelled");
    assertFalse(browser.findElement(By.id("cancel")).isEnabled(), "nothing more to cancel");
    until(() -> text(By.id("agent-error")).contains("not needed"), "the reason shown");
    screenshot("agent-cancelled");
  }

  // ---- helpers

  private static String base() {
    return "http://127.0.0.1:" + http.port() + "/console/orgs/" + TENANT;
  }

  private static String status(UUID agent) {
    return db.rows("SELECT status FROM agent_executions WHERE id = ?::uuid", agent.toString())
        .get(0)
        .get("status")
        .toString();
  }

  private static List<WebElement> rows() {
    return browser.findElements(By.cssSelector("#main table.grid tbody tr[data-id]"));
  }

  private static List<WebElement> tableRows(String host) {
    return browser.findElements(
        By.cssSelector(host + " table.grid tbody tr[data-" + dataOf(host) + "]"));
  }

  private static String dataOf(String host) {
    return switch (host) {
      case "#agent-entries" -> "entry";
      case "#agent-checkpoints" -> "sequence";
      case "#agent-tasks" -> "task";
      default -> "signal";
    };
  }

  private static boolean present(By by) {
    return !browser.findElements(by).isEmpty();
  }

  private static String text(By by) {
    List<WebElement> found = browser.findElements(by);
    return found.isEmpty() ? "" : found.get(0).getText();
  }

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
