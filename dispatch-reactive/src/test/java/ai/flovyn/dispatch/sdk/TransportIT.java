package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.server.DispatchServer;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transport as SDK channels use it (docs/sdk-compatibility.md, X1-X4) against the real server
 * over a real socket: a channel that pings every 10 s even with no call in flight keeps its
 * connection through a long idle period (X2), and one connection carries well over a hundred
 * concurrent calls (X3).
 */
class TransportIT {
  private static final String TENANT = UUID.randomUUID().toString();
  private static TestDatabase db;
  private static DispatchServer server;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    server = RealServers.start(db, "--db-pool-size=6", "--shutdown-grace-seconds=1");
  }

  @AfterAll
  static void stopServer() {
    server.close();
    db.close();
  }

  /** Records every connectivity state a channel passes through, from now on. */
  private static final class StateLog {
    private final ManagedChannel channel;
    private final List<ConnectivityState> states = new CopyOnWriteArrayList<>();
    private final CountDownLatch leftReady = new CountDownLatch(1);

    StateLog(ManagedChannel channel) {
      this.channel = channel;
      watch(channel.getState(false));
    }

    private void watch(ConnectivityState current) {
      states.add(current);
      channel.notifyWhenStateChanged(
          current,
          () -> {
            ConnectivityState next = channel.getState(false);
            if (current == ConnectivityState.READY && next != ConnectivityState.READY) {
              leftReady.countDown();
            }
            if (next != ConnectivityState.SHUTDOWN) {
              watch(next);
            }
          });
    }

    /** Waits up to {@code seconds} for the connection to drop; true when it did. */
    boolean droppedWithin(long seconds) throws InterruptedException {
      return leftReady.await(seconds, TimeUnit.SECONDS);
    }

    List<ConnectivityState> states() {
      return List.copyOf(states);
    }
  }

  private static NettyChannelBuilder channelBuilder() {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext();
  }

  private static String anyWorkflow(ManagedChannel channel) {
    return new SdkClient(channel, TENANT).startWorkflow("transport", "{}", "transport");
  }

  @Test
  void aChannelPingingEveryTenSecondsWithoutCallsKeepsItsConnectionWhileIdle() throws Exception {
    ManagedChannel channel =
        channelBuilder()
            .keepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .build();
    try {
      String workflowId = anyWorkflow(channel);
      assertEquals(ConnectivityState.READY, channel.getState(false));
      StateLog log = new StateLog(channel);

      // idle for 35 s: three pings or more without a call; a GOAWAY (too_many_pings) or a ping
      // timeout would end the wait early by taking the channel out of READY
      assertFalse(log.droppedWithin(35), "the connection dropped while idle: " + log.states());

      assertEquals(
          "WORKFLOW_STARTED",
          WorkflowDispatchGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
              .getEvents(0)
              .getEventType());
      assertEquals(
          List.of(ConnectivityState.READY),
          log.states(),
          "the call used the same connection, no reconnect");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneConnectionCarriesMoreThanAHundredConcurrentLongPolls() throws Exception {
    ManagedChannel channel = channelBuilder().build();
    try {
      anyWorkflow(channel);
      StateLog log = new StateLog(channel);
      String queue = "idle-" + UUID.randomUUID();
      List<ListenableFuture<PollTaskResponse>> taskPolls = new ArrayList<>();
      List<ListenableFuture<PollResponse>> workflowPolls = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        taskPolls.add(
            TaskExecutionGrpc.newFutureStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setWorkerId("w-" + i)
                        .setTenantId(TENANT)
                        .setQueue(queue)
                        .setTimeoutSeconds(2)
                        .build()));
        workflowPolls.add(
            WorkflowDispatchGrpc.newFutureStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .pollWorkflow(
                    PollRequest.newBuilder()
                        .setWorkerId("w-" + i)
                        .setTenantId(TENANT)
                        .setQueue(queue)
                        .setTimeoutSeconds(2)
                        .build()));
      }

      List<PollTaskResponse> tasks = Futures.allAsList(taskPolls).get(30, TimeUnit.SECONDS);
      List<PollResponse> workflows = Futures.allAsList(workflowPolls).get(30, TimeUnit.SECONDS);

      assertEquals(60, tasks.size());
      assertTrue(tasks.stream().noneMatch(PollTaskResponse::hasTask), "idle polls end empty (W1)");
      assertEquals(60, workflows.size());
      assertTrue(
          workflows.stream().noneMatch(PollResponse::hasWorkflowExecution),
          "idle polls end empty (W1)");
      assertEquals(List.of(ConnectivityState.READY), log.states(), "one connection throughout");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
