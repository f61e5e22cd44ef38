package ai.flovyn.dispatch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Our dispatch loops side by side with db-scheduler on the same PostgreSQL (load/peer-bench.sh):
 * the server jar on one fresh database, db-scheduler in a JVM of its own ({@link PeerProcess}) on
 * another, then interleaved rounds (our task-only loop, a db-scheduler backlog, our end-to-end
 * loop, a db-scheduler backlog, …) with each process's CPU per task and PostgreSQL's statements,
 * rows and WAL per task; writes a section of benchmarks.md with the medians of the per-round
 * ratios.
 */
public final class PeerBench {
  static final String USAGE =
      """
      Usage: load/peer-bench.sh [options]  (java -cp load-driver.jar ai.flovyn.dispatch.load.PeerBench)
        --quick                 2 s windows, small backlogs, one warm-up round: a smoke test whose
                                section goes to load/target/bench-quick/benchmarks.md
        --seconds N             seconds per measured window of ours; the peer's backlog is sized to
                                take about as long at its warm-up rate (10)
        --rounds N              A/B rounds per loop (3)
        --loops LIST            task-only,end-to-end (both)
        --loop-workers N        task workers of our task-only loop (8)
        --peer-threads N        db-scheduler's threads (8)
        --peer-polling P        lock-and-fetch (db-scheduler's advice above 1000 executions/s) or
                                fetch (its default, fetch-and-lock-on-execute)
        --peer-tasks N          tasks per peer backlog (default: its warm-up rate x --seconds)
        --peer-warmup-tasks N   the peer's unmeasured first backlog (20000; --quick 2000)
        --pool-size N           the server's --db-pool-size (16)
        --server-jar PATH       default dispatch-reactive/target/dispatch-reactive-server.jar
        --pg-host H --pg-port P --pg-user U   PostgreSQL (127.0.0.1, 5432, postgres; trust auth)
        --out DIR               where benchmarks.md (its peer section) and peer-benchmarks.json go
                                (docs; --quick: load/target/bench-quick)
        --command TEXT          the command line to quote in the report
      """;

  private PeerBench() {}

  /** The command line. */
  record Options(
      boolean quick,
      double seconds,
      int rounds,
      List<String> loops,
      int loopWorkers,
      int peerThreads,
      String peerPolling,
      long peerTasks,
      long peerWarmupTasks,
      int poolSize,
      Path serverJar,
      BenchServer.Pg pg,
      Path out,
      String command) {

    static Options parse(String[] args) {
      boolean quick = Arrays.asList(args).contains("--quick");
      double seconds = quick ? 2 : 10;
      int rounds = 3;
      List<String> loops = List.of(LoopResult.TASK_ONLY, LoopResult.END_TO_END);
      int loopWorkers = 8;
      int peerThreads = 8;
      String polling = DbSchedulerPeer.LOCK_AND_FETCH;
      long peerTasks = 0;
      long warmupTasks = quick ? 2000 : 20_000;
      int pool = 16;
      Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
      String host = "127.0.0.1";
      int port = 5432;
      String user = "postgres";
      Path out = quick ? Benchmark.QUICK_OUT : Benchmark.FULL_OUT;
      String command = "load/peer-bench.sh " + String.join(" ", args);
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> {}
          case "--seconds" -> seconds = Double.parseDouble(args[++i]);
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          case "--loops" -> loops = List.of(args[++i].split(","));
          case "--loop-workers" -> loopWorkers = Integer.parseInt(args[++i]);
          case "--peer-threads" -> peerThreads = Integer.parseInt(args[++i]);
          case "--peer-polling" -> polling = args[++i];
          case "--peer-tasks" -> peerTasks = Long.parseLong(args[++i]);
          case "--peer-warmup-tasks" -> warmupTasks = Long.parseLong(args[++i]);
          case "--pool-size" -> pool = Integer.parseInt(args[++i]);
          case "--server-jar" -> jar = Path.of(args[++i]);
          case "--pg-host" -> host = args[++i];
          case "--pg-port" -> port = Integer.parseInt(args[++i]);
          case "--pg-user" -> user = args[++i];
          case "--out" -> out = Path.of(args[++i]);
          case "--command" -> command = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (rounds < 1) {
        throw new IllegalArgumentException("--rounds must be at least 1");
      }
      for (String loop : loops) {
        if (!loop.equals(LoopResult.TASK_ONLY) && !loop.equals(LoopResult.END_TO_END)) {
          throw new IllegalArgumentException("--loops takes task-only and end-to-end, not " + loop);
        }
      }
      if (!polling.equals(DbSchedulerPeer.LOCK_AND_FETCH)
          && !polling.equals(DbSchedulerPeer.FETCH)) {
        throw new IllegalArgumentException("--peer-polling must be lock-and-fetch or fetch");
      }
      return new Options(
          quick,
          seconds,
          rounds,
          loops,
          loopWorkers,
          peerThreads,
          polling,
          peerTasks,
          warmupTasks,
          pool,
          jar,
          new BenchServer.Pg(host, port, user),
          out,
          command);
    }
  }

  public static void main(String[] args) {
    BenchMain.run(
        "peer-bench",
        USAGE,
        args,
        Options::parse,
        o -> {
          run(o);
          return 0;
        });
  }

  static void run(Options o) throws Exception {
    Path work = Path.of("load/target/peer-bench");
    Files.createDirectories(work);
    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    long pid = ProcessHandle.current().pid();
    String oursDb = "dispatch_peer_" + pid;
    String peerDb = "dbscheduler_peer_" + pid;
    String pgVersion = o.pg().query("postgres", "SELECT version()");
    String pgSettings =
        o.pg()
            .settings(
                "shared_buffers",
                "synchronous_commit",
                "fsync",
                "autovacuum",
                "max_wal_size",
                "checkpoint_timeout",
                "shared_preload_libraries",
                "wal_level");
    log("our database %s, the peer's %s", oursDb, peerDb);
    o.pg().createDatabase(peerDb);
    Thread dropPeerDb = new Thread(() -> o.pg().dropDatabase(peerDb));
    Runtime.getRuntime().addShutdownHook(dropPeerDb);
    try (BenchServer ours =
            BenchServer.start(
                o.pg(), oursDb, o.serverJar(), o.poolSize(), work.resolve("server.log"));
        PeerProcess peer =
            PeerProcess.start(
                System.getProperty("java.class.path"),
                o.pg().jdbcUrl(peerDb),
                o.pg().user(),
                o.peerThreads(),
                o.peerPolling(),
                true,
                work.resolve("peer.log"));
        PgStats oursStats = new PgStats(o.pg().host(), o.pg().port(), oursDb, o.pg().user());
        PgStats peerStats = new PgStats(o.pg().host(), o.pg().port(), peerDb, o.pg().user())) {
      log(
          "server pid %d, db-scheduler pid %d (%s, %d threads)",
          ours.server.pid(), peer.pid(), o.peerPolling(), o.peerThreads());
      Bench bench = new Bench(o, ours, peer, oursStats, peerStats);
      bench.warmUp();
      List<PeerRounds.Series> series = bench.rounds();
      List<String> notes = new ArrayList<>();
      if (!oursStats.statementsAvailable()) {
        notes.add("pg_stat_statements is not loaded: statements and rows per task are n/a");
      }
      long[] left = peer.check();
      notes.add(
          fmt(
              "db-scheduler ran %d task bodies in all; %d rows left in scheduled_tasks",
              left[1], left[0]));
      PeerResults results =
          new PeerResults(
              date,
              o.command(),
              Benchmark.machine(pgVersion),
              pgSettings,
              new PeerResults.Settings(
                  o.quick(),
                  o.seconds(),
                  o.rounds(),
                  o.loopWorkers(),
                  EndToEnd.TASKS_PER_WORKFLOW,
                  E2E_WORKFLOW_WORKERS,
                  E2E_TASK_WORKERS,
                  E2E_IN_FLIGHT,
                  o.peerThreads(),
                  o.peerPolling(),
                  o.poolSize()),
              shorten(ours.server.command()),
              shorten(peer.command()),
              series,
              notes);
      Files.createDirectories(o.out());
      Path md = o.out().resolve("benchmarks.md");
      String existing = Files.isRegularFile(md) ? Files.readString(md) : "";
      Files.writeString(md, PeerReport.insertSection(existing, PeerReport.markdown(results)));
      Files.writeString(o.out().resolve("peer-benchmarks.json"), PeerReport.json(results));
      log(
          "wrote the db-scheduler section of %s and %s",
          md, o.out().resolve("peer-benchmarks.json"));
    } finally {
      Runtime.getRuntime().removeShutdownHook(dropPeerDb);
      o.pg().dropDatabase(peerDb);
    }
  }

  static final int E2E_WORKFLOW_WORKERS = 8;
  static final int E2E_TASK_WORKERS = 16;
  static final int E2E_IN_FLIGHT = 32;

  /** The state of one run: both sides and what the last rounds measured, to size the next. */
  private static final class Bench {
    private final Options o;
    private final BenchServer ours;
    private final PeerProcess peer;
    private final PgStats oursStats;
    private final PgStats peerStats;
    private final TaskLoop taskLoop;
    private final EndToEnd e2e;
    private double peerRate;
    private double taskOnlyRate;

    Bench(Options o, BenchServer ours, PeerProcess peer, PgStats oursStats, PgStats peerStats) {
      this.o = o;
      this.ours = ours;
      this.peer = peer;
      this.oursStats = oursStats;
      this.peerStats = peerStats;
      this.taskLoop = new TaskLoop(ours.channels);
      this.e2e = new EndToEnd(ours.channels, E2E_WORKFLOW_WORKERS, E2E_TASK_WORKERS);
    }

    /**
     * Both sides run their code paths until their JIT settles, unmeasured: our loops as
     * load/bench.sh warms them, the peer one backlog of --peer-warmup-tasks.
     */
    void warmUp() throws Exception {
      double maxWarmup = o.quick() ? 1 : Benchmark.MAX_JIT_WARMUP_SECONDS;
      if (o.loops().contains(LoopResult.TASK_ONLY)) {
        TaskLoop.Queued queued = taskLoop.queue((long) Math.ceil((maxWarmup + 2) * 3000));
        TaskLoop.Counts warm =
            taskLoop.run(
                queued,
                o.loopWorkers(),
                () ->
                    log(
                        "task-only warm-up: %.0f s",
                        ours.server.awaitJitSettled(o.quick() ? 1 : 5, maxWarmup)),
                1,
                new LoopMeter(ours.server));
        taskOnlyRate = warm.tasks() / warm.seconds();
      }
      if (o.loops().contains(LoopResult.END_TO_END)) {
        ServerProcess.Warmed warmed =
            ours.server.warmUntilJitSettled(
                () -> e2e.run("warm-up", null, E2E_IN_FLIGHT, Benchmark.WARMUP_ROUND_SECONDS),
                Benchmark.WARMUP_ROUND_SECONDS,
                o.quick() ? 1 : (int) (maxWarmup / Benchmark.WARMUP_ROUND_SECONDS));
        log("end-to-end warm-up: %d round(s)", warmed.rounds());
      }
      peer.schedule(o.peerWarmupTasks());
      PeerProcess.Run warm = peer.go();
      peerRate = warm.tasksPerSecond();
      log("db-scheduler warm-up: %d tasks, %.0f tasks/s", warm.executed(), peerRate);
    }

    /** ours / peer / ours / peer … for each loop, interleaved round by round. */
    List<PeerRounds.Series> rounds() throws Exception {
      List<PeerRounds.Round> taskOnly = new ArrayList<>();
      List<PeerRounds.Round> endToEnd = new ArrayList<>();
      for (int r = 1; r <= o.rounds(); r++) {
        if (o.loops().contains(LoopResult.TASK_ONLY)) {
          PeerRounds.Side side = taskOnly();
          taskOnly.add(report(new PeerRounds.Round(r, side, peer())));
        }
        if (o.loops().contains(LoopResult.END_TO_END)) {
          PeerRounds.Side side = endToEnd();
          endToEnd.add(report(new PeerRounds.Round(r, side, peer())));
        }
      }
      List<PeerRounds.Series> series = new ArrayList<>();
      if (!taskOnly.isEmpty()) {
        series.add(new PeerRounds.Series(LoopResult.TASK_ONLY, taskOnly));
      }
      if (!endToEnd.isEmpty()) {
        series.add(new PeerRounds.Series(LoopResult.END_TO_END, endToEnd));
      }
      return series;
    }

    private PeerRounds.Side taskOnly() throws Exception {
      double warmup = o.quick() ? 1 : 2;
      // more than the loop can run in its warm-up and window: it must not run dry
      long wanted = (long) Math.ceil((warmup + o.seconds() + 2) * Math.max(2000, 2 * taskOnlyRate));
      TaskLoop.Queued queued = taskLoop.queue(wanted);
      Meter meter = new Meter(ours.server, oursStats);
      TaskLoop.Counts counts = taskLoop.run(queued, o.loopWorkers(), warmup, o.seconds(), meter);
      taskOnlyRate = counts.tasks() / counts.seconds();
      List<String> notes = new ArrayList<>();
      if (counts.ranDry()) {
        notes.add("the queue ran dry");
      }
      if (!counts.errors().isEmpty()) {
        notes.add("errors: " + counts.errors());
      }
      return PeerRounds.Side.of(
          LoopResult.TASK_ONLY,
          counts.tasks(),
          counts.seconds(),
          meter.opened,
          meter.closed,
          String.join("; ", notes));
    }

    private PeerRounds.Side endToEnd() throws Exception {
      Meter meter = new Meter(ours.server, oursStats);
      EndToEnd.Phase phase = e2e.run("max", null, E2E_IN_FLIGHT, o.seconds(), meter);
      return PeerRounds.Side.of(
          LoopResult.END_TO_END,
          phase.tasksCompleted(),
          phase.seconds(),
          meter.opened,
          meter.closed,
          phase.errors().isEmpty() ? "" : "errors: " + phase.errors());
    }

    /** One backlog, sized to take about --seconds at the last rate unless --peer-tasks says. */
    private PeerRounds.Side peer() throws Exception {
      long tasks =
          o.peerTasks() > 0
              ? o.peerTasks()
              : Math.max(o.quick() ? 500 : 5000, Math.round(peerRate * o.seconds()));
      peer.schedule(tasks);
      // the database is idle around this window: let PostgreSQL publish the table counters of
      // the inserts before it and of the deletes at its end (a busy backend does once a second)
      TimeUnit.MILLISECONDS.sleep(STATS_DELAY_MILLIS);
      PeerRounds.Edge opened = edge(peer.cpuSeconds(), peer.compilerCpuSeconds(), peerStats);
      PeerProcess.Run run = peer.go();
      PeerRounds.Edge cpuClosed = edge(peer.cpuSeconds(), peer.compilerCpuSeconds(), null);
      TimeUnit.MILLISECONDS.sleep(STATS_DELAY_MILLIS);
      PeerRounds.Edge closed =
          new PeerRounds.Edge(
              cpuClosed.processSeconds(),
              cpuClosed.jitSeconds(),
              cpuClosed.postgresSeconds(),
              cpuClosed.driverSeconds(),
              peerStats.snapshot());
      peerRate = run.tasksPerSecond();
      return PeerRounds.Side.of(
          PeerRounds.PEER,
          run.executed(),
          run.seconds(),
          opened,
          closed,
          run.executed() == tasks
              ? ""
              : "ran " + run.executed() + " bodies for " + tasks + " tasks");
    }

    private static PeerRounds.Round report(PeerRounds.Round round) {
      for (PeerRounds.Side side : List.of(round.ours(), round.peer())) {
        log(
            "  round %d %-12s %6d tasks %7.0f tasks/s  process %5.0f µs (JIT %3.0f)  PostgreSQL"
                + " %5.0f µs  driver %4.0f µs%s",
            round.round(),
            side.system(),
            side.tasks(),
            side.tasksPerSecond(),
            side.processMicrosPerTask(),
            side.jitMicrosPerTask(),
            side.postgresMicrosPerTask(),
            side.driverMicrosPerTask(),
            side.note().isEmpty() ? "" : " — " + side.note());
      }
      log(
          "  round %d: CPU (server+PG)/(peer+PG) %.2f, tasks/s ours/peer %.2f",
          round.round(), round.cpuRatio(), round.throughputRatio());
      return round;
    }
  }

  /** A command line for the report: "java" for the JVM's path, the class path left out. */
  static List<String> shorten(List<String> command) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      out.add(arg.endsWith("/bin/java") ? "java" : arg);
      if (arg.equals("-cp") && i + 1 < command.size()) {
        out.add("load-driver.jar");
        i++;
      }
    }
    return out;
  }

  // PostgreSQL 15 publishes a busy backend's table counters at most once a second
  private static final long STATS_DELAY_MILLIS = 1100;

  /** Every process's CPU now, and {@code stats}'s counters unless it is null. */
  static PeerRounds.Edge edge(double processSeconds, double jitSeconds, PgStats stats) {
    return new PeerRounds.Edge(
        processSeconds,
        jitSeconds,
        ProcStat.postgresCpuSeconds(),
        ProcStat.selfCpuSeconds(),
        stats == null ? null : stats.snapshot());
  }

  /** Our loops' meter, also reading every process's CPU and PostgreSQL's counters. */
  private static final class Meter extends LoopMeter {
    private final ServerProcess server;
    private final PgStats stats;
    private volatile PeerRounds.Edge opened;
    private volatile PeerRounds.Edge closed;

    Meter(ServerProcess server, PgStats stats) {
      super(server);
      this.server = server;
      this.stats = stats;
    }

    @Override
    void open() {
      opened = edge(server.cpuSeconds(), server.compilerCpuSeconds(), stats);
    }

    @Override
    void close() {
      closed = edge(server.cpuSeconds(), server.compilerCpuSeconds(), stats);
    }
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[peer-bench] " + format + "%n", args);
  }
}
