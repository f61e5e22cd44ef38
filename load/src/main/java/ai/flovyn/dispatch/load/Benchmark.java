package ai.flovyn.dispatch.load;

import io.grpc.ManagedChannel;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reproduces docs/benchmarks.md in one run on this machine: a fresh database, the server jar as a
 * child process, task throughput (unary and streamed) against PostgreSQL's own ceiling and the
 * seed's algorithm, end-to-end dispatch, memory and idle CPU; stops the server and drops the
 * database at the end, also on failure.
 */
public final class Benchmark {
  static final String USAGE =
      """
      Usage: load/bench.sh [options]   (java -cp load-driver.jar ai.flovyn.dispatch.load.Benchmark)
        --quick                 ~2 s per run, a smoke test (default 10 s per run); its report goes
                                to load/target/bench-quick unless --out says otherwise
        --seconds N             seconds per measured run
        --concurrency 8,32      client concurrency levels (also the pg-ceiling client counts)
        --batches 1,10,100      batch sizes
        --pool-size N           the server's --db-pool-size and the seed baseline's pool (16)
        --workflows N           prepared workflows (256; each worker owns its own)
        --stream-window N       batches in flight per stream (4)
        --server-jar PATH       default dispatch-reactive/target/dispatch-reactive-server.jar
        --pg-host H --pg-port P --pg-user U   PostgreSQL (127.0.0.1, 5432, postgres; trust auth)
        --database NAME         the database to create and drop (default dispatch_bench_<pid>)
        --pg-ceiling PATH       default load/pg-ceiling.sh (skipped with a note if missing)
        --pg-loop-ceiling PATH  default load/pg-loop-ceiling.sh (skipped with a note if missing)
        --loop-workers N        task workers of the task-only loop, and the loop ceiling's clients (8)
        --out DIR               where benchmarks.md and benchmarks.json go (default docs, with
                                --quick load/target/bench-quick)
        --command TEXT          the command line to quote in the report
        --retention-backlog N   finished 30-day-old workflows to insert before the runs, for the
                                server's retention to delete while they run (20000; 0 = off)
      """;

  /** Where a full run writes its report: the committed docs. */
  static final Path FULL_OUT = Path.of("docs");

  /** Where a {@code --quick} run writes its report unless {@code --out} is given. */
  static final Path QUICK_OUT = Path.of("load/target/bench-quick");

  private Benchmark() {}

  /** The command line. */
  record Options(
      boolean quick,
      double seconds,
      List<Integer> concurrency,
      List<Integer> batches,
      int poolSize,
      int workflows,
      int streamWindow,
      Path serverJar,
      String pgHost,
      int pgPort,
      String pgUser,
      String database,
      Path pgCeiling,
      Path pgLoopCeiling,
      int loopWorkers,
      Path out,
      String command,
      int retentionBacklog) {

    static Options parse(String[] args) {
      boolean quick = false;
      Double seconds = null;
      List<Integer> concurrency = List.of(8, 32);
      List<Integer> batches = List.of(1, 10, 100);
      int pool = 16;
      int workflows = 256;
      int window = 4;
      Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
      String host = "127.0.0.1";
      int port = 5432;
      String user = "postgres";
      String database = "dispatch_bench_" + ProcessHandle.current().pid();
      Path ceiling = Path.of("load/pg-ceiling.sh");
      Path loopCeiling = Path.of("load/pg-loop-ceiling.sh");
      int loopWorkers = 8;
      Path out = null;
      String command = "load/bench.sh " + String.join(" ", args);
      int backlog = 20_000;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--seconds" -> seconds = Double.parseDouble(args[++i]);
          case "--concurrency" -> concurrency = ints(args[++i]);
          case "--batches" -> batches = ints(args[++i]);
          case "--pool-size" -> pool = Integer.parseInt(args[++i]);
          case "--workflows" -> workflows = Integer.parseInt(args[++i]);
          case "--stream-window" -> window = Integer.parseInt(args[++i]);
          case "--server-jar" -> jar = Path.of(args[++i]);
          case "--pg-host" -> host = args[++i];
          case "--pg-port" -> port = Integer.parseInt(args[++i]);
          case "--pg-user" -> user = args[++i];
          case "--database" -> database = args[++i];
          case "--pg-ceiling" -> ceiling = Path.of(args[++i]);
          case "--pg-loop-ceiling" -> loopCeiling = Path.of(args[++i]);
          case "--loop-workers" -> loopWorkers = Integer.parseInt(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "--command" -> command = args[++i];
          case "--retention-backlog" -> backlog = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (loopWorkers < 1) {
        throw new IllegalArgumentException("--loop-workers must be at least 1");
      }
      if (!database.matches("[a-z_][a-z0-9_]*")) {
        throw new IllegalArgumentException("--database must be a plain lower-case identifier");
      }
      double perRun = seconds != null ? seconds : quick ? 2 : 10;
      if (out == null) {
        // a smoke run's numbers are not the committed report's: docs/ stays as measured
        out = quick ? QUICK_OUT : FULL_OUT;
      }
      return new Options(
          quick,
          perRun,
          concurrency,
          batches,
          pool,
          workflows,
          window,
          jar,
          host,
          port,
          user,
          database,
          ceiling,
          loopCeiling,
          loopWorkers,
          out,
          command,
          backlog);
    }

    private static List<Integer> ints(String csv) {
      return Arrays.stream(csv.split(",")).map(String::strip).map(Integer::parseInt).toList();
    }
  }

  public static void main(String[] args) {
    BenchMain.run(
        "benchmark",
        USAGE,
        args,
        Options::parse,
        o -> {
          run(o);
          return 0;
        });
  }

  static void run(Options o) throws Exception {
    Path work = Path.of("load/target/bench");
    Files.createDirectories(work);
    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    List<String> notes = new ArrayList<>();
    log("creating database %s", o.database());
    String pgVersion = query(o, "postgres", "SELECT version()");
    query(o, "postgres", "CREATE DATABASE " + o.database());
    ServerProcess server = null;
    List<ManagedChannel> channels = new ArrayList<>();
    Sampler sampler = null;
    Thread stopOnExit = null;
    try {
      int grpcPort = freePort();
      int metricsPort = freePort();
      String jdbc = "jdbc:postgresql://" + o.pgHost() + ":" + o.pgPort() + "/" + o.database();
      server =
          ServerProcess.start(
              o.serverJar(),
              jdbc,
              o.pgUser(),
              o.poolSize(),
              grpcPort,
              metricsPort,
              work.resolve("server.log"));
      log("server pid %d on %s (log %s)", server.pid(), server.host(), work.resolve("server.log"));
      // Ctrl-C or SIGTERM skips the finally below: still stop the child and drop the database
      ServerProcess child = server;
      stopOnExit =
          new Thread(
              () -> {
                try {
                  child.close();
                  query(o, "postgres", "DROP DATABASE IF EXISTS " + o.database() + " WITH (FORCE)");
                } catch (InterruptedException | RuntimeException e) {
                  System.err.println("benchmark: cleanup on exit failed: " + e);
                }
              });
      Runtime.getRuntime().addShutdownHook(stopOnExit);
      for (int i = 0; i < 2; i++) {
        channels.add(Requests.channel(server.host()));
      }
      if (!server.awaitReady(channels.get(0), Duration.ofSeconds(120))) {
        throw new IOException(
            "the server did not answer StartWorkflow; see " + work.resolve("server.log"));
      }
      Prepare.Result prepared = Prepare.run(channels.get(0), o.workflows(), 0, System.out);
      notes.addAll(prepared.notes());
      if (o.retentionBacklog() > 0) {
        log(
            "retention backlog: %s rows inserted",
            query(o, o.database(), RetentionBacklog.insert(o.retentionBacklog())));
      }
      if (System.getenv("BENCH_PG_OWN") != null) {
        notes.add(
            "PostgreSQL: an instance of its own (load/own-pg.sh: shared_buffers 1GB, fsync and"
                + " synchronous_commit on, autovacuum on with its defaults, pg_stat_statements);"
                + " PostgreSQL CPU is that instance's processes only");
      }
      sampler = new Sampler(server);
      sampler.start();
      List<String> workflows = new ArrayList<>();
      for (int w = 1; w <= o.workflows(); w++) {
        workflows.add(BenchIds.workflowId(w));
      }

      ServiceLoad service = new ServiceLoad(channels, workflows);
      // JIT, connection pools and caches of both sides warm up before anything is measured
      double warmup = o.quick() ? 2 : 15;
      log("warm-up: %.0f s of unary, then %.0f s of streamed batches of 10", warmup, warmup);
      service.unary(10, o.concurrency().get(0), warmup);
      service.stream(10, o.concurrency().get(0), o.streamWindow(), warmup);
      warmUntilJitSettled(
          server,
          o,
          "throughput",
          () -> service.unary(1, o.concurrency().get(0), WARMUP_ROUND_SECONDS));

      List<ThroughputResult> throughput = new ArrayList<>();
      List<CpuCost> cpu = new ArrayList<>();
      boolean streamImplemented = true;
      try (SeedBaseline seed =
          new SeedBaseline(
              o.pgHost(), o.pgPort(), o.database(), o.pgUser(), o.poolSize(), workflows)) {
        for (int batch : o.batches()) {
          for (int c : o.concurrency()) {
            CpuCost.Reading before = CpuCost.Reading.now(server);
            ThroughputResult unary = report(service.unary(batch, c, o.seconds()));
            throughput.add(unary);
            cpu.add(CpuCost.of(unary, before, server));
            if (streamImplemented) {
              before = CpuCost.Reading.now(server);
              ThroughputResult streamed = service.stream(batch, c, o.streamWindow(), o.seconds());
              cpu.add(CpuCost.of(streamed, before, server));
              streamImplemented = streamed.tasksPerSecond() != null;
              throughput.add(report(streamed));
            } else {
              throughput.add(
                  ThroughputResult.notAvailable(
                      BenchmarkReport.SERVICE_STREAM,
                      batch,
                      c,
                      "StreamWorkflowCommands is UNIMPLEMENTED"));
            }
            // the seed's algorithm right after the service at the same settings, on the same tables
            before = CpuCost.Reading.now(server);
            ThroughputResult seedRun = report(seed.run(batch, c, o.seconds()));
            throughput.add(seedRun);
            cpu.add(CpuCost.of(seedRun, before, server));
          }
        }
      }

      String hotUpdates =
          query(
              o,
              o.database(),
              "SELECT round(100.0 * n_tup_hot_upd / nullif(n_tup_upd, 0), 1) FROM"
                  + " pg_stat_user_tables WHERE relname = 'workflow_executions'");

      List<PgCeiling.Ceiling> ceilings = List.of();
      String ceilingNote = "";
      if (Files.isRegularFile(o.pgCeiling())) {
        log(
            "PostgreSQL ceiling: %s %d s, clients %s",
            o.pgCeiling(), (int) Math.ceil(o.seconds()), o.concurrency());
        try {
          ceilings =
              PgCeiling.run(
                  o.pgCeiling(),
                  (int) Math.ceil(o.seconds()),
                  o.concurrency(),
                  Map.of(
                      "PGHOST", o.pgHost(),
                      "PGPORT", Integer.toString(o.pgPort()),
                      "PGUSER", o.pgUser()),
                  work.resolve("pg-ceiling.log"));
          ceilings.forEach(c -> log("  %s", c));
        } catch (IOException e) {
          ceilingNote = "pg-ceiling.sh failed: " + e.getMessage();
        }
      } else {
        ceilingNote = o.pgCeiling() + " not found: ceiling skipped";
      }
      if (!ceilingNote.isEmpty()) {
        log("%s", ceilingNote);
        notes.add(ceilingNote);
      }

      List<PgCeiling.Ceiling> loopCeilings = List.of();
      String loopCeilingNote = "";
      if (Files.isRegularFile(o.pgLoopCeiling())) {
        log(
            "PostgreSQL loop ceiling: %s %d s, clients %d",
            o.pgLoopCeiling(), (int) Math.ceil(o.seconds()), o.loopWorkers());
        try {
          loopCeilings =
              PgCeiling.run(
                  o.pgLoopCeiling(),
                  (int) Math.ceil(o.seconds()),
                  List.of(o.loopWorkers()),
                  Map.of(
                      "PGHOST", o.pgHost(),
                      "PGPORT", Integer.toString(o.pgPort()),
                      "PGUSER", o.pgUser()),
                  work.resolve("pg-loop-ceiling.log"));
          loopCeilings.forEach(c -> log("  %s", c));
        } catch (IOException e) {
          loopCeilingNote = "pg-loop-ceiling.sh failed: " + e.getMessage();
        }
      } else {
        loopCeilingNote = o.pgLoopCeiling() + " not found: loop ceiling skipped";
      }
      if (!loopCeilingNote.isEmpty()) {
        log("%s", loopCeilingNote);
        notes.add(loopCeilingNote);
      }

      EndToEnd e2e = new EndToEnd(channels, 8, 16);
      int inFlight = 32;
      List<EndToEnd.Phase> phases = new ArrayList<>();
      List<LoopResult> loops = new ArrayList<>();
      String e2eNote = "";
      String missing = e2e.unimplementedRpc();
      if (missing != null) {
        e2eNote = missing + " is UNIMPLEMENTED";
        log("end-to-end: n/a (%s)", e2eNote);
      } else {
        loops.add(taskOnlyLoop(o, channels, server, loopCeilings));
        // workflow polls, histories and batches of the loop run first here: unmeasured rounds
        // until their JIT settles
        warmUntilJitSettled(
            server,
            o,
            "end-to-end",
            () -> e2e.run("warm-up", null, inFlight, WARMUP_ROUND_SECONDS));
        log("end-to-end: closed loop, %d workflows in flight, %.0f s", inFlight, o.seconds());
        LoopMeter meter = new LoopMeter(server);
        EndToEnd.Phase max = e2e.run("max", null, inFlight, o.seconds(), meter);
        phases.add(max);
        log("  %s", max);
        loops.add(
            meter.result(
                LoopResult.END_TO_END,
                16,
                max.seconds(),
                max.tasksCompleted(),
                max.errors().isEmpty() ? "" : "errors: " + max.errors()));
        log("  %s", loops.get(loops.size() - 1));
        if (max.workflowsPerSecond() > 0) {
          double half = max.workflowsPerSecond() / 2;
          log("end-to-end: open loop at %.1f workflows/s, %.0f s", half, o.seconds());
          EndToEnd.Phase halfLoad = e2e.run("half", half, inFlight, o.seconds());
          phases.add(halfLoad);
          log("  %s", halfLoad);
        } else {
          e2eNote = "no workflow completed in the closed loop; open loop skipped";
        }
      }

      // the sampler's own /metrics scrapes would show up as server CPU: memory sampling ends here
      sampler.stop();
      if (o.retentionBacklog() > 0) {
        String retention = sampler.retention().note(o.retentionBacklog());
        log("%s", retention);
        notes.add(retention);
      }
      double idleWindow = o.quick() ? 3 : 10;
      log(
          "idle CPU: %.0f s without calls, then %.0f s with 100 long polls",
          idleWindow, idleWindow);
      IdlePolls.Result idle = IdlePolls.measure(server, channels.get(0), 100, idleWindow);
      log("  %s", idle);

      BenchmarkResults results =
          new BenchmarkResults(
              date,
              o.command(),
              machine(pgVersion),
              new BenchmarkResults.Settings(
                  o.quick(),
                  o.seconds(),
                  o.concurrency(),
                  o.batches(),
                  o.poolSize(),
                  o.workflows(),
                  o.streamWindow(),
                  8,
                  16,
                  inFlight,
                  o.loopWorkers()),
              server.command().stream().map(Benchmark::shorten).toList(),
              throughput,
              cpu,
              hotUpdates,
              ceilings,
              ceilingNote,
              phases,
              e2eNote,
              loopCeilings,
              loopCeilingNote,
              loops,
              idle,
              sampler.memory(),
              notes);
      Files.createDirectories(o.out());
      Files.writeString(o.out().resolve("benchmarks.json"), BenchmarkReport.json(results));
      Path md = o.out().resolve("benchmarks.md");
      // load/peer-bench.sh's section of the file is its own: keep it until that script rewrites it
      String peerSection = Files.isRegularFile(md) ? PeerReport.section(Files.readString(md)) : "";
      String report = BenchmarkReport.markdown(results);
      Files.writeString(
          md, peerSection.isEmpty() ? report : PeerReport.insertSection(report, peerSection));
      log("wrote %s and %s", o.out().resolve("benchmarks.md"), o.out().resolve("benchmarks.json"));
    } finally {
      if (sampler != null) {
        sampler.stop();
      }
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (server != null) {
        log("stopping the server (SIGTERM)");
        server.close();
      }
      if (stopOnExit != null) {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      }
      log("dropping database %s", o.database());
      query(o, "postgres", "DROP DATABASE IF EXISTS " + o.database() + " WITH (FORCE)");
    }
  }

  static final double MAX_JIT_WARMUP_SECONDS = 40;
  static final double WARMUP_ROUND_SECONDS = 5;

  // Unmeasured rounds of load until the server's JIT settles, at most MAX_JIT_WARMUP_SECONDS of
  // them (one round with --quick): a measured window then holds the server's work, not the
  // compilation of code it runs for the first time.
  private static void warmUntilJitSettled(
      ServerProcess server, Options o, String phase, ServerProcess.Round round)
      throws InterruptedException {
    int maxRounds = o.quick() ? 1 : (int) (MAX_JIT_WARMUP_SECONDS / WARMUP_ROUND_SECONDS);
    ServerProcess.Warmed warmed =
        server.warmUntilJitSettled(round, WARMUP_ROUND_SECONDS, maxRounds);
    log(
        "%s warm-up: %d round(s) of %.0f s, the JIT compiler used %.0f%% of a core in the last",
        phase, warmed.rounds(), WARMUP_ROUND_SECONDS, warmed.lastCompilerPercent());
  }

  /**
   * Queues more tasks than the loop can run in its warm-up and window (1.5 × the loop ceiling at
   * its client count, at least 3,000 tasks/s), then runs the task workers on them.
   */
  private static LoopResult taskOnlyLoop(
      Options o,
      List<ManagedChannel> channels,
      ServerProcess server,
      List<PgCeiling.Ceiling> ceilings)
      throws IOException, InterruptedException {
    double warmup = o.quick() ? 1 : 5;
    // the poll and completion paths run here first: the window waits for their JIT to settle
    double maxWarmup = o.quick() ? 1 : MAX_JIT_WARMUP_SECONDS;
    double ceiling =
        ceilings.stream()
            .filter(
                c ->
                    c.name().equals(BenchmarkReport.LOOP_CEILING) && c.clients() == o.loopWorkers())
            .mapToDouble(PgCeiling.Ceiling::tasksPerSecond)
            .findFirst()
            .orElse(0);
    long wanted = (long) Math.ceil((maxWarmup + o.seconds()) * Math.max(3000, 1.5 * ceiling));
    TaskLoop loop = new TaskLoop(channels);
    log("task-only loop: queuing %d tasks through command batches", wanted);
    TaskLoop.Queued queued = loop.queue(wanted);
    log(
        "task-only loop: %d workers, %.0f-%.0f s warm-up (until the server's JIT settles),"
            + " %.0f s measured",
        o.loopWorkers(), warmup, maxWarmup, o.seconds());
    LoopMeter meter = new LoopMeter(server);
    TaskLoop.Counts counts =
        loop.run(
            queued,
            o.loopWorkers(),
            () -> log("  warm-up: %.0f s", server.awaitJitSettled(warmup, maxWarmup)),
            o.seconds(),
            meter);
    List<String> notes = new ArrayList<>();
    if (counts.ranDry()) {
      notes.add("the queue of " + queued.tasks() + " tasks ran dry: the rate is a lower bound");
    }
    if (!counts.errors().isEmpty()) {
      notes.add("errors: " + counts.errors());
    }
    LoopResult result =
        meter.result(
            LoopResult.TASK_ONLY,
            o.loopWorkers(),
            counts.seconds(),
            counts.tasks(),
            String.join("; ", notes));
    log("  %s", result);
    return result;
  }

  private static ThroughputResult report(ThroughputResult t) {
    log(
        "%-14s batch %3d c=%2d: %s tasks/s (p50 %s ms, p99 %s ms)%s",
        t.system(),
        t.batch(),
        t.concurrency(),
        t.tasksPerSecond() == null ? "n/a" : String.format(Locale.ROOT, "%.0f", t.tasksPerSecond()),
        t.p50Ms() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", t.p50Ms()),
        t.p99Ms() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", t.p99Ms()),
        t.note().isEmpty() ? "" : " — " + t.note());
    return t;
  }

  /** Runs one statement on the {@code postgres} database; emits the first column of a row. */
  private static String query(Options o, String database, String sql) {
    PostgresqlConnectionFactory factory =
        new PostgresqlConnectionFactory(
            PostgresqlConnectionConfiguration.builder()
                .host(o.pgHost())
                .port(o.pgPort())
                .database(database)
                .username(o.pgUser())
                .build());
    return Mono.usingWhen(
            factory.create(),
            connection ->
                Flux.from(connection.createStatement(sql).execute())
                    .flatMap(result -> result.map((row, meta) -> String.valueOf(row.get(0))))
                    .next()
                    .defaultIfEmpty(""),
            connection -> connection.close())
        .block(Duration.ofSeconds(60));
  }

  static BenchmarkResults.Machine machine(String pgVersion) {
    String cpu = "unknown";
    long mem = -1;
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse("unknown");
      mem =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
                  .filter(l -> l.startsWith("MemTotal:"))
                  .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                  .findFirst()
                  .orElse(-1L)
              * 1024;
    } catch (IOException e) {
      // reported as unknown
    }
    return new BenchmarkResults.Machine(
        nproc(),
        mem,
        cpu,
        pgVersion.replaceAll(" on .*", ""),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  private static int nproc() {
    try {
      Process p = new ProcessBuilder("nproc").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(5, TimeUnit.SECONDS);
      return Integer.parseInt(out);
    } catch (IOException | RuntimeException e) {
      return Runtime.getRuntime().availableProcessors();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Runtime.getRuntime().availableProcessors();
    }
  }

  /** The java binary's path says nothing useful in the report. */
  private static String shorten(String arg) {
    return arg.endsWith("/bin/java") ? "java" : arg;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }

  /** Samples the server's heap and RSS twice a second. */
  private static final class Sampler {
    private final ServerProcess server;
    private final AtomicLong maxHeap = new AtomicLong(-1);
    private final AtomicLong maxRss = new AtomicLong(-1);
    private final AtomicInteger samples = new AtomicInteger();
    private final long startRss;
    private final Thread thread;
    private volatile boolean running = true;

    Sampler(ServerProcess server) {
      this.server = server;
      this.startRss = server.rssBytes();
      this.thread = new Thread(this::loop, "bench-sampler");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }

    // the retention counter: its first reading, and when it was last seen to grow
    private volatile long deletedAtStart = -1;
    private volatile long deletedLast = -1;
    private volatile long firstGrowthNanos;
    private volatile long lastGrowthNanos;
    private volatile long previousSampleNanos;

    private void loop() {
      while (running) {
        maxHeap.accumulateAndGet(server.heapBytes(), Math::max);
        maxRss.accumulateAndGet(server.rssBytes(), Math::max);
        sampleDeleted();
        samples.incrementAndGet();
        try {
          TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void sampleDeleted() {
      long now = System.nanoTime();
      long deleted = Math.max(0, server.metricSum("dispatch_retention_rows_deleted_total"));
      if (deletedAtStart < 0) {
        deletedAtStart = deleted;
      } else if (deleted > deletedLast) {
        // growth began at most one sample earlier
        if (firstGrowthNanos == 0) {
          firstGrowthNanos = previousSampleNanos;
        }
        lastGrowthNanos = now;
      }
      deletedLast = deleted;
      previousSampleNanos = now;
    }

    RetentionBacklog.Drain retention() {
      long rows = deletedLast - deletedAtStart;
      double seconds = (lastGrowthNanos - firstGrowthNanos) / 1e9;
      return new RetentionBacklog.Drain(Math.max(0, rows), Math.max(0, seconds));
    }

    BenchmarkResults.Memory memory() {
      return new BenchmarkResults.Memory(maxHeap.get(), maxRss.get(), startRss, samples.get());
    }
  }
}
