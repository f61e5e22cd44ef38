package ai.flovyn.dispatch.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * db-scheduler ({@link DbSchedulerPeer}) in a JVM of its own, driven line by line; its CPU and its
 * JIT compiler's come from /proc like the server's ({@link ServerProcess}).
 */
final class PeerProcess implements AutoCloseable {
  private final Process process;
  private final List<String> command;
  private final Writer commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

  /** What one backlog run gave: task bodies run and seconds from resume to the last of them. */
  record Run(long executed, double seconds) {
    double tasksPerSecond() {
      return seconds > 0 ? executed / seconds : 0;
    }
  }

  private PeerProcess(Process process, List<String> command) {
    this.process = process;
    this.command = command;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  replies.add(line);
                }
              } catch (IOException e) {
                // the process ended; await() reports it
              }
            },
            "peer-replies");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the peer's JVM ({@code -Xmx256m}, as the server) on {@code classpath} against {@code
   * jdbcUrl}; its standard error goes to {@code log}. Returns once it is ready.
   *
   * @param createTable whether to run db-scheduler's DDL first (a fresh database)
   */
  static PeerProcess start(
      String classpath,
      String jdbcUrl,
      String user,
      int threads,
      String polling,
      boolean createTable,
      Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(classpath);
    command.add(DbSchedulerPeer.class.getName());
    command.addAll(
        List.of(
            "--jdbc-url",
            jdbcUrl,
            "--user",
            user,
            "--threads",
            Integer.toString(threads),
            "--polling",
            polling));
    if (createTable) {
      command.add("--create-table");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    PeerProcess peer = new PeerProcess(process, List.copyOf(command));
    try {
      peer.await("ready", 120);
    } catch (IOException | RuntimeException e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  long pid() {
    return process.pid();
  }

  List<String> command() {
    return command;
  }

  double cpuSeconds() {
    return ProcStat.cpuSeconds(pid());
  }

  double compilerCpuSeconds() {
    return ProcStat.compilerCpuSeconds(pid());
  }

  /** Writes {@code tasks} one-time tasks due now; the scheduler stays paused. */
  void schedule(long tasks) throws IOException, InterruptedException {
    send("schedule " + tasks);
    await("scheduled", 600);
  }

  /**
   * Runs what was scheduled until every task ran (the peer reports a run that stops making progress
   * for a minute as an error).
   */
  Run go() throws IOException, InterruptedException {
    send("go");
    PeerReply done = await("done", 3600);
    return new Run((long) done.number(0), done.number(1));
  }

  /** Rows left in scheduled_tasks (0 once a backlog is done) and task bodies run in all. */
  long[] check() throws IOException, InterruptedException {
    send("check");
    PeerReply left = await("left", 60);
    return new long[] {(long) left.number(0), (long) left.number(1)};
  }

  private void send(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
  }

  /** The next reply, which must be {@code kind}; an {@code error} reply or a dead JVM throws. */
  private PeerReply await(String kind, long timeoutSeconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      String line = replies.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        if (!process.isAlive() && replies.isEmpty()) {
          throw new IOException("the peer's JVM exited with " + process.exitValue());
        }
        continue;
      }
      PeerReply reply = PeerReply.parse(line);
      if (reply.kind().equals(kind)) {
        return reply;
      }
      if (reply.kind().equals("error")) {
        throw new IOException("the peer failed: " + reply.text());
      }
      // anything else on its standard output (a library's banner) is not a reply
    }
    throw new IOException("the peer did not answer '" + kind + "' within " + timeoutSeconds + " s");
  }

  /** {@code quit}, then SIGTERM and SIGKILL if it has not ended. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      send("quit");
    } catch (IOException e) {
      // it is going away already
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
