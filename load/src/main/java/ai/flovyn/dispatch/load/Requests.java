package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Builders for the flovyn.v1 requests that Prepare and the benchmark send. */
final class Requests {
  static final ByteString SMALL_INPUT = utf8("{\"n\":1}");
  static final ByteString COMPLETE_OUTPUT = utf8("{\"ok\":true}");

  private Requests() {}

  static ByteString utf8(String text) {
    return ByteString.copyFrom(text, StandardCharsets.UTF_8);
  }

  /** A plaintext channel to a loopback {@code host:port}. */
  static ManagedChannel channel(String hostPort) throws LoadConfigException {
    return channel(hostPort, Optional.empty());
  }

  /** A plaintext channel to a loopback {@code host:port}, sending {@code token} on every call. */
  static ManagedChannel channel(String hostPort, Optional<BearerToken> token)
      throws LoadConfigException {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(Targets.resolve(hostPort, false))
            .usePlaintext()
            .maxInboundMessageSize(64 << 20);
    token.ifPresent(builder::intercept);
    return builder.build();
  }

  /** A random version-4 UUID without the shared SecureRandom that UUID.randomUUID contends on. */
  static String newUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  static WorkflowCommand scheduleTask(String taskId, String taskType, String queue) {
    return scheduleTask(taskId, taskType, queue, null);
  }

  static WorkflowCommand scheduleTask(
      String taskId, String taskType, String queue, Integer maxRetries) {
    ScheduleTaskCommand.Builder task =
        ScheduleTaskCommand.newBuilder()
            .setTaskExecutionId(taskId)
            .setTaskType(taskType)
            .setInput(SMALL_INPUT);
    if (queue != null) {
      task.setQueue(queue);
    }
    if (maxRetries != null) {
      task.setMaxRetries(maxRetries);
    }
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_TASK)
        .setScheduleTask(task)
        .build();
  }

  static WorkflowCommand scheduleChild(String childId, String name, String queue) {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.SCHEDULE_CHILD_WORKFLOW)
        .setScheduleChildWorkflow(
            ScheduleChildWorkflowCommand.newBuilder()
                .setChildWorkflowExecutionId(childId)
                .setChildExecutionName(name)
                .setWorkflowKind(BenchIds.WORKFLOW_KIND)
                .setQueue(queue))
        .build();
  }

  static WorkflowCommand completeWorkflow() {
    return WorkflowCommand.newBuilder()
        .setCommandType(CommandType.COMPLETE_WORKFLOW)
        .setCompleteWorkflow(CompleteWorkflowCommand.newBuilder().setOutput(COMPLETE_OUTPUT))
        .build();
  }

  static SubmitWorkflowCommandsRequest submit(
      String workflowId, List<WorkflowCommand> commands, WorkflowStatus status) {
    return SubmitWorkflowCommandsRequest.newBuilder()
        .setWorkflowExecutionId(workflowId)
        .addAllCommands(commands)
        .setStatus(status)
        .build();
  }
}
