package ai.flovyn.dispatch.load;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Profiles the server on one kind of call at a time (load/profile.sh): starts the server jar on a
 * given database, warms up each phase (--warmup, then until the server's JIT compiler settles), and
 * records it with JFR from before the warm-up ({@code jcmd JFR.start settings=...}), writing the
 * measured window next to the recording for load/jfr-top.py; prints the server's CPU per task over
 * that window.
 */
public final class Profile {
  static final String USAGE =
      """
      Usage: java -cp load-driver.jar ai.flovyn.dispatch.load.Profile --db-url JDBC [options]
        --phases submit-1,task-loop   what to record, in order (task-loop: PollTask + CompleteTask
                                      on queued tasks; submit-1: SubmitWorkflowCommands of one
                                      ScheduleTask, unary)
        --seconds N                   recorded seconds per phase (20)
        --warmup N                    unrecorded seconds before each phase (15)
        --workers N                   task workers / unary callers (8)
        --out DIR                     where PHASE.jfr and server.log go (load/target/profile)
        --server-jar PATH             default dispatch-reactive/target/dispatch-reactive-server.jar
        --jfc PATH                    JFR settings (default: the JDK's "profile")
      """;

  private Profile() {}

  public static void main(String[] args) throws Exception {
    String dbUrl = null;
    // submit-1 first: it needs the prepared workflows while their claims are fresh
    List<String> phases = List.of("submit-1", "task-loop");
    double seconds = 20;
    double warmup = 15;
    int workers = 8;
    Path out = Path.of("load/target/profile");
    Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
    String jfc = "profile";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--db-url" -> dbUrl = args[++i];
        case "--phases" -> phases = Arrays.asList(args[++i].split(","));
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--server-jar" -> jar = Path.of(args[++i]);
        case "--jfc" -> jfc = Path.of(args[++i]).toAbsolutePath().toString();
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
    int grpcPort = freePort();
    int metricsPort = freePort();
    List<ManagedChannel> channels = new ArrayList<>();
    try (ServerProcess server =
        ServerProcess.start(
            jar, dbUrl, "postgres", 16, grpcPort, metricsPort, out.resolve("server.log"))) {
      for (int i = 0; i < 2; i++) {
        channels.add(Requests.channel(server.host()));
      }
      if (!server.awaitReady(channels.get(0), Duration.ofSeconds(120))) {
        throw new IOException("the server did not start; see " + out.resolve("server.log"));
      }
      log("server pid %d", server.pid());
      Prepare.run(channels.get(0), 256, 0, System.out);
      for (String phase : phases) {
        Path jfr = out.resolve(phase + ".jfr").toAbsolutePath();
        switch (phase) {
          case "task-loop" -> taskLoop(server, channels, workers, warmup, seconds, jfr, jfc);
          case "submit-1" -> submitOne(server, channels, workers, warmup, seconds, jfr, jfc);
          default -> throw new IllegalArgumentException("unknown phase " + phase);
        }
      }
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  private static void taskLoop(
      ServerProcess server,
      List<ManagedChannel> channels,
      int workers,
      double warmup,
      double seconds,
      Path jfr,
      String jfc)
      throws Exception {
    TaskLoop loop = new TaskLoop(channels);
    TaskLoop.Queued queued =
        loop.queue((long) Math.ceil((warmup + MAX_EXTRA_WARMUP_SECONDS + seconds) * 1000));
    log(
        "task-loop: %d tasks queued; %.0f s warm-up, %.0f s recorded",
        queued.tasks(), warmup, seconds);
    Recording recording = Recording.start(server, jfc);
    LoopMeter meter =
        new LoopMeter(server) {
          @Override
          void open() {
            recording.windowOpens();
            super.open();
          }

          @Override
          void close() {
            super.close();
            recording.dumpWindow(jfr);
          }
        };
    TaskLoop.Counts counts =
        loop.run(
            queued,
            workers,
            () ->
                log(
                    "task-loop: warm-up %.0f s",
                    server.awaitJitSettled(warmup, warmup + MAX_EXTRA_WARMUP_SECONDS)),
            seconds,
            meter);
    LoopResult result =
        meter.result(LoopResult.TASK_ONLY, workers, counts.seconds(), counts.tasks(), "");
    log(
        "task-loop: %d tasks, %.0f tasks/s, server %.0f µs/task, PostgreSQL %.0f µs/task,"
            + " %s claim statements/task%s%s -> %s",
        counts.tasks(),
        result.tasksPerSecond(),
        result.serverMicrosPerTask(),
        result.postgresMicrosPerTask(),
        result.claimStatementsPerTask() == null
            ? "?"
            : String.format(Locale.ROOT, "%.2f", result.claimStatementsPerTask()),
        counts.ranDry() ? " (ran dry)" : "",
        counts.errors().isEmpty() ? "" : " errors " + counts.errors(),
        jfr);
  }

  private static void submitOne(
      ServerProcess server,
      List<ManagedChannel> channels,
      int workers,
      double warmup,
      double seconds,
      Path jfr,
      String jfc)
      throws Exception {
    List<String> workflows = new ArrayList<>();
    for (int w = 1; w <= 256; w++) {
      workflows.add(BenchIds.workflowId(w));
    }
    ServiceLoad service = new ServiceLoad(channels, workflows);
    log("submit-1: %.0f s warm-up, %.0f s recorded", warmup, seconds);
    Recording recording = Recording.start(server, jfc);
    service.unary(1, workers, warmup);
    ServerProcess.Warmed warmed =
        server.warmUntilJitSettled(
            () -> service.unary(1, workers, 5), 5, (int) (MAX_EXTRA_WARMUP_SECONDS / 5));
    log("submit-1: %d more warm-up round(s) of 5 s until the JIT settled", warmed.rounds());
    recording.windowOpens();
    CpuCost.Reading before = CpuCost.Reading.now(server);
    ThroughputResult run = service.unary(1, workers, seconds);
    CpuCost cost = CpuCost.of(run, before, server);
    recording.dumpWindow(jfr);
    log(
        "submit-1: %d calls, %.0f calls/s, server %.0f µs/call, PostgreSQL %.0f µs/call%s -> %s",
        run.tasks(),
        run.tasksPerSecond(),
        cost.serverMicrosPerTask(),
        cost.postgresMicrosPerTask(),
        run.errors().isEmpty() ? "" : " errors " + run.errors(),
        jfr);
  }

  static final double MAX_EXTRA_WARMUP_SECONDS = 60;

  /**
   * A JFR recording started before a phase's warm-up, with its measured window written next to it
   * (PHASE.window: two UTC instants) for load/jfr-top.py to keep only the window's events: starting
   * a recording makes the JIT recompile for a while (measured: the compiler threads busy for the
   * next 20 s, after a minute of warm-up), which a recording started at the window would count as
   * the server's CPU. JFR dumps whole chunks, so the file itself holds the warm-up too.
   */
  private static final class Recording {
    private final ServerProcess server;
    private Instant opened;

    private Recording(ServerProcess server) {
      this.server = server;
    }

    static Recording start(ServerProcess server, String jfc) {
      jcmd(server, "JFR.start", "name=profile", "settings=" + jfc);
      return new Recording(server);
    }

    void windowOpens() {
      opened = Instant.now();
    }

    void dumpWindow(Path jfr) {
      Instant closed = Instant.now();
      jcmd(server, "JFR.dump", "name=profile", "filename=" + jfr);
      jcmd(server, "JFR.stop", "name=profile");
      Path window = jfr.resolveSibling(jfr.getFileName().toString().replace(".jfr", ".window"));
      try {
        Files.writeString(window, opened + " " + closed + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void jcmd(ServerProcess server, String... command) {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(server.pid()));
    line.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("jcmd failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[profile] " + format + "%n", args);
  }
}
