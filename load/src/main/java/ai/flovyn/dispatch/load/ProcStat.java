package ai.flovyn.dispatch.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of processes and threads from /proc: what the benchmarks charge to each side (the
 * server, the peer's JVM, PostgreSQL, the load driver). Every reader answers NaN when /proc cannot
 * be read, so that a report says "unknown" rather than a wrong number.
 */
final class ProcStat {
  static final long CLOCK_TICKS_PER_SECOND = clockTicks();

  /**
   * The environment variable naming the postmaster of the benchmark's own PostgreSQL instance
   * (load/own-pg.sh sets it): PostgreSQL's CPU is then that instance's alone, not every {@code
   * postgres} process of the machine.
   */
  static final String POSTMASTER_PID_ENV = "BENCH_PG_POSTMASTER_PID";

  private ProcStat() {}

  /** One line of /proc/PID/stat, split after the command name (which may hold spaces). */
  record Stat(String command, long parentPid, long ticks) {

    /** Parses a /proc/PID/stat or /proc/PID/task/TID/stat line. */
    static Stat parse(String line) {
      int open = line.indexOf('(');
      int close = line.lastIndexOf(')');
      // fields after ")": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
      // cmajflt utime stime ...
      String[] fields = line.substring(close + 2).split(" ");
      return new Stat(
          line.substring(open + 1, close),
          Long.parseLong(fields[1]),
          Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
    }
  }

  /** utime + stime of process {@code pid} in seconds; NaN when unreadable. */
  static double cpuSeconds(long pid) {
    Stat stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    return stat == null ? Double.NaN : stat.ticks() / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** utime + stime of this JVM (the load driver) in seconds; NaN when unreadable. */
  static double selfCpuSeconds() {
    return cpuSeconds(ProcessHandle.current().pid());
  }

  /**
   * utime + stime of the JIT compiler threads (C1 and C2) of JVM {@code pid} in seconds; NaN when
   * unreadable. The kernel keeps 15 characters of a thread's name: "C2 CompilerThre".
   */
  static double compilerCpuSeconds(long pid) {
    long ticks = 0;
    try (DirectoryStream<Path> threads =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads) {
        Stat stat = read(thread.resolve("stat"));
        if (stat != null && stat.command().contains("CompilerThre")) {
          ticks += stat.ticks();
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return ticks / (double) CLOCK_TICKS_PER_SECOND;
  }

  /**
   * utime + stime of PostgreSQL in seconds: with {@link #POSTMASTER_PID_ENV} set, that postmaster
   * and its children (backends, autovacuum, WAL writer, checkpointer); else every process named
   * {@code postgres} on the machine. NaN when /proc cannot be read.
   */
  static double postgresCpuSeconds() {
    String postmaster = System.getenv(POSTMASTER_PID_ENV);
    return postgresCpuSeconds(
        postmaster == null || postmaster.isBlank() ? -1 : Long.parseLong(postmaster.strip()));
  }

  /** {@link #postgresCpuSeconds()} for postmaster {@code postmasterPid}, or all when -1. */
  static double postgresCpuSeconds(long postmasterPid) {
    long ticks = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        Stat stat = read(process.resolve("stat"));
        if (stat != null
            && counts(stat, Long.parseLong(process.getFileName().toString()), postmasterPid)) {
          ticks += stat.ticks();
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return ticks / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** Whether process {@code pid} is part of the PostgreSQL being measured. */
  static boolean counts(Stat stat, long pid, long postmasterPid) {
    if (postmasterPid < 0) {
      return "postgres".equals(stat.command());
    }
    return pid == postmasterPid || stat.parentPid() == postmasterPid;
  }

  private static Stat read(Path stat) {
    try {
      return Stat.parse(Files.readString(stat));
    } catch (IOException | RuntimeException e) {
      return null; // the process or thread ended meanwhile
    }
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(getconf.getInputStream().readAllBytes()).strip();
      getconf.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
