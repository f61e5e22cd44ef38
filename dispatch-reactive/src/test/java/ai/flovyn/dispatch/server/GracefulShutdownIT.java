package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Shutdown as SIGTERM runs it, over a real socket: health NOT_SERVING first; command streams take
 * no new batches, finish those in flight and end cleanly; waiting polls answer empty at once;
 * subscriptions complete; shutdown ends as soon as that work is done, not after the grace period.
 */
class GracefulShutdownIT {

  @Test
  void shutdownAnnouncesNotServingAndLetsRunningCallsFinish() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      DispatchServer server = RealServers.start(db, "--shutdown-grace-seconds=4");
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        List<ServingStatus> seen = new CopyOnWriteArrayList<>();
        HealthGrpc.newStub(channel)
            .watch(
                HealthCheckRequest.newBuilder().setService("").build(),
                new StreamObserver<HealthCheckResponse>() {
                  @Override
                  public void onNext(HealthCheckResponse response) {
                    seen.add(response.getStatus());
                  }

                  @Override
                  public void onError(Throwable error) {}

                  @Override
                  public void onCompleted() {}
                });
        Await.until(() -> seen.contains(ServingStatus.SERVING), "health SERVING");
        CompletableFuture<Boolean> subscriptionEnded = new CompletableFuture<>();
        WorkflowDispatchGrpc.newStub(channel)
            .subscribeToNotifications(
                SubscriptionRequest.newBuilder()
                    .setWorkerId("w")
                    .setTenantId("t")
                    .setQueue("q")
                    .build(),
                new StreamObserver<WorkAvailableEvent>() {
                  @Override
                  public void onNext(WorkAvailableEvent event) {}

                  @Override
                  public void onError(Throwable error) {
                    subscriptionEnded.complete(false);
                  }

                  @Override
                  public void onCompleted() {
                    subscriptionEnded.complete(true);
                  }
                });
        ListenableFuture<PollTaskResponse> running =
            TaskExecutionGrpc.newFutureStub(channel)
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setWorkerId("w")
                        .setTenantId("t")
                        .setQueue("q")
                        .setTimeoutSeconds(2)
                        .build());

        // the poll went out after the subscription on the same connection: once the server counts
        // the poll as waiting, both calls are running
        Await.until(
            () -> scrape(server.httpPort()).contains("dispatch_polls_waiting 1.0"), "the poll");

        server.close();

        assertEquals(ServingStatus.NOT_SERVING, seen.get(seen.size() - 1));
        PollTaskResponse drained = running.get(10, TimeUnit.SECONDS);
        assertFalse(drained.hasTask(), "the running long poll finished normally, empty");
        assertTrue(
            subscriptionEnded.get(10, TimeUnit.SECONDS),
            "the notification stream was completed, not cut off");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shutdownDrainsCommandStreamsAndAnswersWaitingPollsAtOnce() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      // a grace period longer than the waits below: the test ends only if shutdown does not use it
      DispatchServer server = RealServers.start(db, "--shutdown-grace-seconds=120");
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try (Connection blocker = db.jdbc()) {
        WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows =
            WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        String workflowId =
            workflows.startWorkflow(Commands.start("t", "wq")).getWorkflowExecutionId();
        assertEquals(
            workflowId,
            workflows
                .pollWorkflow(
                    PollRequest.newBuilder()
                        .setWorkerId("w")
                        .setTenantId("t")
                        .setQueue("wq")
                        .setTimeoutSeconds(5)
                        .build())
                .getWorkflowExecution()
                .getId());
        // the batch in flight at shutdown waits for this lock on its workflow
        blocker.setAutoCommit(false);
        try (Statement lock = blocker.createStatement()) {
          lock.execute(
              "SELECT 1 FROM workflow_executions WHERE id = '" + workflowId + "' FOR UPDATE");
        }
        List<CommandBatchAck> acks = new CopyOnWriteArrayList<>();
        CompletableFuture<Status> streamEnded = new CompletableFuture<>();
        StreamObserver<CommandBatch> stream =
            WorkflowDispatchGrpc.newStub(channel)
                .streamWorkflowCommands(
                    new StreamObserver<CommandBatchAck>() {
                      @Override
                      public void onNext(CommandBatchAck ack) {
                        acks.add(ack);
                      }

                      @Override
                      public void onError(Throwable error) {
                        streamEnded.complete(Status.fromThrowable(error));
                      }

                      @Override
                      public void onCompleted() {
                        streamEnded.complete(Status.OK);
                      }
                    });
        UUID inFlightTask = UUID.randomUUID();
        stream.onNext(scheduling("in-flight", workflowId, inFlightTask));
        Await.until(
            () -> scrape(server.httpPort()).contains("dispatch_command_batches_in_flight 1.0"),
            "the batch in flight");
        ListenableFuture<PollTaskResponse> poll =
            TaskExecutionGrpc.newFutureStub(channel)
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setWorkerId("w")
                        .setTenantId("t")
                        .setQueue("idle")
                        .setTimeoutSeconds(100)
                        .build());
        Await.until(
            () -> scrape(server.httpPort()).contains("dispatch_polls_waiting 1.0"), "the poll");

        CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);

        assertFalse(poll.get(30, TimeUnit.SECONDS).hasTask(), "the waiting poll answered empty");
        UUID lateTask = UUID.randomUUID();
        stream.onNext(scheduling("late", workflowId, lateTask));
        Await.until(() -> !acks.isEmpty(), "the late batch's ack");
        assertEquals("late", acks.get(0).getRequestId());
        assertEquals(Status.Code.UNAVAILABLE.value(), acks.get(0).getCode());
        assertEquals("server shutting down", acks.get(0).getMessage());
        assertFalse(streamEnded.isDone(), "the stream waits for the batch in flight");
        blocker.rollback();

        assertEquals(Status.OK, streamEnded.get(30, TimeUnit.SECONDS), "ended cleanly");
        assertEquals(2, acks.size());
        assertEquals("in-flight", acks.get(1).getRequestId());
        assertEquals(0, acks.get(1).getCode(), acks.get(1).getMessage());
        closed.get(30, TimeUnit.SECONDS);
        assertEquals(
            1, db.scalar("SELECT count(*) FROM task_executions WHERE id = ?", inFlightTask));
        assertEquals(0, db.scalar("SELECT count(*) FROM task_executions WHERE id = ?", lateTask));
      } finally {
        server.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static CommandBatch scheduling(String requestId, String workflowId, UUID taskId) {
    return CommandBatch.newBuilder()
        .setRequestId(requestId)
        .setBatch(
            Commands.batch(
                workflowId,
                List.of(Commands.scheduleTask(taskId, "drained")),
                WorkflowStatus.SUSPENDED))
        .build();
  }

  private static String scrape(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }
}
