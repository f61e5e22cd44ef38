package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.FlovynProto;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Descriptors;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every RPC of every flovyn.v1 service, read from the proto's descriptors so that a new RPC is
 * covered by itself, called over TCP on a server that requires tokens: without a valid active token
 * each is UNAUTHENTICATED with the one message and writes nothing; with one it passes.
 */
class AuthenticationIT {
  private static final String MESSAGE = "missing or invalid bearer token";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static TestDatabase db;
  private static DispatchServer server;
  private static ManagedChannel channel;
  private static IssuedToken valid;
  private static IssuedToken revoked;
  private static ListAppender<ILoggingEvent> auditLines;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    server = RealServers.start(db, "--auth=required");
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    Tokens tokens = Tokens.over(db.connectionFactory());
    valid = tokens.create("acme", TokenRole.WORKER, "matrix").block(Duration.ofSeconds(30));
    revoked = tokens.create("acme", TokenRole.ADMIN, "old").block(Duration.ofSeconds(30));
    tokens.revoke(revoked.token().lookupId()).block(Duration.ofSeconds(30));
    Descriptors.MethodDescriptor listWorkers =
        FlovynProto.getDescriptor()
            .findServiceByName("WorkerLifecycle")
            .findMethodByName("ListWorkers");
    // the server learns of both tokens by notification: wait until it has
    Await.until(
        () -> call(listWorkers, bearer(valid.text())).getCode() != Status.Code.UNAUTHENTICATED,
        "the new token accepted");
    Await.until(
        () -> revokedRejected(listWorkers) && scrape().contains("reason=\"revoked\""),
        "the revoked token refused as revoked");
    auditLines = new ListAppender<>();
    auditLines.start();
    ((Logger) LoggerFactory.getLogger("ai.flovyn.dispatch.audit")).addAppender(auditLines);
  }

  private static boolean revokedRejected(Descriptors.MethodDescriptor method) {
    return call(method, bearer(revoked.text())).getCode() == Status.Code.UNAUTHENTICATED;
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger("ai.flovyn.dispatch.audit")).detachAppender(auditLines);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    db.close();
  }

  @Test
  void everyRpcWithoutAValidTokenIsUnauthenticatedWithOneMessageAndWritesNothing() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("no token", null);
    cases.put("empty bearer", "Bearer ");
    cases.put("other scheme", "Basic " + valid.text());
    cases.put("malformed", "Bearer not-a-token");
    cases.put("unknown", "Bearer fdt_" + "A".repeat(12) + "_" + "b".repeat(43));
    cases.put(
        "wrong secret",
        "Bearer "
            + valid.text().substring(0, valid.text().length() - 1)
            + (valid.text().endsWith("x") ? "y" : "x"));
    cases.put("revoked", bearer(revoked.text()));
    Map<String, Long> rowsBefore = rowCounts();
    List<String> methods = new ArrayList<>();
    for (Descriptors.MethodDescriptor method : everyMethod()) {
      methods.add(method.getFullName());
      for (Map.Entry<String, String> each : cases.entrySet()) {
        Status status = call(method, each.getValue());
        String what = method.getFullName() + " with " + each.getKey();
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), what);
        assertEquals(MESSAGE, status.getDescription(), what);
      }
    }
    assertEquals(33, methods.size(), "every RPC of the proto: " + methods);
    assertEquals(rowsBefore, rowCounts(), "nothing written");
    List<String> lines = lines("event=call_denied");
    assertEquals(methods.size() * cases.size(), lines.size(), "one audit line per refused call");
    for (String line : lines) {
      assertTrue(line.contains("code=UNAUTHENTICATED"), line);
      assertTrue(line.contains("peer=/127.0.0.1:"), line);
      assertFalse(line.contains(valid.text()), "never the token: " + line);
      assertFalse(line.contains(revoked.text()), "never the token: " + line);
    }
    assertTrue(
        lines("reason=revoked").stream()
            .allMatch(line -> line.contains("token_id=" + revoked.token().lookupId())));
    String metrics = scrape();
    for (String reason : List.of("missing", "malformed", "unknown", "wrong_secret", "revoked")) {
      assertTrue(
          metrics.contains(
              "dispatch_auth_denied_total{code=\"UNAUTHENTICATED\",reason=\"" + reason + "\"}"),
          reason + " counted");
    }
  }

  @Test
  void everyRpcWithAnActiveTokenPassesAuthentication() {
    for (Descriptors.MethodDescriptor method : everyMethod()) {
      Status status = call(method, bearer(valid.text()));
      assertNotEquals(
          Status.Code.UNAUTHENTICATED, status.getCode(), method.getFullName() + " " + status);
      assertNotEquals(
          Status.Code.UNIMPLEMENTED, status.getCode(), method.getFullName() + " is served");
    }
  }

  @Test
  void aWorkerTokenStartsPollsAndReadsItsTenantsWork() {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, bearer(valid.text()));
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows =
        WorkflowDispatchGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    String id =
        workflows
            .startWorkflow(
                StartWorkflowRequest.newBuilder()
                    .setTenantId("acme")
                    .setWorkflowKind("authenticated")
                    .setQueue("auth-it")
                    .build())
            .getWorkflowExecutionId();
    PollResponse claimed =
        workflows.pollWorkflow(
            PollRequest.newBuilder()
                .setTenantId("acme")
                .setQueue("auth-it")
                .setWorkerId("w")
                .setTimeoutSeconds(10)
                .build());
    assertEquals(id, claimed.getWorkflowExecution().getId());
    assertEquals(
        1L,
        db.scalar(
            "SELECT count(*) FROM workflow_executions WHERE id = ?::uuid AND status = 'RUNNING'",
            id));
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    Descriptors.MethodDescriptor listWorkers =
        FlovynProto.getDescriptor()
            .findServiceByName("WorkerLifecycle")
            .findMethodByName("ListWorkers");
    for (String scheme : List.of("bearer ", "BEARER ", "BeArEr ")) {
      assertNotEquals(
          Status.Code.UNAUTHENTICATED, call(listWorkers, scheme + valid.text()).getCode(), scheme);
    }
  }

  @Test
  void theHttpTaskDataStreamNeedsATokenToo() throws Exception {
    HttpResponse<String> without = taskData(null);
    assertEquals(401, without.statusCode());
    assertEquals("{\"error\":\"" + MESSAGE + "\"}", without.body().trim());
    assertEquals("Bearer", without.headers().firstValue("WWW-Authenticate").orElse(""));
    HttpResponse<String> revokedToken = taskData(bearer(revoked.text()));
    assertEquals(401, revokedToken.statusCode());
    assertEquals("{\"error\":\"" + MESSAGE + "\"}", revokedToken.body().trim());
    // past authentication, the missing ids are the next thing it says
    HttpResponse<String> withToken = taskData(bearer(valid.text()));
    assertEquals(400, withToken.statusCode(), withToken.body());
    // then the token's scope looks the task up: one it cannot see is not found
    HttpResponse<String> unknownTask =
        taskData(bearer(valid.text()), "?task_execution_id=" + UUID.randomUUID());
    assertEquals(404, unknownTask.statusCode(), unknownTask.body());
  }

  private static HttpResponse<String> taskData(String authorization) throws Exception {
    return taskData(authorization, "");
  }

  private static HttpResponse<String> taskData(String authorization, String query)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/task-data" + query));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthStaysOpenWithoutAToken() {
    assertEquals(
        ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("flovyn.v1.WorkflowDispatch").build())
            .getStatus());
  }

  private static List<Descriptors.MethodDescriptor> everyMethod() {
    List<Descriptors.MethodDescriptor> methods = new ArrayList<>();
    for (Descriptors.ServiceDescriptor service : FlovynProto.getDescriptor().getServices()) {
      methods.addAll(service.getMethods());
    }
    return methods;
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  /**
   * Calls {@code method} with one empty request message and the given authorization header (none
   * when null); the call's final status, or DEADLINE_EXCEEDED for a stream that stays open after
   * the server accepted it.
   */
  private static Status call(Descriptors.MethodDescriptor method, String authorization) {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder(BYTES, BYTES)
            .setFullMethodName(
                MethodDescriptor.generateFullMethodName(
                    method.getService().getFullName(), method.getName()))
            .setType(type(method))
            .build();
    ClientCall<byte[], byte[]> call =
        channel.newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AUTHORIZATION, authorization);
    }
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        headers);
    call.request(Integer.MAX_VALUE);
    call.sendMessage(new byte[0]);
    call.halfClose();
    return closed.orTimeout(20, TimeUnit.SECONDS).join();
  }

  private static MethodDescriptor.MethodType type(Descriptors.MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming()
          ? MethodDescriptor.MethodType.BIDI_STREAMING
          : MethodDescriptor.MethodType.CLIENT_STREAMING;
    }
    return method.isServerStreaming()
        ? MethodDescriptor.MethodType.SERVER_STREAMING
        : MethodDescriptor.MethodType.UNARY;
  }

  private static Map<String, Long> rowCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Map<String, Object> table :
        db.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_type = 'BASE TABLE' ORDER BY table_name")) {
      String name = String.valueOf(table.get("table_name"));
      counts.put(name, db.scalar("SELECT count(*) FROM " + name));
    }
    return counts;
  }

  private static List<String> lines(String containing) {
    if (auditLines == null) {
      return List.of();
    }
    return auditLines.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(line -> line.contains(containing))
        .toList();
  }

  private static String scrape() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
