package ai.flovyn.dispatch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end loop for many minutes (load/soak.sh): throughput, CPU per task, and each hot
 * table's dead tuples and HOT ratio per interval, and whether the last third of the run kept 90% of
 * the first third's throughput: what autovacuum and table bloat do to the loop over time.
 */
public final class Soak {
  static final String USAGE =
      """
      Usage: load/soak.sh [options]  (java -cp load-driver.jar ai.flovyn.dispatch.load.Soak)
        --minutes N             length of the measured closed loop (10)
        --interval-seconds N    one row of the report per interval (60)
        --pool-size N           the server's --db-pool-size (16)
        --server-jar PATH       default dispatch-reactive/target/dispatch-reactive-server.jar
        --pg-host H --pg-port P --pg-user U   PostgreSQL (127.0.0.1, 5432, postgres; trust auth)
        --out FILE              the report (load/target/soak/soak.md)
        --command TEXT          the command line to quote in the report
      """;

  /** The last third must keep this share of the first third's tasks/s. */
  static final double KEPT = 0.9;

  private Soak() {}

  /** The command line. */
  record Options(
      double minutes,
      double intervalSeconds,
      int poolSize,
      Path serverJar,
      BenchServer.Pg pg,
      Path out,
      String command) {

    static Options parse(String[] args) {
      double minutes = 10;
      double interval = 60;
      int pool = 16;
      Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
      String host = "127.0.0.1";
      int port = 5432;
      String user = "postgres";
      Path out = Path.of("load/target/soak/soak.md");
      String command = "load/soak.sh " + String.join(" ", args);
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--minutes" -> minutes = Double.parseDouble(args[++i]);
          case "--interval-seconds" -> interval = Double.parseDouble(args[++i]);
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
      if (minutes <= 0 || interval <= 0) {
        throw new IllegalArgumentException("--minutes and --interval-seconds must be positive");
      }
      return new Options(
          minutes, interval, pool, jar, new BenchServer.Pg(host, port, user), out, command);
    }
  }

  /**
   * One interval of the run.
   *
   * @param tables per table: dead tuples at the interval's end and HOT updates in it
   */
  record Sample(
      int index,
      double endSeconds,
      double tasksPerSecond,
      double workflowsPerSecond,
      double serverMicrosPerTask,
      double postgresMicrosPerTask,
      Map<String, PgStats.TableFigures> tables) {}

  /** Whether the loop kept its throughput: last third's mean tasks/s ÷ the first third's. */
  record Verdict(double firstThird, double lastThird, double ratio, boolean kept) {
    static Verdict of(List<Sample> samples) {
      if (samples.isEmpty()) {
        return new Verdict(Double.NaN, Double.NaN, Double.NaN, false);
      }
      int third = (samples.size() + 2) / 3;
      double first = mean(samples.subList(0, third));
      double last = mean(samples.subList(samples.size() - third, samples.size()));
      double ratio = PeerRounds.ratio(last, first);
      return new Verdict(first, last, ratio, ratio >= KEPT);
    }

    private static double mean(List<Sample> samples) {
      return samples.stream().mapToDouble(Sample::tasksPerSecond).average().orElse(Double.NaN);
    }
  }

  /** What a soak run measured. */
  record Results(
      String date,
      String command,
      String postgres,
      double minutes,
      double intervalSeconds,
      List<String> serverCommand,
      List<Sample> samples,
      String note) {}

  public static void main(String[] args) {
    BenchMain.run(
        "soak", USAGE, args, Options::parse, o -> Verdict.of(run(o).samples()).kept() ? 0 : 3);
  }

  static Results run(Options o) throws Exception {
    Path work = Path.of("load/target/soak");
    Files.createDirectories(work);
    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String database = "dispatch_soak_" + ProcessHandle.current().pid();
    String postgres =
        o.pg().query("postgres", "SELECT version()").replaceAll(" on .*", "")
            + "; "
            + o.pg()
                .settings(
                    "shared_buffers",
                    "synchronous_commit",
                    "autovacuum",
                    "autovacuum_naptime",
                    "max_wal_size",
                    "checkpoint_timeout");
    try (BenchServer ours =
            BenchServer.start(
                o.pg(), database, o.serverJar(), o.poolSize(), work.resolve("server.log"));
        PgStats stats = new PgStats(o.pg().host(), o.pg().port(), database, o.pg().user())) {
      EndToEnd e2e =
          new EndToEnd(ours.channels, PeerBench.E2E_WORKFLOW_WORKERS, PeerBench.E2E_TASK_WORKERS);
      ServerProcess.Warmed warmed =
          ours.server.warmUntilJitSettled(
              () ->
                  e2e.run("warm-up", null, PeerBench.E2E_IN_FLIGHT, Benchmark.WARMUP_ROUND_SECONDS),
              Benchmark.WARMUP_ROUND_SECONDS,
              (int) (Benchmark.MAX_JIT_WARMUP_SECONDS / Benchmark.WARMUP_ROUND_SECONDS));
      log("warm-up: %d round(s) of %.0f s", warmed.rounds(), Benchmark.WARMUP_ROUND_SECONDS);
      Sampler sampler = new Sampler(ours.server, stats, o.intervalSeconds());
      log(
          "soak: %.1f minutes of the closed loop, a sample every %.0f s",
          o.minutes(), o.intervalSeconds());
      EndToEnd.Phase phase =
          e2e.run(
              "soak",
              null,
              PeerBench.E2E_IN_FLIGHT,
              o.minutes() * 60,
              null,
              o.intervalSeconds(),
              sampler);
      Results results =
          new Results(
              date,
              o.command(),
              postgres,
              o.minutes(),
              o.intervalSeconds(),
              PeerBench.shorten(ours.server.command()),
              sampler.samples,
              phase.errors().isEmpty() ? "" : "errors: " + phase.errors());
      Files.createDirectories(o.out().toAbsolutePath().getParent());
      String report = SoakReport.markdown(results);
      Files.writeString(o.out(), report);
      System.out.print(report);
      log("wrote %s", o.out());
      return results;
    }
  }

  /** Reads the counters at each tick and turns each interval into a {@link Sample}. */
  private static final class Sampler implements EndToEnd.Ticker {
    private final ServerProcess server;
    private final PgStats stats;
    private final double intervalSeconds;
    final List<Sample> samples = new ArrayList<>();
    private double lastSeconds;
    private long lastTasks;
    private long lastWorkflows;
    private double lastServer;
    private double lastPostgres;
    private PgStats.Snapshot lastStats;

    Sampler(ServerProcess server, PgStats stats, double intervalSeconds) {
      this.server = server;
      this.stats = stats;
      this.intervalSeconds = intervalSeconds;
      this.lastServer = server.cpuSeconds();
      this.lastPostgres = ProcStat.postgresCpuSeconds();
      this.lastStats = stats.snapshot();
    }

    @Override
    public void tick(double elapsedSeconds, long tasksCompleted, long workflowsCompleted) {
      double seconds = elapsedSeconds - lastSeconds;
      // the tick at the end of the run closes a partial interval: too short to say much
      if (seconds < intervalSeconds / 2) {
        return;
      }
      double serverNow = server.cpuSeconds();
      double postgresNow = ProcStat.postgresCpuSeconds();
      PgStats.Snapshot statsNow = stats.snapshot();
      long tasks = tasksCompleted - lastTasks;
      double perTask = Math.max(1, tasks) / 1e6;
      Map<String, PgStats.TableFigures> tables = new LinkedHashMap<>();
      PgStats.Figures.between(lastStats, statsNow, Math.max(1, tasks))
          .tables()
          .forEach(t -> tables.put(t.table(), t));
      Sample sample =
          new Sample(
              samples.size() + 1,
              elapsedSeconds,
              tasks / seconds,
              (workflowsCompleted - lastWorkflows) / seconds,
              (serverNow - lastServer) / perTask,
              (postgresNow - lastPostgres) / perTask,
              tables);
      samples.add(sample);
      log(
          "  %3d  %6.0f s  %6.0f tasks/s  server %5.0f µs/task  PostgreSQL %5.0f µs/task  %s",
          sample.index(),
          sample.endSeconds(),
          sample.tasksPerSecond(),
          sample.serverMicrosPerTask(),
          sample.postgresMicrosPerTask(),
          SoakReport.tablesLine(tables));
      lastSeconds = elapsedSeconds;
      lastTasks = tasksCompleted;
      lastWorkflows = workflowsCompleted;
      lastServer = serverNow;
      lastPostgres = postgresNow;
      lastStats = statsNow;
    }
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[soak] " + format + "%n", args);
  }
}
