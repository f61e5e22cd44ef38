package ai.flovyn.dispatch.load;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a load test as ghz does: {@code concurrency} workers spread round-robin over {@code
 * connections} channels to the one configured host, each making calls back to back until the total
 * or the duration is used up.
 */
public final class LoadRun {
  /** Extra wait beyond a call's own deadline before a worker gives up on it. */
  private static final long GIVE_UP_SLACK_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private LoadRun() {}

  /**
   * Runs the load and reports on it; failed calls are part of the report, not an exception.
   *
   * @throws LoadConfigException when the config, call, request data or host is invalid (before any
   *     connection is made)
   * @throws InterruptedException when interrupted; the calls in flight are cancelled
   */
  public static LoadReport run(LoadConfig config) throws LoadConfigException, InterruptedException {
    return run(config, Optional.empty());
  }

  /**
   * {@link #run(LoadConfig)} sending {@code token} on every call, for a server that requires
   * authentication; the token is not part of the report.
   *
   * @throws LoadConfigException as {@link #run(LoadConfig)}, and when the config's metadata carries
   *     an {@code authorization} header too
   * @throws InterruptedException as {@link #run(LoadConfig)}
   */
  public static LoadReport run(LoadConfig config, Optional<BearerToken> token)
      throws LoadConfigException, InterruptedException {
    RequestPlan plan = RequestPlan.prepare(config);
    if (token.isPresent()
        && config.metadata().keySet().stream().anyMatch("authorization"::equalsIgnoreCase)) {
      throw new LoadConfigException(
          "both --token and the config's \"authorization\" metadata carry a token; keep one");
    }
    InetSocketAddress target = Targets.resolve(config.host(), config.allowNonLoopback());
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      for (int i = 0; i < config.connections(); i++) {
        NettyChannelBuilder builder =
            NettyChannelBuilder.forAddress(target)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(64 << 20);
        token.ifPresent(builder::intercept);
        channels.add(builder.build());
      }
      awaitConnected(channels, config.connectTimeout().toNanos());
      return execute(plan, channels);
    } finally {
      close(channels);
    }
  }

  /**
   * Renders the first call's request without connecting: its JSON, or for a client stream a JSON
   * array of its messages.
   *
   * @throws LoadConfigException when the config, call or request data is invalid
   */
  public static String dryRun(LoadConfig config) throws LoadConfigException {
    RequestPlan plan = RequestPlan.prepare(config);
    JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames();
    try {
      PreparedCall call = plan.prepare(0, plan.workerId(0, 0));
      List<String> json = new ArrayList<>();
      for (DynamicMessage message : call.messages()) {
        json.add(printer.print(message));
      }
      return plan.call().clientStreaming() ? "[\n" + String.join(",\n", json) + "\n]" : json.get(0);
    } catch (InvalidProtocolBufferException e) {
      throw new LoadConfigException("cannot render the request: " + e.getMessage(), e);
    }
  }

  private static LoadReport execute(RequestPlan plan, List<ManagedChannel> channels)
      throws InterruptedException {
    LoadConfig config = plan.config();
    long start = System.nanoTime();
    Budget budget =
        new Budget(config.effectiveTotal(), config.duration().toNanos(), config.rps(), start);
    List<Thread> threads = new ArrayList<>();
    List<Tally> tallies = new ArrayList<>();
    for (int i = 0; i < config.concurrency(); i++) {
      int connection = i % channels.size();
      Tally tally = new Tally();
      Worker worker =
          new Worker(plan, channels.get(connection), plan.workerId(i, connection), budget, tally);
      Thread thread = new Thread(worker, "load-worker-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      tallies.add(tally);
    }
    threads.forEach(Thread::start);
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      budget.stop();
      threads.forEach(Thread::interrupt);
      throw e;
    }
    long elapsed = System.nanoTime() - start;
    Tally total = new Tally();
    tallies.forEach(total::merge);
    return LoadReport.of(config, total, elapsed);
  }

  /** Connects every channel up front (as ghz dials before it starts the clock). */
  private static void awaitConnected(List<ManagedChannel> channels, long timeoutNanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    for (ManagedChannel channel : channels) {
      ConnectivityState state = channel.getState(true);
      while (state == ConnectivityState.IDLE || state == ConnectivityState.CONNECTING) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        CountDownLatch changed = new CountDownLatch(1);
        channel.notifyWhenStateChanged(state, changed::countDown);
        changed.await(left, TimeUnit.NANOSECONDS);
        state = channel.getState(false);
      }
    }
  }

  private static void close(List<ManagedChannel> channels) throws InterruptedException {
    channels.forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : channels) {
      if (!channel.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }

  /** One ghz worker: calls back to back on its channel while the budget lasts. */
  private static final class Worker implements Runnable {
    private final RequestPlan plan;
    private final ManagedChannel channel;
    private final String workerId;
    private final Budget budget;
    private final Tally tally;
    private final long timeoutNanos;

    Worker(RequestPlan plan, ManagedChannel channel, String workerId, Budget budget, Tally tally) {
      this.plan = plan;
      this.channel = channel;
      this.workerId = workerId;
      this.budget = budget;
      this.tally = tally;
      this.timeoutNanos = plan.config().timeout().toNanos();
    }

    @Override
    public void run() {
      long n;
      while ((n = budget.next()) >= 0) {
        CallOutcome outcome = call(n);
        if (n >= plan.config().skipFirst()) {
          tally.record(outcome);
        }
      }
    }

    private CallOutcome call(long requestNumber) {
      PreparedCall prepared;
      try {
        prepared = plan.prepare(requestNumber, workerId);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        return CallOutcome.clientError(
            Status.Code.INTERNAL, "cannot render request: " + e.getMessage());
      }
      CallOptions options =
          CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      CallExecution execution = CallExecution.start(channel, plan.call(), prepared, options);
      try {
        return execution.outcome().get(timeoutNanos + GIVE_UP_SLACK_NANOS, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        execution.cancel("load run interrupted");
        return CallOutcome.clientError(Status.Code.CANCELLED, "load run interrupted");
      } catch (TimeoutException e) {
        execution.cancel("no close within the deadline");
        return CallOutcome.clientError(
            Status.Code.DEADLINE_EXCEEDED, "call not closed within its deadline");
      } catch (ExecutionException e) {
        return CallOutcome.clientError(Status.Code.UNKNOWN, String.valueOf(e.getCause()));
      }
    }
  }
}
