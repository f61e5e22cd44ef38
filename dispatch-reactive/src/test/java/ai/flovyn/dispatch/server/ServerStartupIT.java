package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the server as a user would, with no database configured, and talks to it over TCP. */
class ServerStartupIT {
  @TempDir Path dataDir;

  @Test
  void embeddedDefaultServesHealthReflectionAndMetricsAndKeepsDataAcrossRestart() throws Exception {
    ServerConfig config =
        ServerConfig.from(
            Map.of(), new String[] {"--grpc-port=0", "--http-port=0", "--data-dir=" + dataDir});
    int port;
    try (DispatchServer server = DispatchServer.start(config)) {
      port = server.grpcPort();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        assertEquals(ServingStatus.SERVING, health(channel, ""));
        assertEquals(ServingStatus.SERVING, health(channel, "flovyn.v1.WorkflowDispatch"));
        assertEquals(ServingStatus.SERVING, health(channel, "flovyn.v1.TaskExecution"));
        List<String> services = reflectedServices(channel);
        assertTrue(services.contains("flovyn.v1.WorkflowDispatch"), services.toString());
        assertTrue(services.contains("flovyn.v1.TaskExecution"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      // authentication is off here (embedded, loopback): the HTTP port listens on loopback only
      assertTrue(
          server.httpAddress().getAddress().isLoopbackAddress(), server.httpAddress().toString());
      assertTrue(
          server.grpcAddress().getAddress().isLoopbackAddress(), server.grpcAddress().toString());
      HttpResponse<String> metrics = scrape(server.httpPort());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics exported");
      assertTrue(metrics.body().contains("dispatch_db_pool_acquired"), "pool use exported");
      assertTrue(metrics.body().contains("dispatch_polls_waiting"), "pipeline gauges exported");
      try (Connection connection =
              DriverManager.getConnection(server.databaseUrl(), "postgres", "");
          Statement statement = connection.createStatement()) {
        statement.execute(
            "INSERT INTO workflow_executions (id, tenant_id, kind, queue, status, order_key)"
                + " VALUES ('00000000-0000-0000-0000-0000000000aa', 't', 'k', 'q', 'PENDING', now())");
      }
    }

    ManagedChannel after =
        ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      assertThrows(StatusRuntimeException.class, () -> health(after, ""), "closed after stop");
    } finally {
      after.shutdownNow();
    }

    try (DispatchServer restarted = DispatchServer.start(config);
        Connection connection =
            DriverManager.getConnection(restarted.databaseUrl(), "postgres", "");
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM workflow_executions WHERE id = '00000000-0000-0000-0000-0000000000aa'")) {
      rows.next();
      assertEquals(1, rows.getInt(1), "the row written before the restart is still there");
    }
  }

  private static ServingStatus health(ManagedChannel channel, String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  private static List<String> reflectedServices(ManagedChannel channel) throws Exception {
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    result.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable error) {
                    result.completeExceptionally(error);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();
    return result.get(5, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> scrape(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
