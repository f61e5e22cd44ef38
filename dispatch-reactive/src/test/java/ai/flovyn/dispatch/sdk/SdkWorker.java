package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationResponse;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowExecution;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The worker side of an unmodified Flovyn SDK, emulated over a real gRPC channel: it registers
 * (RegisterWorker; a failure fails the start, docs/sdk-compatibility.md L1), long-polls workflows,
 * reads the whole history with GetEvents, replays its scripted workflow code against it ({@link
 * Replay}) and submits one batch per activation shaped as its {@link FrontEnd} does; and it polls
 * tasks, runs them and reports CompleteTask or FailTask. Every activation and task run is recorded
 * for assertions.
 */
public final class SdkWorker implements AutoCloseable {
  private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

  private final FrontEnd frontEnd;
  private final String tenant;
  private final String queue;
  private final Map<String, WorkflowCode> workflows;
  private final Map<String, TaskCode> tasks;
  private final boolean autoRegistration;
  private final long pollTimeoutSeconds;
  private final WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch;
  private final TaskExecutionGrpc.TaskExecutionBlockingStub taskExecution;
  private final WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle;
  // Rust polls with its own worker id string, never the registration id (L7)
  private final String rustWorkerId = "worker-" + UUID.randomUUID();
  private final List<Activation> activations = new ArrayList<>();
  private final List<TaskRun> taskRuns = new ArrayList<>();
  private final List<String> loopErrors = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private ExecutorService loops;
  private String registeredId;

  /** One task execution the worker ran, and what it reported. */
  public record TaskRun(
      String taskId, String kind, int attempt, String workflowId, String outcome, Status status) {}

  private SdkWorker(Builder builder) {
    frontEnd = builder.frontEnd;
    tenant = builder.tenant;
    queue = builder.queue;
    workflows = Map.copyOf(builder.workflows);
    tasks = Map.copyOf(builder.tasks);
    autoRegistration = builder.autoRegistration;
    pollTimeoutSeconds = builder.pollTimeoutSeconds;
    dispatch = WorkflowDispatchGrpc.newBlockingStub(builder.channel);
    taskExecution = TaskExecutionGrpc.newBlockingStub(builder.channel);
    lifecycle = WorkerLifecycleGrpc.newBlockingStub(builder.channel);
  }

  public static Builder builder(Channel channel, FrontEnd frontEnd) {
    return new Builder(channel, frontEnd);
  }

  /** Configures a worker: tenant (org id), queue, the workflow and task kinds it runs. */
  public static final class Builder {
    private final Channel channel;
    private final FrontEnd frontEnd;
    private String tenant = UUID.randomUUID().toString();
    private String queue = "default";
    private final Map<String, WorkflowCode> workflows = new LinkedHashMap<>();
    private final Map<String, TaskCode> tasks = new LinkedHashMap<>();
    private boolean autoRegistration = true;
    private long pollTimeoutSeconds = 2;

    private Builder(Channel channel, FrontEnd frontEnd) {
      this.channel = channel;
      this.frontEnd = frontEnd;
    }

    public Builder tenant(String value) {
      tenant = value;
      return this;
    }

    public Builder queue(String value) {
      queue = value;
      return this;
    }

    public Builder workflow(String kind, WorkflowCode code) {
      workflows.put(kind, code);
      return this;
    }

    public Builder task(String kind, TaskCode code) {
      tasks.put(kind, code);
      return this;
    }

    /** Rust only: {@code enable_auto_registration(false)} skips RegisterWorker (L1). */
    public Builder autoRegistration(boolean value) {
      if (!value && frontEnd != FrontEnd.RUST) {
        throw new IllegalArgumentException("only the Rust front-end can skip registration");
      }
      autoRegistration = value;
      return this;
    }

    /** Long-poll timeout of PollWorkflow and PollTask (the SDK's default is 60 s / 30 s). */
    public Builder pollTimeoutSeconds(long value) {
      pollTimeoutSeconds = value;
      return this;
    }

    public SdkWorker build() {
      return new SdkWorker(this);
    }
  }

  public FrontEnd frontEnd() {
    return frontEnd;
  }

  public String tenant() {
    return tenant;
  }

  public String queue() {
    return queue;
  }

  /**
   * Registers as the front-end's start does; a gRPC error or {@code success=false} fails the start
   * (an exception), except that Rust only logs {@code success=false} and goes on unregistered.
   *
   * @return the registration's worker id (null when Rust skipped or lost the registration)
   */
  public String start() {
    if (!autoRegistration) {
      return null;
    }
    WorkerRegistrationResponse response =
        lifecycle.withDeadlineAfter(30, TimeUnit.SECONDS).registerWorker(registration());
    if (!response.getSuccess()) {
      if (frontEnd == FrontEnd.RUST) {
        return null;
      }
      throw new IllegalStateException(
          response.hasError() ? response.getError() : "Registration failed");
    }
    registeredId = parseUuidOrNil(response.getWorkerId());
    return registeredId;
  }

  /** Rust only: one SendHeartbeat with the registration id and empty lists (L6). */
  public void heartbeat() {
    if (frontEnd != FrontEnd.RUST || registeredId == null) {
      throw new IllegalStateException("only a registered Rust worker sends heartbeats");
    }
    lifecycle
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .sendHeartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(registeredId).build());
  }

  /** Runs the workflow loop and the task loop on two threads until {@link #close()}. */
  public SdkWorker startLoops() {
    loops = Executors.newFixedThreadPool(2);
    loops.submit(() -> loop(this::activateOnce, "workflow"));
    loops.submit(() -> loop(this::runTaskOnce, "task"));
    return this;
  }

  /**
   * One PollWorkflow and, when it hands out work, one activation: GetEvents, replay, one batch.
   *
   * @return the activation, empty when the poll ended without work
   */
  public Optional<Activation> activateOnce() {
    PollResponse poll =
        dispatch
            .withDeadlineAfter(pollTimeoutSeconds + 15, TimeUnit.SECONDS)
            .pollWorkflow(
                PollRequest.newBuilder()
                    .setWorkerId(pollerId())
                    .setTenantId(tenant)
                    .setQueue(queue)
                    .setTimeoutSeconds(pollTimeoutSeconds)
                    .build());
    if (!poll.hasWorkflowExecution()) {
      return Optional.empty();
    }
    Activation activation = activate(poll.getWorkflowExecution());
    record(activations, activation);
    return Optional.of(activation);
  }

  /**
   * One PollTask and, when it hands out a task, its run and CompleteTask or FailTask.
   *
   * @return whether a task was run
   */
  public boolean runTaskOnce() {
    TaskExecutionInfo task =
        taskExecution
            .withDeadlineAfter(pollTimeoutSeconds + 15, TimeUnit.SECONDS)
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setWorkerId(pollerId())
                    .setTenantId(tenant)
                    .setQueue(queue)
                    .setTimeoutSeconds(pollTimeoutSeconds)
                    .build())
            .getTask();
    if (task.getTaskExecutionId().isEmpty()) {
      return false;
    }
    record(taskRuns, runTask(task));
    return true;
  }

  /** Every activation so far, in the order they ended. */
  public List<Activation> activations() {
    synchronized (activations) {
      return List.copyOf(activations);
    }
  }

  /** The activations of one workflow. */
  public List<Activation> activations(String workflowId) {
    return activations().stream().filter(a -> a.workflowId().equals(workflowId)).toList();
  }

  public List<TaskRun> taskRuns() {
    synchronized (taskRuns) {
      return List.copyOf(taskRuns);
    }
  }

  /** Errors the loops met (failed polls, GetEvents, submissions, task reports). */
  public List<String> loopErrors() {
    synchronized (loopErrors) {
      return List.copyOf(loopErrors);
    }
  }

  /** Every determinism violation any activation hit. */
  public List<String> violations() {
    return activations().stream().map(Activation::violation).filter(Objects::nonNull).toList();
  }

  /**
   * Waits (bounded) until an activation satisfies the condition and returns it; the failure message
   * lists what the worker did, so a stalled run says where it stalled.
   */
  public Activation awaitActivation(Predicate<Activation> condition, String what, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    synchronized (activations) {
      while (true) {
        for (Activation activation : activations) {
          if (condition.test(activation)) {
            return activation;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "timed out after " + bound + " waiting for " + what + "\n" + describe());
        }
        activations.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** A readable account of the activations, task runs and errors so far. */
  public String describe() {
    StringBuilder out = new StringBuilder(frontEnd + " worker:\n");
    activations().forEach(a -> out.append("  activation ").append(a).append('\n'));
    taskRuns().forEach(t -> out.append("  task ").append(t).append('\n'));
    loopErrors().forEach(e -> out.append("  error ").append(e).append('\n'));
    return out.toString();
  }

  @Override
  public void close() throws InterruptedException {
    stopped.countDown();
    if (loops != null) {
      loops.shutdownNow();
      loops.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void loop(LoopStep step, String name) {
    while (stopped.getCount() > 0) {
      try {
        step.run();
      } catch (StatusRuntimeException e) {
        if (stopped.getCount() == 0) {
          return;
        }
        record(loopErrors, name + " loop: " + e.getStatus());
        pauseAfterError();
      } catch (RuntimeException e) {
        record(loopErrors, name + " loop: " + e);
        pauseAfterError();
      }
    }
  }

  @FunctionalInterface
  private interface LoopStep {
    Object run();
  }

  // The Rust loops pause a second after an error; returns at once when the worker stops.
  private void pauseAfterError() {
    try {
      stopped.await(ERROR_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String pollerId() {
    if (frontEnd == FrontEnd.RUST) {
      return rustWorkerId;
    }
    if (registeredId == null) {
      throw new IllegalStateException("Worker not registered");
    }
    return registeredId;
  }

  private Activation activate(WorkflowExecution execution) {
    String workflowId = execution.getId();
    List<WorkflowEvent> wire = history(workflowId);
    List<Event> events = new ArrayList<>();
    for (WorkflowEvent event : wire) {
      Event read = Event.read(frontEnd, event);
      if (read != null) {
        events.add(read);
      }
    }
    // Rust numbers from the count of every event it got (unknown ones included); NAPI dropped some
    int historyLength = frontEnd == FrontEnd.NAPI ? events.size() : wire.size();
    WorkflowCode code = workflows.get(execution.getKind());
    if (code == null) {
      return abandoned(execution, historyLength, "no code for kind " + execution.getKind());
    }
    Replay replay =
        new Replay(
            frontEnd,
            UUID.fromString(workflowId),
            execution.getInput().toStringUtf8(),
            execution.getWorkflowTaskTimeMillis(),
            events);
    SdkBatch batch = SdkBatch.of(frontEnd, workflowId, historyLength);
    String outcome;
    String detail;
    String violation = null;
    SubmitWorkflowCommandsRequest request;
    try {
      String output = code.run(replay);
      outcome = "COMPLETED";
      detail = output;
      request = batch.add(replay.newCommands()).completed(output);
    } catch (Replay.Suspend suspend) {
      outcome = "SUSPENDED";
      detail = suspend.getMessage();
      request = batch.add(replay.newCommands()).suspended("Waiting for " + detail);
    } catch (Replay.DeterminismViolation e) {
      outcome = "FAILED";
      detail = e.getMessage();
      violation = e.getMessage();
      request = batch.add(replay.newCommands()).failed(e.getMessage(), "ERROR");
    } catch (Replay.Cancelled e) {
      outcome = "FAILED";
      detail = e.getMessage();
      String type = frontEnd == FrontEnd.RUST ? "ERROR" : "CANCELLED";
      request = batch.add(replay.newCommands()).failed(e.getMessage(), type);
    } catch (RuntimeException e) {
      outcome = "FAILED";
      detail = String.valueOf(e.getMessage());
      request = batch.add(replay.newCommands()).failed(detail, "ERROR");
    }
    Status status = submit(request);
    return new Activation(
        workflowId,
        execution.getKind(),
        historyLength,
        execution.getWorkflowTaskTimeMillis(),
        outcome,
        detail,
        violation,
        outcome.equals("SUSPENDED") ? Map.of() : replay.unconsumed(),
        request,
        status);
  }

  // Rust abandons the activation when GetEvents fails; FFI and NAPI go on with an empty history.
  private List<WorkflowEvent> history(String workflowId) {
    try {
      return dispatch
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
          .getEventsList();
    } catch (StatusRuntimeException e) {
      record(loopErrors, "GetEvents " + workflowId + ": " + e.getStatus());
      if (frontEnd == FrontEnd.RUST) {
        throw e;
      }
      return List.of();
    }
  }

  private Status submit(SubmitWorkflowCommandsRequest request) {
    try {
      dispatch.withDeadlineAfter(30, TimeUnit.SECONDS).submitWorkflowCommands(request);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      // the SDK logs it and never retries (W9)
      record(
          loopErrors,
          "SubmitWorkflowCommands " + request.getWorkflowExecutionId() + ": " + e.getStatus());
      return e.getStatus();
    }
  }

  private Activation abandoned(WorkflowExecution execution, int historyLength, String why) {
    record(loopErrors, "abandoned " + execution.getId() + ": " + why);
    return new Activation(
        execution.getId(),
        execution.getKind(),
        historyLength,
        execution.getWorkflowTaskTimeMillis(),
        "ABANDONED",
        why,
        null,
        Map.of(),
        null,
        null);
  }

  private TaskRun runTask(TaskExecutionInfo task) {
    String id = task.getTaskExecutionId();
    TaskCode code = tasks.get(task.getTaskType());
    String outcome;
    Status status;
    if (code == null) {
      outcome = "failed: Task kind not found: " + task.getTaskType();
      status = failTask(id, "Task kind not found: " + task.getTaskType());
    } else {
      String output = null;
      String error = null;
      try {
        output = code.run(task.getInput().toStringUtf8(), task.getExecutionCount());
      } catch (RuntimeException e) {
        error = String.valueOf(e.getMessage());
      }
      if (error == null) {
        outcome = "completed: " + output;
        status = completeTask(id, output);
      } else {
        outcome = "failed: " + error;
        status = failTask(id, error);
      }
    }
    return new TaskRun(
        id,
        task.getTaskType(),
        task.getExecutionCount(),
        task.getWorkflowExecutionId(),
        outcome,
        status);
  }

  private Status completeTask(String id, String output) {
    try {
      taskExecution
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .completeTask(
              CompleteTaskRequest.newBuilder()
                  .setTaskExecutionId(id)
                  .setOutput(ByteString.copyFromUtf8(output))
                  .build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      record(loopErrors, "CompleteTask " + id + ": " + e.getStatus());
      return e.getStatus();
    }
  }

  private Status failTask(String id, String error) {
    try {
      taskExecution
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .failTask(FailTaskRequest.newBuilder().setTaskExecutionId(id).setError(error).build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      record(loopErrors, "FailTask " + id + ": " + e.getStatus());
      return e.getStatus();
    }
  }

  private WorkerRegistrationRequest registration() {
    WorkerRegistrationRequest.Builder request =
        WorkerRegistrationRequest.newBuilder()
            .setWorkerName(workerName())
            .setWorkerVersion(frontEnd == FrontEnd.RUST ? "1.0.0" : "0.1.0")
            .setWorkerType(workerType())
            .setTenantId(tenant)
            .setHostName("sdk-emulation")
            .setProcessId(Long.toString(ProcessHandle.current().pid()));
    for (String kind : workflows.keySet()) {
      request.addWorkflows(workflowCapability(kind));
    }
    for (String kind : tasks.keySet()) {
      request.addTasks(
          TaskCapability.newBuilder().setKind(kind).setName(kind).setCancellable(true));
    }
    return request.build();
  }

  private String workerName() {
    return switch (frontEnd) {
      case RUST -> rustWorkerId;
      case FFI -> "ffi-worker-" + queue;
      case NAPI -> "napi-worker-" + queue;
    };
  }

  private String workerType() {
    if (frontEnd == FrontEnd.RUST || (!workflows.isEmpty() && !tasks.isEmpty())) {
      return "UNIFIED";
    }
    if (!workflows.isEmpty()) {
      return "WORKFLOW";
    }
    return tasks.isEmpty() ? "UNIFIED" : "TASK";
  }

  private WorkflowCapability workflowCapability(String kind) {
    WorkflowCapability.Builder capability =
        WorkflowCapability.newBuilder().setKind(kind).setName(kind).setCancellable(true);
    if (frontEnd == FrontEnd.RUST) {
      capability.setVersion("1.0.0").setContentHash(sha256Hex(kind + ":1.0.0"));
    }
    return capability.build();
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  // The SDK takes the nil UUID silently when the id does not parse ("Worker lifecycle").
  private static String parseUuidOrNil(String text) {
    try {
      return UUID.fromString(text).toString();
    } catch (IllegalArgumentException e) {
      return new UUID(0, 0).toString();
    }
  }

  private static <T> void record(List<T> list, T item) {
    synchronized (list) {
      list.add(item);
      list.notifyAll();
    }
  }
}
