package ai.flovyn.dispatch.testing;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;

import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import java.util.List;
import java.util.UUID;

/** Tasks for tests of the task-scoped RPCs: scheduled by a workflow, claimed by a named worker. */
public final class TaskFixtures {
  public static final String TENANT = "tenant-t";

  private TaskFixtures() {}

  /** A scheduled workflow task. */
  public record Scheduled(String workflowId, UUID taskId, String queue) {}

  /** Starts a workflow on a fresh queue and schedules one task of {@code type} in it. */
  public static Scheduled schedule(GrpcTestServer grpc, String type) {
    return schedule(grpc, ScheduleTaskCommand.newBuilder().setTaskType(type));
  }

  /** Like {@link #schedule(GrpcTestServer, String)} with the command's other fields as given. */
  public static Scheduled schedule(GrpcTestServer grpc, ScheduleTaskCommand.Builder command) {
    String queue = "q-" + UUID.randomUUID();
    String workflowId = Commands.startClaimed(grpc.workflows(), start(TENANT, queue));
    UUID taskId = UUID.randomUUID();
    grpc.workflows()
        .submitWorkflowCommands(
            batch(
                workflowId,
                List.of(scheduleTask(command.setTaskExecutionId(taskId.toString()))),
                WorkflowStatus.SUSPENDED));
    return new Scheduled(workflowId, taskId, queue);
  }

  /** Polls {@code queue} as {@code workerId} (waiting up to 5 s). */
  public static PollTaskResponse poll(GrpcTestServer grpc, String queue, String workerId) {
    return poll(grpc, queue, workerId, 5);
  }

  /** Polls {@code queue} as {@code workerId}, waiting up to {@code timeoutSeconds}. */
  public static PollTaskResponse poll(
      GrpcTestServer grpc, String queue, String workerId, long timeoutSeconds) {
    return grpc.tasks()
        .pollTask(
            PollTaskRequest.newBuilder()
                .setWorkerId(workerId)
                .setTenantId(TENANT)
                .setQueue(queue)
                .setTimeoutSeconds(timeoutSeconds)
                .build());
  }
}
