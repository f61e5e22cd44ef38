package ai.flovyn.dispatch.load;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer of the dispatch loop: db-scheduler running one-time tasks whose body only counts, in a
 * JVM of its own so that its CPU is measured per process like the server's. Driven by {@link
 * PeerProcess} over standard input and output, one line each way ({@link PeerReply}):
 *
 * <pre>
 * ready POLLING THREADS        once the scheduler runs (paused)
 * schedule N   -> scheduled N SECONDS   N one-time tasks due now, written while paused
 * go           -> done N SECONDS        resumes until the N scheduled since the last go ran,
 *                                       then pauses and waits for their completions
 * check        -> left ROWS EXECUTED    rows left in scheduled_tasks, task bodies run in all
 * quit         -> bye
 * </pre>
 */
public final class DbSchedulerPeer {
  static final String TASK_NAME = "peer-count";
  static final String SCHEMA = "/db-scheduler/postgresql_tables.sql";
  static final String LOCK_AND_FETCH = "lock-and-fetch";
  static final String FETCH = "fetch";
  // how long a run may go without a task body running before it is reported as stalled
  private static final long STALL_SECONDS = 60;
  private static final int SCHEDULE_BATCH = 1000;

  private final HikariDataSource dataSource;
  private final OneTimeTask<Void> task;
  private final Scheduler scheduler;
  private final AtomicLong executed = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile CountDownLatch reached = new CountDownLatch(1);
  private long scheduledSinceGo;
  private long instances;

  private DbSchedulerPeer(HikariDataSource dataSource, String polling, int threads) {
    this.dataSource = dataSource;
    this.task =
        Tasks.oneTime(TASK_NAME)
            .execute(
                (instance, context) -> {
                  if (executed.incrementAndGet() >= target) {
                    reached.countDown();
                  }
                });
    var builder = Scheduler.create(dataSource, task).threads(threads);
    // db-scheduler's README: lock-and-fetch for more than 1000 executions/s ("for normal usage,
    // set to for example 0.5, 1.0"); fetch-and-lock-on-execute is its default (0.5, 3.0)
    switch (polling) {
      case LOCK_AND_FETCH -> builder.pollUsingLockAndFetch(0.5, 1.0);
      case FETCH -> builder.pollUsingFetchAndLockOnExecute(0.5, 3.0);
      default -> throw new IllegalArgumentException("--polling must be lock-and-fetch or fetch");
    }
    this.scheduler = builder.build();
  }

  /** The command line of the peer's JVM. */
  record Options(String jdbcUrl, String user, int threads, String polling, boolean createTable) {
    static Options parse(String[] args) {
      String url = null;
      String user = "postgres";
      int threads = 8;
      String polling = LOCK_AND_FETCH;
      boolean create = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--jdbc-url" -> url = args[++i];
          case "--user" -> user = args[++i];
          case "--threads" -> threads = Integer.parseInt(args[++i]);
          case "--polling" -> polling = args[++i];
          case "--create-table" -> create = true;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (url == null) {
        throw new IllegalArgumentException("--jdbc-url is required");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be at least 1");
      }
      if (!polling.equals(LOCK_AND_FETCH) && !polling.equals(FETCH)) {
        throw new IllegalArgumentException("--polling must be lock-and-fetch or fetch");
      }
      return new Options(url, user, threads, polling, create);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.out.println("error " + e.getMessage());
      System.exit(2);
      return;
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(options.jdbcUrl());
    config.setUsername(options.user());
    // Hikari's defaults otherwise (10 connections, autocommit): what a user starts with
    config.setPoolName("peer");
    try (HikariDataSource dataSource = new HikariDataSource(config)) {
      if (options.createTable()) {
        createTable(dataSource);
      }
      DbSchedulerPeer peer = new DbSchedulerPeer(dataSource, options.polling(), options.threads());
      peer.serve(System.in, System.out, options);
    }
    System.exit(0);
  }

  /** Runs db-scheduler's own DDL for PostgreSQL. */
  static void createTable(javax.sql.DataSource dataSource) throws IOException, SQLException {
    try (InputStream in = DbSchedulerPeer.class.getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IOException(SCHEMA + " is not on the class path");
      }
      String ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(ddl);
      }
    }
  }

  private void serve(InputStream in, PrintStream out, Options options) throws Exception {
    scheduler.start();
    scheduler.pause();
    out.println("ready " + options.polling() + " " + options.threads());
    out.flush();
    BufferedReader commands = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = commands.readLine()) != null) {
      String[] words = line.strip().split("\\s+");
      String reply;
      try {
        reply =
            switch (words[0]) {
              case "schedule" -> schedule(Long.parseLong(words[1]));
              case "go" -> go();
              case "check" -> check();
              case "quit" -> "bye";
              default -> "error unknown command " + words[0];
            };
      } catch (Exception e) {
        reply = "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      out.println(reply);
      out.flush();
      if (words[0].equals("quit")) {
        break;
      }
    }
    scheduler.stop();
  }

  /** Writes {@code n} one-time tasks due now while the scheduler is paused. */
  private String schedule(long n) {
    long start = System.nanoTime();
    Instant now = Instant.now();
    List<TaskInstance<?>> batch = new ArrayList<>(SCHEDULE_BATCH);
    for (long i = 0; i < n; i++) {
      batch.add(task.instance(Long.toString(instances++)));
      if (batch.size() == SCHEDULE_BATCH || i == n - 1) {
        scheduler.scheduleBatch(batch, now);
        batch = new ArrayList<>(SCHEDULE_BATCH);
      }
    }
    scheduledSinceGo += n;
    return String.format(Locale.ROOT, "scheduled %d %.3f", n, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Resumes until every task scheduled since the last run has run, pauses, and waits until the last
   * completions (deleting the rows) are done. The seconds are from resuming to the last task body.
   */
  private String go() throws InterruptedException {
    long before = executed.get();
    long wanted = scheduledSinceGo;
    scheduledSinceGo = 0;
    reached = new CountDownLatch(1);
    target = before + wanted;
    long start = System.nanoTime();
    scheduler.resume();
    scheduler.triggerCheckForDueExecutions();
    long seen = executed.get();
    long lastProgress = System.nanoTime();
    while (executed.get() < target && !reached.await(1, TimeUnit.SECONDS)) {
      long now = executed.get();
      if (now != seen) {
        seen = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
        scheduler.pause();
        return String.format(
            Locale.ROOT, "error stalled after %d of %d tasks", now - before, wanted);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    scheduler.pause();
    target = Long.MAX_VALUE;
    while (!scheduler.getCurrentlyExecuting().isEmpty()) {
      TimeUnit.MILLISECONDS.sleep(1);
    }
    return String.format(Locale.ROOT, "done %d %.3f", executed.get() - before, seconds);
  }

  private String check() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
      rows.next();
      return "left " + rows.getLong(1) + " " + executed.get();
    }
  }
}
