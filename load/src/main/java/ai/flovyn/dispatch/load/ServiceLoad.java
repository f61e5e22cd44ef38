package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives SubmitWorkflowCommands (one batch per call) or StreamWorkflowCommands (a window of batches
 * in flight per stream) against prepared workflows for a fixed time; each worker owns its own
 * workflows, so no two batches in flight wait on one workflow's row lock.
 */
final class ServiceLoad {
  private final List<ManagedChannel> channels;
  private final List<String> workflows;

  ServiceLoad(List<ManagedChannel> channels, List<String> workflows) {
    this.channels = channels;
    this.workflows = workflows;
  }

  /** {@code concurrency} threads, each calling back to back for {@code seconds}. */
  ThroughputResult unary(int batch, int concurrency, double seconds) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    Latencies latencies = new Latencies();
    AtomicLong tasks = new AtomicLong();
    Map<String, Long> errors = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      List<String> own = owned(i, concurrency, 1);
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub =
          WorkflowDispatchGrpc.newBlockingStub(channels.get(i % channels.size()));
      Thread thread =
          new Thread(
              () -> {
                int next = 0;
                while (System.nanoTime() < deadline) {
                  String workflow = own.get(next++ % own.size());
                  long t0 = System.nanoTime();
                  try {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .submitWorkflowCommands(request(workflow, batch));
                    latencies.add(System.nanoTime() - t0);
                    tasks.addAndGet(batch);
                  } catch (StatusRuntimeException e) {
                    errors.merge(e.getStatus().getCode().name(), 1L, Long::sum);
                  }
                }
              },
              "bench-unary-" + i);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    return result("service-unary", batch, concurrency, tasks.get(), latencies, errors, elapsed);
  }

  /**
   * {@code concurrency} streams, each keeping {@code window} batches in flight (on distinct
   * workflows) for {@code seconds}; n/a when the server answers UNIMPLEMENTED.
   */
  ThroughputResult stream(int batch, int concurrency, int window, double seconds)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    Latencies latencies = new Latencies();
    AtomicLong tasks = new AtomicLong();
    Map<String, Long> errors = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    List<StreamWorker> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      StreamWorker worker =
          new StreamWorker(
              owned(i, concurrency, window), batch, deadline, latencies, tasks, errors, done);
      workers.add(worker);
      worker.start(WorkflowDispatchGrpc.newStub(channels.get(i % channels.size())), window);
    }
    if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
      workers.forEach(StreamWorker::cancel);
      errors.merge("CLIENT_TIMEOUT", 1L, Long::sum);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Long unimplemented = errors.get(Status.Code.UNIMPLEMENTED.name());
    if (unimplemented != null && tasks.get() == 0) {
      return ThroughputResult.notAvailable(
          "service-stream", batch, concurrency, "StreamWorkflowCommands is UNIMPLEMENTED");
    }
    return result("service-stream", batch, concurrency, tasks.get(), latencies, errors, elapsed);
  }

  /** Workflows of worker {@code index}: {@code index}, {@code index + concurrency}, … */
  List<String> owned(int index, int concurrency, int atLeast) {
    List<String> own = new ArrayList<>();
    for (int w = index; w < workflows.size(); w += concurrency) {
      own.add(workflows.get(w));
    }
    if (own.size() < atLeast) {
      throw new IllegalArgumentException(
          "need "
              + (concurrency * atLeast)
              + " workflows for "
              + concurrency
              + " workers with "
              + atLeast
              + " in flight each, have "
              + workflows.size());
    }
    return own;
  }

  static SubmitWorkflowCommandsRequest request(String workflow, int batch) {
    List<WorkflowCommand> commands = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      commands.add(Requests.scheduleTask(Requests.newUuid(), BenchIds.TASK_TYPE, null));
    }
    return Requests.submit(workflow, commands, WorkflowStatus.RUNNING);
  }

  private static ThroughputResult result(
      String system,
      int batch,
      int concurrency,
      long tasks,
      Latencies latencies,
      Map<String, Long> errors,
      double elapsed) {
    return new ThroughputResult(
        system,
        batch,
        concurrency,
        tasks / elapsed,
        tasks,
        latencies.size(),
        elapsed,
        latencies.percentileMillis(50),
        latencies.percentileMillis(99),
        Map.copyOf(errors),
        errors.isEmpty() ? "" : "failed batches: " + errors);
  }

  /** One stream: sends a batch on a free workflow whenever an ack frees one. */
  private static final class StreamWorker implements StreamObserver<CommandBatchAck> {
    private final ArrayDeque<String> free;
    private final int batch;
    private final long deadline;
    private final Latencies latencies;
    private final AtomicLong tasks;
    private final Map<String, Long> errors;
    private final CountDownLatch done;
    private final Map<String, long[]> sentAt = new HashMap<>();
    private final Map<String, String> workflowOf = new HashMap<>();
    private StreamObserver<CommandBatch> out;
    private long nextRequest;
    private boolean closed;

    StreamWorker(
        List<String> workflows,
        int batch,
        long deadline,
        Latencies latencies,
        AtomicLong tasks,
        Map<String, Long> errors,
        CountDownLatch done) {
      this.free = new ArrayDeque<>(workflows);
      this.batch = batch;
      this.deadline = deadline;
      this.latencies = latencies;
      this.tasks = tasks;
      this.errors = errors;
      this.done = done;
    }

    synchronized void start(WorkflowDispatchGrpc.WorkflowDispatchStub stub, int window) {
      out = stub.withDeadlineAfter(10, TimeUnit.MINUTES).streamWorkflowCommands(this);
      for (int i = 0; i < window; i++) {
        sendNext();
      }
    }

    synchronized void cancel() {
      if (!closed) {
        closed = true;
        out.onError(Status.CANCELLED.withDescription("benchmark gave up").asRuntimeException());
      }
    }

    private void sendNext() {
      if (closed || free.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        if (sentAt.isEmpty()) {
          closed = true;
          out.onCompleted();
        }
        return;
      }
      String workflow = free.poll();
      String id = Long.toString(nextRequest++);
      sentAt.put(id, new long[] {System.nanoTime()});
      workflowOf.put(id, workflow);
      out.onNext(
          CommandBatch.newBuilder().setRequestId(id).setBatch(request(workflow, batch)).build());
    }

    @Override
    public synchronized void onNext(CommandBatchAck ack) {
      long[] sent = sentAt.remove(ack.getRequestId());
      String workflow = workflowOf.remove(ack.getRequestId());
      if (sent != null) {
        latencies.add(System.nanoTime() - sent[0]);
      }
      if (ack.getCode() == 0) {
        tasks.addAndGet(batch);
      } else {
        errors.merge(Status.fromCodeValue(ack.getCode()).getCode().name(), 1L, Long::sum);
      }
      if (workflow != null) {
        free.add(workflow);
      }
      sendNext();
    }

    @Override
    public synchronized void onError(Throwable t) {
      errors.merge(Status.fromThrowable(t).getCode().name(), 1L, Long::sum);
      closed = true;
      done.countDown();
    }

    @Override
    public synchronized void onCompleted() {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
      done.countDown();
    }
  }
}
