package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

/** The dispatch server jar run as a child process, with what /proc and /metrics say about it. */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final List<String> command;
  private final int grpcPort;
  private final int metricsPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServerProcess(Process process, List<String> command, int grpcPort, int metricsPort) {
    this.process = process;
    this.command = command;
    this.grpcPort = grpcPort;
    this.metricsPort = metricsPort;
  }

  /** Starts {@code java -jar jar} against {@code jdbcUrl}, output appended to {@code log}. */
  static ServerProcess start(
      Path jar, String jdbcUrl, String user, int poolSize, int grpcPort, int metricsPort, Path log)
      throws IOException {
    return start(jar, jdbcUrl, user, poolSize, grpcPort, metricsPort, log, List.of());
  }

  /** {@link #start} with extra JVM options before {@code -jar} (e.g. a flight recording). */
  static ServerProcess start(
      Path jar,
      String jdbcUrl,
      String user,
      int poolSize,
      int grpcPort,
      int metricsPort,
      Path log,
      List<String> jvmOptions)
      throws IOException {
    return start(jar, jdbcUrl, user, poolSize, grpcPort, metricsPort, log, jvmOptions, Map.of());
  }

  /** {@link #start} with extra environment variables of the server (e.g. its OTEL_* settings). */
  static ServerProcess start(
      Path jar,
      String jdbcUrl,
      String user,
      int poolSize,
      int grpcPort,
      int metricsPort,
      Path log,
      List<String> jvmOptions,
      Map<String, String> environment)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the heap target of the benchmark: the server must hold its maximum load within 256 MiB
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.add("--db-url=" + jdbcUrl);
    command.add("--db-user=" + user);
    command.add("--db-pool-size=" + poolSize);
    command.add("--grpc-port=" + grpcPort);
    command.add("--http-port=" + metricsPort);
    // the benchmark's clients send no tokens; the server stays on loopback with auth off
    command.add("--auth=off");
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new ServerProcess(process, List.copyOf(command), grpcPort, metricsPort);
  }

  String host() {
    return "127.0.0.1:" + grpcPort;
  }

  long pid() {
    return process.pid();
  }

  List<String> command() {
    return command;
  }

  /** Waits until a StartWorkflow succeeds; false when the process died or time ran out. */
  boolean awaitReady(ManagedChannel channel, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        WorkflowDispatchGrpc.newBlockingStub(channel)
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .startWorkflow(
                StartWorkflowRequest.newBuilder()
                    .setTenantId("bench-probe")
                    .setWorkflowKind("probe")
                    .setQueue("probe")
                    .build());
        return true;
      } catch (StatusRuntimeException e) {
        Thread.sleep(250);
      }
    }
    return false;
  }

  /**
   * utime + stime of the JVM's JIT compiler threads (C1 and C2) in seconds, from /proc/PID/task;
   * NaN when unreadable. Code first run in a phase is compiled while that phase runs: this is the
   * share of the server's CPU that is compilation rather than work.
   */
  double compilerCpuSeconds() {
    return ProcStat.compilerCpuSeconds(pid());
  }

  /**
   * Waits, while the caller's load runs, until the JIT has settled: {@code minSeconds} at least,
   * then until the compiler threads used under 5% of a core in each of two consecutive seconds, or
   * {@code maxSeconds} in all. Returns the seconds waited. Without /proc, waits {@code minSeconds}.
   */
  double awaitJitSettled(double minSeconds, double maxSeconds) throws InterruptedException {
    long start = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep((long) (minSeconds * 1000));
    int quiet = 0;
    double last = compilerCpuSeconds();
    while (quiet < 2 && !Double.isNaN(last) && (System.nanoTime() - start) / 1e9 < maxSeconds) {
      TimeUnit.SECONDS.sleep(1);
      double now = compilerCpuSeconds();
      quiet = now - last < 0.05 ? quiet + 1 : 0;
      last = now;
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** One unmeasured round of load on the server. */
  interface Round {
    void run() throws InterruptedException;
  }

  /** How a warm-up ended: rounds run, and the compiler's share of a core in the last one. */
  record Warmed(int rounds, double lastCompilerPercent) {}

  /**
   * Runs {@code round} (about {@code roundSeconds} long) until the JIT compiler threads used under
   * 5% of a core in one, or {@code maxRounds} ran. Without /proc, one round.
   */
  Warmed warmUntilJitSettled(Round round, double roundSeconds, int maxRounds)
      throws InterruptedException {
    for (int i = 1; ; i++) {
      double before = compilerCpuSeconds();
      round.run();
      double share = (compilerCpuSeconds() - before) / roundSeconds;
      if (Double.isNaN(share) || share < 0.05 || i >= maxRounds) {
        return new Warmed(i, 100 * share);
      }
    }
  }

  /** utime + stime of the process in seconds, from /proc/PID/stat; NaN when unreadable. */
  double cpuSeconds() {
    return ProcStat.cpuSeconds(pid());
  }

  /** VmRSS in bytes from /proc/PID/status; -1 when unreadable. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // reported as unknown
    }
    return -1;
  }

  /** The sum of jvm_memory_used_bytes{area="heap"} from the metrics endpoint; -1 if unknown. */
  long heapBytes() {
    return PrometheusText.sum(metricsText(), "jvm_memory_used_bytes", "area=\"heap\"");
  }

  /** The sum of every sample of {@code metric} on the metrics endpoint; -1 if unknown. */
  long metricSum(String metric) {
    return PrometheusText.sum(metricsText(), metric);
  }

  /** What the metrics endpoint answers now, in the Prometheus text format; "" if it does not. */
  String metricsText() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** SIGTERM, then SIGKILL when it has not ended within {@code grace}. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
