package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The task-only dispatch loop: tasks queued beforehand through command batches on claimed
 * workflows, then N task workers each doing PollTask + CompleteTask back to back. The tasks are
 * spread over many workflows and ordered so that consecutive claims belong to different workflows,
 * as in pg-loop-ceiling.sh, so that completions do not all queue on one workflow row's lock.
 */
final class TaskLoop {
  static final String TENANT = "bench-loop";
  static final int TASKS_PER_WORKFLOW = 500;
  private static final int BATCH = 100;
  // order_key = creation time - priority: task i of every workflow sorts before task i + 1 as long
  // as queuing takes less than this
  private static final int PRIORITY_STEP_SECONDS = 600;

  private final List<ManagedChannel> channels;

  /** Tasks queued on {@code taskQueue} of {@link #TENANT}. */
  record Queued(String taskQueue, long tasks) {}

  /** What a run saw. */
  record Counts(long tasks, double seconds, boolean ranDry, Map<String, Long> errors) {}

  TaskLoop(List<ManagedChannel> channels) {
    this.channels = channels;
  }

  /**
   * Starts enough workflows for {@code tasks}, claims them with PollWorkflow and schedules the
   * tasks through SubmitWorkflowCommands (batches of 100, status RUNNING).
   */
  Queued queue(long tasks) throws IOException, InterruptedException {
    String suffix = Requests.newUuid().substring(0, 8);
    String workflowQueue = "loop-wf-" + suffix;
    String taskQueue = "loop-task-" + suffix;
    int workflows = (int) Math.max(1, (tasks + TASKS_PER_WORKFLOW - 1) / TASKS_PER_WORKFLOW);
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub =
        WorkflowDispatchGrpc.newBlockingStub(channels.get(0));
    for (int i = 0; i < workflows; i++) {
      stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .startWorkflow(
              StartWorkflowRequest.newBuilder()
                  .setTenantId(TENANT)
                  .setWorkflowKind("bench-loop")
                  .setQueue(workflowQueue)
                  .setInput(Requests.SMALL_INPUT)
                  .build());
    }
    List<String> claimed = claimAll(stub, workflowQueue, workflows);
    ExecutorService submitters = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < claimed.size(); w++) {
        String workflowId = claimed.get(w);
        ManagedChannel channel = channels.get(w % channels.size());
        done.add(submitters.submit(() -> schedule(channel, workflowId, taskQueue)));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("queuing the task-only loop's tasks failed: " + e.getMessage(), e);
    } finally {
      submitters.shutdownNow();
    }
    return new Queued(taskQueue, (long) claimed.size() * TASKS_PER_WORKFLOW);
  }

  private static List<String> claimAll(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub, String queue, int workflows)
      throws IOException {
    Set<String> claimed = new HashSet<>();
    int emptyPolls = 0;
    while (claimed.size() < workflows && emptyPolls < 5) {
      PollResponse polled =
          stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .pollWorkflow(
                  PollRequest.newBuilder()
                      .setTenantId(TENANT)
                      .setQueue(queue)
                      .setWorkerId("bench-loop-prepare")
                      .setTimeoutSeconds(1)
                      .build());
      if (polled.hasWorkflowExecution() && !polled.getWorkflowExecution().getId().isEmpty()) {
        claimed.add(polled.getWorkflowExecution().getId());
      } else {
        emptyPolls++;
      }
    }
    if (claimed.isEmpty()) {
      throw new IOException("PollWorkflow handed out none of the task-only loop's workflows");
    }
    return List.copyOf(claimed);
  }

  private static void schedule(ManagedChannel channel, String workflowId, String taskQueue) {
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub =
        WorkflowDispatchGrpc.newBlockingStub(channel);
    for (int first = 0; first < TASKS_PER_WORKFLOW; first += BATCH) {
      List<WorkflowCommand> commands = new ArrayList<>();
      for (int i = first; i < first + BATCH; i++) {
        WorkflowCommand task =
            Requests.scheduleTask(Requests.newUuid(), BenchIds.TASK_TYPE, taskQueue);
        commands.add(
            task.toBuilder()
                .setScheduleTask(
                    ScheduleTaskCommand.newBuilder(task.getScheduleTask())
                        .setPrioritySeconds(-i * PRIORITY_STEP_SECONDS))
                .build());
      }
      stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .submitWorkflowCommands(Requests.submit(workflowId, commands, WorkflowStatus.RUNNING));
    }
  }

  /** The unmeasured start of a run: blocks while the workers run, until the window may open. */
  interface Warmup {
    void await() throws InterruptedException;
  }

  /**
   * Runs {@code workers} task workers on {@code queued}: {@code warmupSeconds} unmeasured, then
   * {@code seconds} between {@code meter.open()} and {@code meter.close()}.
   */
  Counts run(Queued queued, int workers, double warmupSeconds, double seconds, LoopMeter meter)
      throws InterruptedException {
    return run(
        queued,
        workers,
        () -> TimeUnit.MILLISECONDS.sleep((long) (warmupSeconds * 1000)),
        seconds,
        meter);
  }

  /**
   * Runs {@code workers} task workers on {@code queued}: unmeasured until {@code warmup} returns,
   * then {@code seconds} between {@code meter.open()} and {@code meter.close()}.
   */
  Counts run(Queued queued, int workers, Warmup warmup, double seconds, LoopMeter meter)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean ranDry = new AtomicBoolean();
    AtomicLong completed = new AtomicLong();
    Map<String, Long> errors = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      TaskExecutionGrpc.TaskExecutionBlockingStub stub =
          TaskExecutionGrpc.newBlockingStub(channels.get(i % channels.size()));
      String worker = "loop-t" + i;
      threads.add(
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    if (!pollAndComplete(stub, queued.taskQueue(), worker)) {
                      ranDry.compareAndSet(false, measuring.get());
                    } else {
                      completed.incrementAndGet();
                    }
                  } catch (StatusRuntimeException e) {
                    errors.merge(e.getStatus().getCode().name(), 1L, Long::sum);
                  }
                }
              },
              worker));
    }
    threads.forEach(Thread::start);
    long firstTask;
    long lastTask;
    long start;
    long end;
    try {
      warmup.await();
      meter.open();
      measuring.set(true);
      firstTask = completed.get();
      start = System.nanoTime();
      TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
      lastTask = completed.get();
      end = System.nanoTime();
      meter.close();
      measuring.set(false);
    } finally {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    return new Counts(lastTask - firstTask, (end - start) / 1e9, ranDry.get(), Map.copyOf(errors));
  }

  /** One PollTask (1 s long poll) and, when it hands out a task, its CompleteTask. */
  private static boolean pollAndComplete(
      TaskExecutionGrpc.TaskExecutionBlockingStub stub, String queue, String worker) {
    PollTaskResponse polled =
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setTenantId(TENANT)
                    .setQueue(queue)
                    .setWorkerId(worker)
                    .setTimeoutSeconds(1)
                    .build());
    if (!polled.hasTask()) {
      return false;
    }
    stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .completeTask(
            CompleteTaskRequest.newBuilder()
                .setTaskExecutionId(polled.getTask().getTaskExecutionId())
                .setOutput(Requests.COMPLETE_OUTPUT)
                .build());
    return true;
  }
}
