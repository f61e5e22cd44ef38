package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.proto.AgentDispatchGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The request size limit of each RPC: the transport refuses any message over {@link #MAX_INBOUND}
 * (16 MiB, for the RPCs that carry payloads); the RPCs that carry none (polls, subscriptions,
 * heartbeats, reads by id, logs, live task data) take at most {@link #CONTROL} (1 MiB), and a
 * larger request is RESOURCE_EXHAUSTED naming the RPC and the limit before any work is done.
 */
public final class RequestSizes implements ServerInterceptor {
  /** The largest request message the server reads at all. */
  public static final int MAX_INBOUND = 16 * 1024 * 1024;

  /** The largest request of an RPC that carries no payload. */
  static final int CONTROL = 1024 * 1024;

  private static final Map<String, Integer> LIMITS =
      Stream.of(
              WorkflowDispatchGrpc.getPollWorkflowMethod(),
              WorkflowDispatchGrpc.getSubscribeToNotificationsMethod(),
              WorkflowDispatchGrpc.getGetEventsMethod(),
              WorkflowDispatchGrpc.getGetVisualWorkflowDefinitionByIdMethod(),
              TaskExecutionGrpc.getPollTaskMethod(),
              TaskExecutionGrpc.getHeartbeatMethod(),
              TaskExecutionGrpc.getCancelTaskMethod(),
              TaskExecutionGrpc.getReportProgressMethod(),
              TaskExecutionGrpc.getLogMessageMethod(),
              TaskExecutionGrpc.getGetStateMethod(),
              TaskExecutionGrpc.getClearStateMethod(),
              TaskExecutionGrpc.getClearAllStateMethod(),
              TaskExecutionGrpc.getGetStateKeysMethod(),
              TaskExecutionGrpc.getStreamTaskDataMethod(),
              TaskExecutionGrpc.getSubscribeTaskDataMethod(),
              TaskExecutionGrpc.getListTaskLogsMethod(),
              WorkerLifecycleGrpc.getSendHeartbeatMethod(),
              AgentDispatchGrpc.getPollAgentMethod(),
              AgentDispatchGrpc.getGetEntriesMethod(),
              AgentDispatchGrpc.getGetLatestCheckpointMethod(),
              AgentDispatchGrpc.getGetAgentTaskResultMethod(),
              AgentDispatchGrpc.getGetAgentTaskResultsMethod(),
              AgentDispatchGrpc.getGetAgentTaskCountMethod(),
              AgentDispatchGrpc.getCancelAgentTaskMethod(),
              AgentDispatchGrpc.getHasSignalMethod(),
              AgentDispatchGrpc.getConsumeSignalsMethod(),
              AgentDispatchGrpc.getResumeAgentMethod(),
              AgentDispatchGrpc.getPollChildEventsMethod(),
              AgentDispatchGrpc.getStreamAgentDataMethod(),
              WorkerLifecycleGrpc.getListWorkersMethod())
          .collect(Collectors.toMap(MethodDescriptor::getFullMethodName, method -> CONTROL));

  RequestSizes() {}

  /** The request size limit of {@code fullMethodName}. */
  static int limitOf(String fullMethodName) {
    return LIMITS.getOrDefault(fullMethodName, MAX_INBOUND);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    Integer limit = LIMITS.get(method.getFullMethodName());
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (limit == null) {
      return listener;
    }
    String rpc = method.getBareMethodName();
    return new SimpleForwardingServerCallListener<>(listener) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        if (message instanceof MessageLite request && request.getSerializedSize() > limit) {
          refused = true;
          call.close(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  rpc
                      + " request is "
                      + request.getSerializedSize()
                      + " bytes, at most "
                      + limit
                      + " allowed"),
              new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }
}
