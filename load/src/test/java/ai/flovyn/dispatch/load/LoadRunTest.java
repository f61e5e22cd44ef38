package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoadRunTest {
  private FakeDispatchServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = new FakeDispatchServer();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void unaryRunMakesExactlyTotalCallsAndCountsTheirTasks() throws Exception {
    LoadConfig config = TestConfigs.read("submit.json").withHost(server.host());

    LoadReport report = LoadRun.run(config);

    assertEquals(50, server.submitCalls.get());
    assertEquals(50, report.count());
    assertEquals(Map.of("OK", 50L), report.statusCodeDistribution());
    assertEquals(Map.of(), report.errorDistribution());
    assertEquals(100, report.tasks());
    assertTrue(report.tasksPerSecond() > 0);
    Set<String> taskIds = new HashSet<>(server.taskExecutionIds);
    assertEquals(100, taskIds.size(), "every ScheduleTask gets its own uuid");
    taskIds.forEach(UUID::fromString);
    Set<String> expectedNumbers =
        LongStream.range(0, 50).mapToObj(Long::toString).collect(Collectors.toSet());
    assertEquals(expectedNumbers, new HashSet<>(server.requestNumberHeaders));
    assertEquals(7, report.latencyDistribution().size());
    assertTrue(report.fastestNanos() > 0 && report.fastestNanos() <= report.slowestNanos());
  }

  @Test
  void streamRunSendsEveryMessageAndCountsFailedAcksByCode() throws Exception {
    LoadConfig config = TestConfigs.read("stream.json").withHost(server.host());

    LoadReport report = LoadRun.run(config);

    assertEquals(4, server.streams.get());
    assertEquals(12, server.batches.get());
    assertEquals(4, report.count());
    assertEquals(Map.of("OK", 4L), report.statusCodeDistribution());
    assertEquals(12, report.acks());
    assertEquals(Map.of("OK", 8L, "InvalidArgument", 4L), report.ackCodeDistribution());
    assertEquals(
        Map.of("ack error: code = InvalidArgument desc = rejected batch", 4L),
        report.errorDistribution());
    assertEquals(12, report.tasks(), "3 tasks in the two accepted batches of each stream");
    assertEquals(16, new HashSet<>(server.taskExecutionIds).size());
  }

  @Test
  void streamCallCountRepeatsASingleMessage() throws Exception {
    LoadConfig config =
        TestConfigs.read("stream.json")
            .withHost(server.host())
            .withData("{\"request_id\":\"{{newUUID}}\",\"batch\":{\"commands\":[]}}")
            .withStreamCallCount(3)
            .withTotal(2);

    LoadReport report = LoadRun.run(config);

    assertEquals(6, server.batches.get());
    assertEquals(Map.of("OK", 6L), report.ackCodeDistribution());
    assertEquals(0, report.tasks());
  }

  @Test
  void durationRunStopsByItself() throws Exception {
    LoadConfig config =
        TestConfigs.read("submit.json")
            .withHost(server.host())
            .withTotal(0)
            .withConcurrency(2)
            .withConnections(1)
            .withDuration(Duration.ofMillis(300));

    LoadReport report = LoadRun.run(config);

    assertTrue(report.count() > 0);
    assertEquals(report.count(), server.submitCalls.get());
    assertTrue(report.totalNanos() < Duration.ofSeconds(10).toNanos());
  }

  @Test
  void rpsLimitsTheCallRate() throws Exception {
    LoadConfig config =
        TestConfigs.read("submit.json").withHost(server.host()).withTotal(6).withRps(20);

    LoadReport report = LoadRun.run(config);

    assertEquals(6, report.count());
    assertTrue(report.totalNanos() >= Duration.ofMillis(240).toNanos(), report.summary());
  }

  @Test
  void unreachableServerIsReportedAsUnavailableCalls() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    LoadConfig config =
        TestConfigs.read("submit.json")
            .withHost("127.0.0.1:" + closedPort)
            .withTotal(3)
            .withConnectTimeout(Duration.ofSeconds(2));

    LoadReport report = LoadRun.run(config);

    assertEquals(3, report.count());
    assertEquals(Map.of("Unavailable", 3L), report.statusCodeDistribution());
    assertEquals(0, report.tasks());
    assertTrue(report.summary().contains("[Unavailable]"), report.summary());
  }

  @Test
  void configErrorsSurfaceBeforeAnyCall() throws Exception {
    LoadConfig unknownCall = TestConfigs.read("unknown-call.json").withHost(server.host());
    LoadConfigException call =
        assertThrows(LoadConfigException.class, () -> LoadRun.run(unknownCall));
    assertTrue(call.getMessage().contains("SubmitWorkflowCommandz"), call.getMessage());

    LoadConfig badField = TestConfigs.read("bad-field.json").withHost(server.host());
    LoadConfigException field =
        assertThrows(LoadConfigException.class, () -> LoadRun.run(badField));
    assertTrue(field.getMessage().contains("comands"), field.getMessage());

    LoadConfig remote = TestConfigs.read("submit.json").withHost("192.0.2.7:9090");
    assertThrows(LoadConfigException.class, () -> LoadRun.run(remote));
    assertEquals(0, server.submitCalls.get());
  }
}
