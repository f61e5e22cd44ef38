package ai.flovyn.dispatch.load;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What tracing costs the server (load/trace-bench.sh): the end-to-end loop ({@link EndToEnd}, 10
 * tasks per workflow) run twice on one database, the server jar started afresh each time, first
 * with tracing off (no OTLP endpoint: no SDK) and then on (every trace sampled, exported over
 * OTLP/gRPC to a receiver this process runs, which only counts what it gets). Prints the server's
 * CPU per task (utime + stime from /proc over the measured window) of each run and the difference.
 */
public final class TraceBench {
  static final String USAGE =
      """
      Usage: java -cp load-driver.jar ai.flovyn.dispatch.load.TraceBench --db-url JDBC [options]
        --seconds N        measured seconds per run (30)
        --warmup N         unmeasured seconds before each run (20)
        --in-flight N      workflows kept running (32)
        --workers N        workflow workers and task workers each (8)
        --quick            5 s warm-up, 5 s measured: proves the harness, measures nothing
        --out DIR          server logs (load/target/trace-bench)
        --server-jar PATH  default dispatch-reactive/target/dispatch-reactive-server.jar
      """;

  /** One run: its loop, the server's CPU per task and the spans the receiver got. */
  record Result(String tracing, EndToEnd.Phase phase, double serverMicrosPerTask, long spans) {}

  private TraceBench() {}

  public static void main(String[] args) throws Exception {
    String dbUrl = null;
    double seconds = 30;
    double warmup = 20;
    int inFlight = 32;
    int workers = 8;
    Path out = Path.of("load/target/trace-bench");
    Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--db-url" -> dbUrl = args[++i];
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--quick" -> {
          seconds = 5;
          warmup = 5;
        }
        case "--out" -> out = Path.of(args[++i]);
        case "--server-jar" -> jar = Path.of(args[++i]);
        default -> {
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    }
    if (dbUrl == null) {
      System.err.print(USAGE);
      System.exit(2);
    }
    Files.createDirectories(out);
    List<Result> results = new ArrayList<>();
    try (OtlpReceiver receiver = OtlpReceiver.start(false)) {
      results.add(
          run("off", Map.of(), jar, dbUrl, out, inFlight, workers, warmup, seconds, receiver));
      results.add(
          run(
              "on",
              Map.of(
                  "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                  "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                  "OTEL_TRACES_SAMPLER", "always_on"),
              jar,
              dbUrl,
              out,
              inFlight,
              workers,
              warmup,
              seconds,
              receiver));
    }
    System.out.println();
    System.out.println("| tracing | workflows/s | tasks | server CPU µs/task | spans received |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Result result : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f | %d | %.1f | %d |%n",
          result.tracing(),
          result.phase().workflowsPerSecond(),
          result.phase().tasksCompleted(),
          result.serverMicrosPerTask(),
          result.spans());
    }
    double off = results.get(0).serverMicrosPerTask();
    double on = results.get(1).serverMicrosPerTask();
    System.out.printf(
        Locale.ROOT,
        "%ntracing on costs %.1f µs of server CPU per task (%+.0f%%)%n",
        on - off,
        (on - off) / off * 100);
    System.exit(0);
  }

  private static Result run(
      String tracing,
      Map<String, String> environment,
      Path jar,
      String dbUrl,
      Path out,
      int inFlight,
      int workers,
      double warmup,
      double seconds,
      OtlpReceiver spans)
      throws Exception {
    int grpcPort = freePort();
    int httpPort = freePort();
    List<ManagedChannel> channels = new ArrayList<>();
    Path log = out.resolve("server-tracing-" + tracing + ".log");
    try (ServerProcess server =
        ServerProcess.start(
            jar, dbUrl, "postgres", 16, grpcPort, httpPort, log, List.of(), environment)) {
      for (int i = 0; i < 2; i++) {
        channels.add(Requests.channel(server.host()));
      }
      if (!server.awaitReady(channels.get(0), Duration.ofSeconds(120))) {
        throw new IOException("the server did not start; see " + log);
      }
      EndToEnd loop = new EndToEnd(channels, workers, workers);
      log("tracing %s: %.0f s warm-up", tracing, warmup);
      loop.run("warmup-" + tracing, null, inFlight, warmup);
      long spansBefore = spans.count();
      CpuCost.Reading before = CpuCost.Reading.now(server);
      EndToEnd.Phase phase = loop.run("tracing-" + tracing, null, inFlight, seconds);
      double cpu = CpuCost.Reading.now(server).serverSeconds() - before.serverSeconds();
      double perTask = cpu / Math.max(1, phase.tasksCompleted()) * 1e6;
      log(
          "tracing %s: %.1f workflows/s, %d tasks, %.1f µs server CPU per task",
          tracing, phase.workflowsPerSecond(), phase.tasksCompleted(), perTask);
      return new Result(tracing, phase, perTask, spans.count() - spansBefore);
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[trace-bench] " + format + "%n", args);
  }
}
