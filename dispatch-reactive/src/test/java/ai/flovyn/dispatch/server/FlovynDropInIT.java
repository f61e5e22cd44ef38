package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteWorkflowCommand;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server started exactly as the Flovyn SDKs' end-to-end harness starts Flovyn's server image:
 * the same environment variables (DATABASE_URL as a libpq URL, SERVER_PORT, GRPC_SERVER_PORT,
 * CONFIG_FILE, and the NATS variables it also sets) and a config file with the harness's text, on
 * an empty database. The harness then waits for {@code GET /_/health}, drives workers over gRPC
 * with the Worker key and the REST API with the User key, naming the org by its UUID on gRPC and by
 * its slug on REST.
 */
class FlovynDropInIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  // generated as the harness generates them
  private final String orgId = UUID.randomUUID().toString();
  private final String orgSlug = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private final String apiKey = "flovyn_sk_test_" + UUID.randomUUID().toString().substring(0, 16);
  private final String workerToken =
      "flovyn_wk_test_" + UUID.randomUUID().toString().substring(0, 16);

  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path temp;
  private TestDatabase db;
  private DispatchServer server;
  private ManagedChannel channel;

  @BeforeEach
  void startAsTheHarnessDoes() throws Exception {
    db = TestDatabase.createEmpty();
    Path config = temp.resolve("flovyn-test-config-1.toml");
    Files.writeString(config, harnessConfig(), StandardCharsets.UTF_8);
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("DATABASE_URL", libpqUrl(db));
    environment.put("NATS__ENABLED", "true");
    environment.put("NATS__URL", "nats://127.0.0.1:4222");
    environment.put("SERVER_PORT", "0");
    environment.put("GRPC_SERVER_PORT", "0");
    environment.put("CONFIG_FILE", config.toString());
    server = DispatchServer.start(ServerConfig.from(environment, new String[0]));
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    db.close();
  }

  @Test
  void aWorkerWithTheWorkerKeyRunsWhatTheUserKeyStarted() throws Exception {
    assertEquals(200, send(get("/_/health")).statusCode(), "the harness's readiness check");

    HttpResponse<String> started =
        send(
            post(
                    "/api/orgs/" + orgSlug + "/workflow-executions",
                    "{\"kind\":\"checkout\",\"input\":{\"order\":42},\"queue\":\"dropin\"}")
                .header("Authorization", "Bearer " + apiKey));
    assertEquals(201, started.statusCode(), started.body());
    String workflowId = JSON.readTree(started.body()).path("id").asText();

    PollResponse polled =
        asWorker(workerToken)
            .pollWorkflow(
                PollRequest.newBuilder()
                    .setWorkerId("worker-1")
                    .setTenantId(orgId)
                    .setQueue("dropin")
                    .setTimeoutSeconds(20)
                    .build());
    assertEquals(workflowId, polled.getWorkflowExecution().getId());
    asWorker(workerToken)
        .submitWorkflowCommands(
            SubmitWorkflowCommandsRequest.newBuilder()
                .setWorkflowExecutionId(workflowId)
                .setStatus(WorkflowStatus.COMPLETED)
                .addCommands(
                    WorkflowCommand.newBuilder()
                        .setCommandType(CommandType.COMPLETE_WORKFLOW)
                        .setCompleteWorkflow(
                            CompleteWorkflowCommand.newBuilder()
                                .setOutput(ByteString.copyFromUtf8("{\"paid\":true}"))))
                .build());

    HttpResponse<String> detail =
        send(
            get("/api/orgs/" + orgSlug + "/workflow-executions/" + workflowId)
                .header("Authorization", "Bearer " + apiKey));
    assertEquals(200, detail.statusCode(), detail.body());
    JsonNode workflow = JSON.readTree(detail.body());
    assertEquals("COMPLETED", workflow.path("status").asText());
    assertEquals(orgId, workflow.path("orgId").asText(), "the org's UUID, as the SDK parses it");
    assertEquals("checkout", workflow.path("workflowKind").asText());
    assertEquals(true, workflow.path("output").path("paid").asBoolean());
    assertEquals(
        "COMPLETED",
        db.rows("SELECT tenant_id, status FROM workflow_executions WHERE id = ?::uuid", workflowId)
            .get(0)
            .get("status"));
  }

  @Test
  void theUserKeyNamesItsOrgAndSaysWhoItIs() throws Exception {
    HttpResponse<String> whoami =
        send(get("/api/whoami").header("Authorization", "Bearer " + apiKey));
    assertEquals(200, whoami.statusCode(), whoami.body());
    JsonNode caller = JSON.readTree(whoami.body());
    assertEquals(orgId, caller.path("orgId").asText());
    assertEquals(orgSlug, caller.path("orgSlug").asText());
    assertEquals("admin", caller.path("role").asText(), "principal_type User, role ADMIN");
    assertEquals("config:api:test", caller.path("tokenId").asText());
    HttpResponse<String> worker =
        send(get("/api/whoami").header("Authorization", "Bearer " + workerToken));
    assertEquals("worker", JSON.readTree(worker.body()).path("role").asText());
  }

  @Test
  void wrongOrMissingKeysAreRefusedOnBothPorts() throws Exception {
    String wrong = "flovyn_wk_test_" + UUID.randomUUID().toString().substring(0, 16);
    for (String token : new String[] {wrong, apiKey + "x", workerToken.toUpperCase()}) {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  asWorker(token)
                      .pollWorkflow(
                          PollRequest.newBuilder()
                              .setWorkerId("intruder")
                              .setTenantId(orgId)
                              .setQueue("dropin")
                              .build()));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
      String path = "/api/orgs/" + orgSlug + "/workflow-executions";
      assertEquals(
          401, send(get(path).header("Authorization", "Bearer " + token)).statusCode(), token);
    }
    assertEquals(
        401, send(get("/api/orgs/" + orgSlug + "/workflow-executions")).statusCode(), "no key");
    assertEquals(
        0, db.scalar("SELECT count(*) FROM workflow_executions"), "nothing was written by them");
  }

  @Test
  void anotherTenantIsNotReachableWithTheOrgsKeys() throws Exception {
    StatusRuntimeException denied =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                asWorker(workerToken)
                    .pollWorkflow(
                        PollRequest.newBuilder()
                            .setWorkerId("worker-1")
                            .setTenantId(UUID.randomUUID().toString())
                            .setQueue("dropin")
                            .build()));
    assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
    HttpResponse<String> other =
        send(get("/api/orgs/acme/queues").header("Authorization", "Bearer " + apiKey));
    assertEquals(404, other.statusCode(), other.body());
  }

  private WorkflowDispatchGrpc.WorkflowDispatchBlockingStub asWorker(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return WorkflowDispatchGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).GET();
  }

  private HttpRequest.Builder post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  /** The test database as the harness passes its database: a libpq URL with sslmode. */
  static String libpqUrl(TestDatabase db) {
    URI jdbc = URI.create(db.jdbcUrl().substring("jdbc:".length()));
    String password = db.password() == null ? "" : db.password();
    return "postgres://"
        + URLEncoder.encode(db.user(), StandardCharsets.UTF_8)
        + (password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8))
        + "@"
        + jdbc.getHost()
        + ":"
        + jdbc.getPort()
        + jdbc.getPath()
        + "?sslmode=disable";
  }

  /** The text of the harness's create_config_file, with this test's org and keys. */
  private String harnessConfig() {
    return """

        # Pre-configured organizations
        [[orgs]]
        id = "%1$s"
        name = "Test Organization"
        slug = "%2$s"
        tier = "FREE"

        # Authentication configuration
        [auth]
        enabled = true

        # Static API keys
        [auth.static_api_key]
        keys = [
            { key = "%3$s", org_id = "%1$s", principal_type = "User", principal_id = "api:test", role = "ADMIN" },
            { key = "%4$s", org_id = "%1$s", principal_type = "Worker", principal_id = "worker:test" }
        ]

        # Endpoint authentication
        [auth.endpoints.http]
        authenticators = ["static_api_key"]
        authorizer = "cedar"

        [auth.endpoints.grpc]
        authenticators = ["static_api_key"]
        authorizer = "cedar"
        """
        .formatted(orgId, orgSlug, apiKey, workerToken);
  }
}
