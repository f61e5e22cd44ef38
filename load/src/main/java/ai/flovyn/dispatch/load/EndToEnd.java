package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SuspendWorkflowCommand;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The whole dispatch loop with 10 tasks per workflow: StartWorkflow → PollWorkflow → 10
 * ScheduleTask + SUSPENDED → task workers PollTask + CompleteTask → the workflow, polled again,
 * completes (CompleteWorkflow + COMPLETED) once all its tasks are done, else suspends again.
 * Measures workflows completed per second and, per task, the time from its batch's ack to the
 * PollTask response that hands it to a worker.
 */
final class EndToEnd {
  static final int TASKS_PER_WORKFLOW = 10;
  private static final String TENANT = "bench-e2e";

  /**
   * One phase.
   *
   * @param targetRate workflows started per second (open loop), or null for a closed loop
   * @param dispatchP50Ms task commit (batch ack) to PollTask response, median
   */
  record Phase(
      String mode,
      Double targetRate,
      int inFlight,
      double seconds,
      long completed,
      double workflowsPerSecond,
      double dispatchP50Ms,
      double dispatchP99Ms,
      double workflowP50Ms,
      double workflowP99Ms,
      long latencySamples,
      long tasksCompleted,
      Map<String, Long> errors) {}

  private final List<ManagedChannel> channels;
  private final int workflowWorkers;
  private final int taskWorkers;

  EndToEnd(List<ManagedChannel> channels, int workflowWorkers, int taskWorkers) {
    this.channels = channels;
    this.workflowWorkers = workflowWorkers;
    this.taskWorkers = taskWorkers;
  }

  /** The first of PollWorkflow, PollTask, CompleteTask that answers UNIMPLEMENTED, else null. */
  String unimplementedRpc() {
    ManagedChannel channel = channels.get(0);
    try {
      WorkflowDispatchGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .pollWorkflow(
              PollRequest.newBuilder()
                  .setTenantId(TENANT)
                  .setQueue("probe")
                  .setWorkerId("probe")
                  .setTimeoutSeconds(1)
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return "PollWorkflow";
      }
    }
    TaskExecutionGrpc.TaskExecutionBlockingStub tasks =
        TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      tasks.pollTask(
          PollTaskRequest.newBuilder()
              .setTenantId(TENANT)
              .setQueue("probe")
              .setWorkerId("probe")
              .setTimeoutSeconds(1)
              .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return "PollTask";
      }
    }
    try {
      tasks.completeTask(
          CompleteTaskRequest.newBuilder().setTaskExecutionId(Requests.newUuid()).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return "CompleteTask";
      }
    }
    return null;
  }

  /**
   * Runs for {@code seconds}: with {@code ratePerSecond} null, keeps {@code inFlight} workflows
   * running (a closed loop: the maximum); else starts workflows at that rate (an open loop).
   */
  Phase run(String name, Double ratePerSecond, int inFlight, double seconds)
      throws InterruptedException {
    return run(name, ratePerSecond, inFlight, seconds, null);
  }

  /** {@link #run(String, Double, int, double)}, opening and closing {@code meter} on its window. */
  Phase run(String name, Double ratePerSecond, int inFlight, double seconds, LoopMeter meter)
      throws InterruptedException {
    return run(name, ratePerSecond, inFlight, seconds, meter, 0, null);
  }

  /** What a long run reports while it goes on (load/soak.sh). */
  interface Ticker {
    /**
     * Called on the thread that started the run every {@code tickSeconds} and once at its end.
     *
     * @param tasksCompleted tasks completed since the run started
     * @param workflowsCompleted workflows completed since the run started
     */
    void tick(double elapsedSeconds, long tasksCompleted, long workflowsCompleted);
  }

  /**
   * {@link #run(String, Double, int, double, LoopMeter)}, calling {@code ticker} (when not null)
   * every {@code tickSeconds} of a closed loop ({@code ratePerSecond} null) and once at the end of
   * the window.
   */
  Phase run(
      String name,
      Double ratePerSecond,
      int inFlight,
      double seconds,
      LoopMeter meter,
      double tickSeconds,
      Ticker ticker)
      throws InterruptedException {
    Run run = new Run(name, inFlight);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workflowWorkers; i++) {
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub =
          WorkflowDispatchGrpc.newBlockingStub(channels.get(i % channels.size()));
      threads.add(new Thread(() -> run.workflowWorker(stub), "e2e-wf-" + i));
    }
    for (int i = 0; i < taskWorkers; i++) {
      ManagedChannel channel = channels.get(i % channels.size());
      threads.add(
          new Thread(
              () -> run.taskWorker(TaskExecutionGrpc.newBlockingStub(channel)), "e2e-t" + i));
    }
    threads.forEach(Thread::start);
    if (meter != null) {
      meter.open();
    }
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long tickNanos = (long) (tickSeconds * 1e9);
    long nextTick = start + tickNanos;
    ExecutorService starters = Executors.newFixedThreadPool(4);
    try {
      if (ratePerSecond == null) {
        while (System.nanoTime() < end) {
          if (run.slots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            starters.execute(run::startWorkflow);
          }
          if (ticker != null && System.nanoTime() >= nextTick) {
            run.tick(ticker, start);
            nextTick += tickNanos;
          }
        }
      } else {
        long interval = (long) (1e9 / ratePerSecond);
        long next = start;
        while (next < end) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          starters.execute(run::startWorkflow);
          next += interval;
        }
      }
    } finally {
      long elapsedNanos = System.nanoTime() - start;
      if (ticker != null) {
        run.tick(ticker, start);
      }
      run.measuredNanos.set(elapsedNanos);
      run.tasksInWindow.set(run.tasksCompleted.get());
      if (meter != null) {
        meter.close();
      }
      run.stop.set(true);
      starters.shutdown();
      starters.awaitTermination(30, TimeUnit.SECONDS);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    return run.phase(ratePerSecond, inFlight);
  }

  /** What a workflow worker knows of one workflow. */
  private static final class WorkflowState {
    volatile long startNanos;
    volatile boolean scheduled;
    final AtomicInteger tasksDone = new AtomicInteger();
    // CompleteTask calls sent and not yet answered: the server may wake the workflow for one of
    // them before its answer reaches the task worker
    final AtomicInteger completing = new AtomicInteger();
  }

  /** The shared state of one phase. */
  private final class Run {
    final String workflowQueue;
    final String taskQueue;
    final Semaphore slots;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong measuredNanos = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong tasksCompleted = new AtomicLong();
    final AtomicLong tasksInWindow = new AtomicLong();
    final Map<String, WorkflowState> workflows = new ConcurrentHashMap<>();
    final Map<String, Long> ackedAt = new ConcurrentHashMap<>();
    final Map<String, Long> polledAt = new ConcurrentHashMap<>();
    final Latencies workflowLatencies = new Latencies();
    final Map<String, Long> errors = new ConcurrentHashMap<>();

    Run(String name, int inFlight) {
      String suffix = name + "-" + Requests.newUuid().substring(0, 8);
      this.workflowQueue = "e2e-wf-" + suffix;
      this.taskQueue = "e2e-task-" + suffix;
      this.slots = new Semaphore(inFlight);
    }

    void tick(Ticker ticker, long startNanos) {
      ticker.tick((System.nanoTime() - startNanos) / 1e9, tasksCompleted.get(), completed.get());
    }

    void startWorkflow() {
      if (stop.get()) {
        return;
      }
      long t0 = System.nanoTime();
      try {
        String id =
            WorkflowDispatchGrpc.newBlockingStub(channels.get(0))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .startWorkflow(
                    StartWorkflowRequest.newBuilder()
                        .setTenantId(TENANT)
                        .setWorkflowKind("e2e")
                        .setQueue(workflowQueue)
                        .setInput(Requests.SMALL_INPUT)
                        .build())
                .getWorkflowExecutionId();
        workflows.computeIfAbsent(id, k -> new WorkflowState()).startNanos = t0;
      } catch (StatusRuntimeException e) {
        error("StartWorkflow", e);
        slots.release();
      }
    }

    void workflowWorker(WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub) {
      while (!stop.get()) {
        try {
          PollResponse polled =
              stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                  .pollWorkflow(
                      PollRequest.newBuilder()
                          .setTenantId(TENANT)
                          .setQueue(workflowQueue)
                          .setWorkerId(Thread.currentThread().getName())
                          .setTimeoutSeconds(1)
                          .build());
          String id = polled.getWorkflowExecution().getId();
          if (!polled.hasWorkflowExecution() || id.isEmpty()) {
            continue;
          }
          advance(stub, id, workflows.computeIfAbsent(id, k -> new WorkflowState()));
        } catch (StatusRuntimeException e) {
          error("workflow worker", e);
        }
      }
    }

    private void advance(
        WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub, String id, WorkflowState state) {
      if (!state.scheduled) {
        List<WorkflowCommand> commands = new ArrayList<>();
        List<String> taskIds = new ArrayList<>();
        for (int i = 0; i < TASKS_PER_WORKFLOW; i++) {
          String taskId = Requests.newUuid();
          taskIds.add(taskId);
          commands.add(Requests.scheduleTask(taskId, BenchIds.TASK_TYPE, taskQueue));
        }
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .submitWorkflowCommands(Requests.submit(id, commands, WorkflowStatus.SUSPENDED));
        long acked = System.nanoTime();
        taskIds.forEach(taskId -> ackedAt.put(taskId, acked));
        state.scheduled = true;
      } else if (awaitCompletions(state) >= TASKS_PER_WORKFLOW) {
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .submitWorkflowCommands(
                Requests.submit(
                    id, List.of(Requests.completeWorkflow()), WorkflowStatus.COMPLETED));
        long done = System.nanoTime();
        if (state.startNanos > 0) {
          workflowLatencies.add(done - state.startNanos);
        }
        if (measuredNanos.get() == 0) {
          completed.incrementAndGet();
        }
        slots.release();
      } else {
        // woken by one completion while others are outstanding: wait again (a completion that
        // came in meanwhile sends it straight back to PENDING)
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .submitWorkflowCommands(
                Requests.submit(id, List.of(suspend()), WorkflowStatus.SUSPENDED));
      }
    }

    /**
     * The tasks done once the completions in flight are answered (at most 5 s): the workflow was
     * woken by a completion the server committed, and suspending it before that completion is
     * counted here would leave it suspended with nothing left to wake it, a slot of the closed loop
     * lost for good.
     */
    private int awaitCompletions(WorkflowState state) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (state.completing.get() > 0
          && state.tasksDone.get() < TASKS_PER_WORKFLOW
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000);
      }
      return state.tasksDone.get();
    }

    void taskWorker(TaskExecutionGrpc.TaskExecutionBlockingStub stub) {
      while (!stop.get()) {
        try {
          PollTaskResponse polled =
              stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                  .pollTask(
                      PollTaskRequest.newBuilder()
                          .setTenantId(TENANT)
                          .setQueue(taskQueue)
                          .setWorkerId(Thread.currentThread().getName())
                          .setTimeoutSeconds(1)
                          .build());
          if (!polled.hasTask()) {
            continue;
          }
          long received = System.nanoTime();
          TaskExecutionInfo task = polled.getTask();
          polledAt.put(task.getTaskExecutionId(), received);
          WorkflowState state =
              workflows.computeIfAbsent(task.getWorkflowExecutionId(), k -> new WorkflowState());
          state.completing.incrementAndGet();
          try {
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .completeTask(
                    CompleteTaskRequest.newBuilder()
                        .setTaskExecutionId(task.getTaskExecutionId())
                        .setOutput(Requests.COMPLETE_OUTPUT)
                        .build());
            tasksCompleted.incrementAndGet();
            state.tasksDone.incrementAndGet();
          } finally {
            state.completing.decrementAndGet();
          }
        } catch (StatusRuntimeException e) {
          error("task worker", e);
        }
      }
    }

    private void error(String where, StatusRuntimeException e) {
      errors.merge(where + ": " + e.getStatus().getCode(), 1L, Long::sum);
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        stop.set(true);
      }
    }

    Phase phase(Double rate, int inFlight) {
      Latencies dispatch = new Latencies();
      polledAt.forEach(
          (taskId, polled) -> {
            Long acked = ackedAt.get(taskId);
            if (acked != null) {
              // a poll answered before the ack reached us counts as immediate
              dispatch.add(Math.max(0, polled - acked));
            }
          });
      double seconds = measuredNanos.get() / 1e9;
      return new Phase(
          rate == null ? "closed-loop" : "open-loop",
          rate,
          rate == null ? inFlight : 0,
          seconds,
          completed.get(),
          completed.get() / seconds,
          dispatch.percentileMillis(50),
          dispatch.percentileMillis(99),
          workflowLatencies.percentileMillis(50),
          workflowLatencies.percentileMillis(99),
          dispatch.size(),
          tasksInWindow.get(),
          Map.copyOf(errors));
    }
  }

  private static WorkflowCommand suspend() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SUSPEND_WORKFLOW)
        .setSuspendWorkflow(SuspendWorkflowCommand.newBuilder().setReason("waiting for tasks"))
        .build();
  }
}
