package ai.flovyn.dispatch.load;

import io.grpc.ManagedChannel;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What one finished task costs PostgreSQL in rows, index growth, HOT updates and WAL
 * (load/churn.sh, docs/performance.md "Cheaper completions"): starts the server jar on a fresh
 * database, runs the task-only loop or the end-to-end loop for a window, and reads the database's
 * own counters when the window opens and when it closes: {@code pg_current_wal_lsn()}, {@code
 * pg_stat_user_tables} (inserts, updates, HOT updates, dead rows) and the size of each table and
 * index of the hot path, and, when the server preloads it, {@code pg_stat_statements} (calls, time,
 * WAL per statement). Everything is printed per task completed in the window.
 */
public final class Churn {
  static final String USAGE =
      """
      Usage: java -cp load-driver.jar ai.flovyn.dispatch.load.Churn --pg-port N --database NAME
               [options]
        --phase task-loop|end-to-end  the loop to measure (task-loop)
        --seconds N                   measured seconds (30)
        --warmup N                    unmeasured seconds first (10)
        --workers N                   task workers of the task-only loop (8)
        --pg-host H --pg-user U       PostgreSQL (127.0.0.1, postgres; trust authentication)
        --server-jar PATH             default dispatch-reactive/target/dispatch-reactive-server.jar
        --out DIR                     server.log (load/target/churn)
      """;

  private static final List<String> TABLES =
      List.of("task_executions", "workflow_executions", "workflow_events", "task_attempts");

  private static final String WAL =
      "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal";

  private static final String TABLE_STATS =
      "SELECT relname::text AS name, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_dead_tup,"
          + " pg_relation_size(relid) AS heap, pg_indexes_size(relid) AS indexes"
          + " FROM pg_stat_user_tables WHERE relname = ANY($1)";

  private static final String INDEX_SIZES =
      "SELECT indexrelname::text AS name, pg_relation_size(indexrelid) AS size"
          + " FROM pg_stat_user_indexes WHERE relname = ANY($1)";

  private static final String STATEMENTS =
      "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls::bigint AS calls,"
          + " total_exec_time AS ms, rows::bigint AS rows, wal_bytes::bigint AS wal,"
          + " shared_blks_hit::bigint AS hit, shared_blks_dirtied::bigint AS dirtied"
          + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database"
          + " WHERE datname = current_database()) AND toplevel";

  private Churn() {}

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 5432;
    String user = "postgres";
    String database = null;
    String phase = "task-loop";
    double seconds = 30;
    double warmup = 10;
    int workers = 8;
    Path jar = Path.of("dispatch-reactive/target/dispatch-reactive-server.jar");
    Path out = Path.of("load/target/churn");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pg-host" -> host = args[++i];
        case "--pg-port" -> port = Integer.parseInt(args[++i]);
        case "--pg-user" -> user = args[++i];
        case "--database" -> database = args[++i];
        case "--phase" -> phase = args[++i];
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--server-jar" -> jar = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> {
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    }
    if (database == null || !(phase.equals("task-loop") || phase.equals("end-to-end"))) {
      System.err.print(USAGE);
      System.exit(2);
    }
    Files.createDirectories(out);
    PostgresqlConnectionFactory stats =
        new PostgresqlConnectionFactory(
            PostgresqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .username(user)
                .database(database)
                .build());
    String dbUrl = "jdbc:postgresql://" + host + ":" + port + "/" + database;
    List<ManagedChannel> channels = new ArrayList<>();
    try (ServerProcess server =
        ServerProcess.start(
            jar, dbUrl, user, 16, freePort(), freePort(), out.resolve("server.log"))) {
      for (int i = 0; i < 2; i++) {
        channels.add(Requests.channel(server.host()));
      }
      if (!server.awaitReady(channels.get(0), Duration.ofSeconds(120))) {
        throw new IOException("the server did not start; see " + out.resolve("server.log"));
      }
      // the view exists only when the server preloads the library
      boolean statements =
          execute(stats, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
              && execute(stats, "SELECT count(*) FROM pg_stat_statements");
      Snapshot[] window = new Snapshot[2];
      LoopMeter meter =
          new LoopMeter(server) {
            @Override
            void open() {
              window[0] = Snapshot.take(stats, statements);
              super.open();
            }

            @Override
            void close() {
              super.close();
              window[1] = Snapshot.take(stats, statements);
            }
          };
      long tasks;
      double measured;
      if (phase.equals("task-loop")) {
        TaskLoop loop = new TaskLoop(channels);
        TaskLoop.Queued queued = loop.queue((long) Math.ceil((warmup + seconds) * 2500));
        log("task-loop: %d tasks queued, %d workers", queued.tasks(), workers);
        double wait = warmup;
        TaskLoop.Counts counts =
            loop.run(
                queued,
                workers,
                () -> {
                  TimeUnit.MILLISECONDS.sleep((long) (wait * 1000));
                  resetStatements(stats, statements);
                },
                seconds,
                meter);
        tasks = counts.tasks();
        measured = counts.seconds();
        if (counts.ranDry()) {
          log("the queue ran dry: fewer tasks than the window could take");
        }
      } else {
        EndToEnd e2e = new EndToEnd(channels, 8, 16);
        e2e.run("warm-up", null, 32, warmup);
        resetStatements(stats, statements);
        EndToEnd.Phase run = e2e.run("max", null, 32, seconds, meter);
        tasks = run.tasksCompleted();
        measured = run.seconds();
        log("end-to-end: %d workflows completed", run.completed());
      }
      report(phase, tasks, measured, window[0], window[1], statements);
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  /** The database's counters at one moment. */
  record Snapshot(
      long wal,
      Map<String, long[]> tables,
      Map<String, Long> indexes,
      Map<String, double[]> statements) {

    static Snapshot take(PostgresqlConnectionFactory factory, boolean statements) {
      return Mono.usingWhen(
              Mono.<Connection>from(factory.create()), c -> read(c, statements), Connection::close)
          .block(Duration.ofSeconds(30));
    }

    private static Mono<Snapshot> read(Connection c, boolean statements) {
      String[] tables = TABLES.toArray(String[]::new);
      Mono<Long> wal =
          Flux.from(c.createStatement(WAL).execute())
              .concatMap(r -> r.map(row -> row.get("wal", Long.class)))
              .next();
      Mono<Map<String, long[]>> tableStats =
          Flux.from(c.createStatement(TABLE_STATS).bind(0, tables).execute())
              .concatMap(
                  r ->
                      r.map(
                          row ->
                              Map.entry(
                                  row.get("name", String.class),
                                  new long[] {
                                    row.get("n_tup_ins", Long.class),
                                    row.get("n_tup_upd", Long.class),
                                    row.get("n_tup_hot_upd", Long.class),
                                    row.get("n_tup_del", Long.class),
                                    row.get("n_dead_tup", Long.class),
                                    row.get("heap", Long.class),
                                    row.get("indexes", Long.class)
                                  })))
              .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
      Mono<Map<String, Long>> indexSizes =
          Flux.from(c.createStatement(INDEX_SIZES).bind(0, tables).execute())
              .concatMap(
                  r ->
                      r.map(
                          row ->
                              Map.entry(
                                  row.get("name", String.class), row.get("size", Long.class))))
              .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
      Mono<Map<String, double[]>> statementStats =
          statements
              ? Flux.from(c.createStatement(STATEMENTS).execute())
                  .concatMap(
                      r ->
                          r.map(
                              row ->
                                  Map.entry(
                                      row.get("query", String.class),
                                      new double[] {
                                        row.get("calls", Long.class),
                                        row.get("ms", Double.class),
                                        row.get("rows", Long.class),
                                        row.get("wal", Long.class),
                                        row.get("hit", Long.class),
                                        row.get("dirtied", Long.class)
                                      })))
                  .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
              : Mono.just(Map.of());
      return wal.flatMap(
          w ->
              tableStats.flatMap(
                  t -> indexSizes.flatMap(i -> statementStats.map(s -> new Snapshot(w, t, i, s)))));
    }
  }

  private static void report(
      String phase, long tasks, double seconds, Snapshot a, Snapshot b, boolean statements) {
    double n = Math.max(1, tasks);
    log("%s: %d tasks in %.1f s (%.0f tasks/s)", phase, tasks, seconds, tasks / seconds);
    log("WAL per task: %.0f bytes", (b.wal() - a.wal()) / n);
    log(
        "%-22s %9s %9s %9s %8s %9s %9s %11s %12s",
        "per task",
        "inserts",
        "updates",
        "HOT",
        "HOT %",
        "deletes",
        "dead",
        "heap bytes",
        "index bytes");
    for (String table : TABLES) {
      long[] x = a.tables().get(table);
      long[] y = b.tables().get(table);
      if (x == null || y == null) {
        continue;
      }
      long updates = y[1] - x[1];
      long hot = y[2] - x[2];
      log(
          "%-22s %9.2f %9.2f %9.2f %7.1f%% %9.2f %9.2f %11.0f %12.0f",
          table,
          (y[0] - x[0]) / n,
          updates / n,
          hot / n,
          updates == 0 ? 0.0 : 100.0 * hot / updates,
          (y[3] - x[3]) / n,
          (y[4] - x[4]) / n,
          (y[5] - x[5]) / n,
          (y[6] - x[6]) / n);
    }
    log("index growth per task (bytes):");
    for (Map.Entry<String, Long> index : b.indexes().entrySet()) {
      long before = a.indexes().getOrDefault(index.getKey(), 0L);
      log("  %-40s %8.1f", index.getKey(), (index.getValue() - before) / n);
    }
    if (!statements) {
      log("pg_stat_statements is not preloaded: no per-statement figures");
      return;
    }
    log(
        "%-92s %8s %9s %9s %9s %9s",
        "statement (top level)", "calls/t", "µs/task", "rows/call", "WAL B/t", "dirtied/t");
    b.statements().entrySet().stream()
        .map(
            e -> {
              double[] y = e.getValue();
              double[] x = a.statements().getOrDefault(e.getKey(), new double[6]);
              double[] d = new double[6];
              for (int i = 0; i < 6; i++) {
                d[i] = y[i] - x[i];
              }
              return Map.entry(e.getKey(), d);
            })
        .filter(e -> e.getValue()[0] > 0)
        .sorted((p, q) -> Double.compare(q.getValue()[1], p.getValue()[1]))
        .limit(12)
        .forEach(
            e -> {
              double[] d = e.getValue();
              log(
                  "%-92s %8.3f %9.1f %9.2f %9.0f %9.3f",
                  e.getKey(), d[0] / n, d[1] * 1000 / n, d[2] / d[0], d[3] / n, d[5] / n);
            });
  }

  private static boolean execute(PostgresqlConnectionFactory factory, String sql) {
    try {
      Mono.usingWhen(
              Mono.<Connection>from(factory.create()),
              c ->
                  Flux.from(c.createStatement(sql).execute())
                      .concatMap(r -> r.getRowsUpdated())
                      .then(),
              Connection::close)
          .block(Duration.ofSeconds(30));
      return true;
    } catch (RuntimeException e) {
      log("%s: %s", sql, e.getMessage());
      return false;
    }
  }

  // the warm-up's statements (and the queuing) out of the window's per-statement figures
  private static void resetStatements(PostgresqlConnectionFactory factory, boolean statements) {
    if (statements) {
      execute(factory, "SELECT pg_stat_statements_reset()");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void log(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
