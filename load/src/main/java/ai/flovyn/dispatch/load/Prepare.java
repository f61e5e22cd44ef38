package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Creates, over gRPC only, the workflows and tasks with fixed ids ({@link BenchIds}) that the
 * bundled ghz configs and the benchmark address; running it again changes nothing already there.
 *
 * <p>StartWorkflow (with an idempotency key) makes one parent; ScheduleChildWorkflow commands on it
 * create the workflows with our ids; PollWorkflow claims them (RUNNING). A holder workflow gets the
 * tasks to complete, which PollTask claims (RUNNING).
 */
public final class Prepare {
  static final String USAGE =
      """
      Usage: java -cp load-driver.jar ai.flovyn.dispatch.load.Prepare [options]
        --host HOST:PORT   the server (loopback only; default 127.0.0.1:9090)
        --workflows N      workflows to prepare (default 64)
        --tasks N          RUNNING tasks to prepare for complete-task.json (default 1000)
        --token TOKEN      bearer token for a server that requires authentication, a token of
                           tenant bench (default: $DISPATCH_TOKEN)
      """;

  private static final int CHUNK = 100;
  private static final String WORKER = "bench-prepare";

  /**
   * What was prepared.
   *
   * @param workflowsClaimed workflows PollWorkflow claimed in this run (0 when all already were)
   * @param tasksClaimed tasks PollTask claimed in this run (0 when all already were)
   * @param notes what could not be done, e.g. an RPC the server does not implement yet
   */
  public record Result(
      String parentId,
      int workflows,
      int workflowsClaimed,
      int tasks,
      int tasksClaimed,
      List<String> notes) {}

  private Prepare() {}

  public static void main(String[] args) throws Exception {
    String host = GhzConfigs.DEFAULT_HOST;
    int workflows = GhzConfigs.WORKFLOWS;
    int tasks = GhzConfigs.COMPLETE_TASKS;
    String token = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--token" -> token = args[++i];
        case "--workflows" -> workflows = Integer.parseInt(args[++i]);
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "-h", "--help" -> {
          System.out.print(USAGE);
          return;
        }
        default -> {
          System.err.print("prepare: unknown option " + args[i] + "\n" + USAGE);
          System.exit(2);
        }
      }
    }
    Optional<BearerToken> bearer;
    try {
      bearer = BearerToken.chosen(token, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.print("prepare: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    ManagedChannel channel = Requests.channel(host, bearer);
    try {
      Result result = run(channel, workflows, tasks, System.out);
      System.out.printf(
          "prepared on %s: parent %s, workflows 1..%d (%s..%s, %d newly claimed),"
              + " tasks 1..%d (%s.., %d newly claimed)%n",
          host,
          result.parentId(),
          result.workflows(),
          BenchIds.workflowId(1),
          BenchIds.workflowId(Math.max(result.workflows(), 1)),
          result.workflowsClaimed(),
          result.tasks(),
          BenchIds.completeTaskId(1),
          result.tasksClaimed());
      result.notes().forEach(note -> System.out.println("note: " + note));
    } catch (StatusRuntimeException e) {
      System.err.println("prepare: failed: " + e.getStatus());
      System.exit(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Prepares {@code workflows} workflows and {@code tasks} tasks on the server behind {@code
   * channel}.
   *
   * @throws StatusRuntimeException when a call fails for another reason than UNIMPLEMENTED
   */
  public static Result run(Channel channel, int workflows, int tasks, PrintStream log) {
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch =
        WorkflowDispatchGrpc.newBlockingStub(channel);
    TaskExecutionGrpc.TaskExecutionBlockingStub taskStub =
        TaskExecutionGrpc.newBlockingStub(channel);
    List<String> notes = new ArrayList<>();
    String parent = startParent(dispatch);
    // batches are accepted only from the worker holding the claim (already ours on a re-run)
    claimWorkflows(dispatch, BenchIds.PARENT_QUEUE, 1, notes);
    createWorkflows(dispatch, parent, workflows);
    int workflowsClaimed = claimWorkflows(dispatch, BenchIds.WORKFLOW_QUEUE, workflows, notes);
    claimWorkflows(dispatch, BenchIds.HOLDER_QUEUE, 1, notes);
    scheduleCompleteTasks(dispatch, tasks);
    int tasksClaimed = claimTasks(taskStub, tasks, notes);
    log.printf(
        "prepare: parent %s, %d workflows (%d claimed now), %d tasks (%d claimed now)%n",
        parent, workflows, workflowsClaimed, tasks, tasksClaimed);
    return new Result(parent, workflows, workflowsClaimed, tasks, tasksClaimed, List.copyOf(notes));
  }

  private static String startParent(WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch) {
    return withDeadline(dispatch)
        .startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setTenantId(BenchIds.TENANT)
                .setWorkflowKind("bench-parent")
                .setQueue(BenchIds.PARENT_QUEUE)
                .setInput(Requests.utf8("{}"))
                .setIdempotencyKey(BenchIds.PARENT_IDEMPOTENCY_KEY)
                .setIdempotencyKeyTtlSeconds(TimeUnit.DAYS.toSeconds(30))
                .build())
        .getWorkflowExecutionId();
  }

  /** Schedules the children in batches of 100; an existing child with the same id is a match. */
  private static void createWorkflows(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch, String parent, int workflows) {
    List<WorkflowCommand> commands = new ArrayList<>();
    commands.add(
        Requests.scheduleChild(BenchIds.holderId(), "bench-holder", BenchIds.HOLDER_QUEUE));
    for (int w = 1; w <= workflows; w++) {
      commands.add(
          Requests.scheduleChild(BenchIds.workflowId(w), "bench-wf-" + w, BenchIds.WORKFLOW_QUEUE));
    }
    submitInChunks(dispatch, parent, commands);
  }

  private static void scheduleCompleteTasks(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch, int tasks) {
    List<WorkflowCommand> commands = new ArrayList<>();
    for (int t = 1; t <= tasks; t++) {
      commands.add(
          Requests.scheduleTask(
              BenchIds.completeTaskId(t),
              BenchIds.COMPLETE_TASK_TYPE,
              BenchIds.COMPLETE_QUEUE,
              // a lease that runs out between Prepare and complete-task.json only retries the task
              100));
    }
    submitInChunks(dispatch, BenchIds.holderId(), commands);
  }

  private static void submitInChunks(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch,
      String workflowId,
      List<WorkflowCommand> commands) {
    for (int from = 0; from < commands.size(); from += CHUNK) {
      List<WorkflowCommand> chunk = commands.subList(from, Math.min(from + CHUNK, commands.size()));
      withDeadline(dispatch)
          .submitWorkflowCommands(Requests.submit(workflowId, chunk, WorkflowStatus.RUNNING));
    }
  }

  /** Claims PENDING workflows of the queue until none is left (or {@code max} were claimed). */
  private static int claimWorkflows(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch,
      String queue,
      int max,
      List<String> notes) {
    int claimed = 0;
    try {
      while (claimed < max) {
        PollResponse response =
            withDeadline(dispatch)
                .pollWorkflow(
                    PollRequest.newBuilder()
                        .setWorkerId(WORKER)
                        .setTenantId(BenchIds.TENANT)
                        .setQueue(queue)
                        .setTimeoutSeconds(1)
                        .build());
        if (!response.hasWorkflowExecution() || response.getWorkflowExecution().getId().isEmpty()) {
          break;
        }
        claimed++;
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
      notes.add("PollWorkflow is UNIMPLEMENTED: the workflows of " + queue + " stay PENDING");
    }
    return claimed;
  }

  private static int claimTasks(
      TaskExecutionGrpc.TaskExecutionBlockingStub tasks, int max, List<String> notes) {
    int claimed = 0;
    try {
      while (claimed < max) {
        PollTaskResponse response =
            tasks
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setWorkerId(WORKER)
                        .setTenantId(BenchIds.TENANT)
                        .setQueue(BenchIds.COMPLETE_QUEUE)
                        .setTimeoutSeconds(1)
                        .build());
        if (!response.hasTask()) {
          break;
        }
        claimed++;
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
      notes.add("PollTask is UNIMPLEMENTED: the tasks to complete stay PENDING");
    }
    return claimed;
  }

  private static WorkflowDispatchGrpc.WorkflowDispatchBlockingStub withDeadline(
      WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }
}
