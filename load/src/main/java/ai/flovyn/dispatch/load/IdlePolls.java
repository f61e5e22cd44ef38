package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Server CPU while nothing happens, and while many PollTask calls wait on an empty queue. */
final class IdlePolls {
  /**
   * CPU of the server over a window, in % of one core.
   *
   * @param idleCpuPercent with no calls at all
   * @param pollsCpuPercent with {@code polls} long polls waiting
   * @param endedEarly polls that returned before the window closed (should be 0)
   */
  record Result(
      double idleCpuPercent,
      Double pollsCpuPercent,
      int polls,
      int timeoutSeconds,
      double windowSeconds,
      int endedEarly,
      Map<String, Long> errors,
      String note) {}

  private IdlePolls() {}

  static Result measure(ServerProcess server, ManagedChannel channel, int polls, double seconds)
      throws InterruptedException {
    TimeUnit.SECONDS.sleep(2);
    double idle = cpuPercent(server, seconds);
    int timeout = 30;
    Map<String, Long> errors = new ConcurrentHashMap<>();
    AtomicInteger ended = new AtomicInteger();
    String queue = "idle-" + Requests.newUuid();
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      context.run(
          () -> {
            TaskExecutionGrpc.TaskExecutionStub stub =
                TaskExecutionGrpc.newStub(channel)
                    .withDeadlineAfter(timeout + 10, TimeUnit.SECONDS);
            for (int i = 0; i < polls; i++) {
              stub.pollTask(
                  PollTaskRequest.newBuilder()
                      .setTenantId("bench-idle")
                      .setQueue(queue)
                      .setWorkerId("idle-" + i)
                      .setTimeoutSeconds(timeout)
                      .build(),
                  new StreamObserver<PollTaskResponse>() {
                    @Override
                    public void onNext(PollTaskResponse value) {}

                    @Override
                    public void onError(Throwable t) {
                      ended.incrementAndGet();
                      errors.merge(Status.fromThrowable(t).getCode().name(), 1L, Long::sum);
                    }

                    @Override
                    public void onCompleted() {
                      ended.incrementAndGet();
                    }
                  });
            }
          });
      // let the calls arrive and settle into their wait
      TimeUnit.SECONDS.sleep(2);
      int endedBefore = ended.get();
      if (errors.containsKey(Status.Code.UNIMPLEMENTED.name())) {
        return new Result(
            idle,
            null,
            polls,
            timeout,
            seconds,
            endedBefore,
            Map.copyOf(errors),
            "PollTask is UNIMPLEMENTED");
      }
      double withPolls = cpuPercent(server, seconds);
      int endedEarly = ended.get();
      String note =
          endedEarly == 0
              ? ""
              : endedEarly + " of " + polls + " polls ended before the window closed: " + errors;
      return new Result(
          idle, withPolls, polls, timeout, seconds, endedEarly, Map.copyOf(errors), note);
    } finally {
      context.cancel(null);
    }
  }

  private static double cpuPercent(ServerProcess server, double seconds)
      throws InterruptedException {
    double before = server.cpuSeconds();
    long t0 = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
    double after = server.cpuSeconds();
    double wall = (System.nanoTime() - t0) / 1e9;
    return (after - before) / wall * 100;
  }
}
