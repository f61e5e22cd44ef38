package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Shutdown as SIGTERM runs it: health NOT_SERVING first, running calls finish within the grace
 * period, then the rest (here the open health watch) is cancelled and everything closes.
 */
class GracefulShutdownIT {

  @Test
  void shutdownAnnouncesNotServingAndLetsRunningCallsFinish() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      DispatchServer server =
          DispatchServer.start(
              ServerConfig.from(
                  Map.of(),
                  new String[] {
                    "--grpc-port=0",
                    "--metrics-port=0",
                    "--db-url=" + db.jdbcUrl(),
                    "--db-user=" + db.user(),
                    "--shutdown-grace-seconds=4"
                  }));
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
            () -> scrape(server.metricsPort()).contains("dispatch_polls_waiting 1.0"), "the poll");

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
