package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.grpc.GrpcServices;
import ai.flovyn.dispatch.http.HttpPort;
import ai.flovyn.dispatch.http.SlugOrgs;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real gRPC services with token authentication over a real TCP socket, on a fresh database, for
 * agent tests: two tenants (UUIDs, as the SDK's org ids are) each with a worker token.
 */
final class AgentTestServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final TestDatabase db;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Dispatch dispatch;
  final String tenant = UUID.randomUUID().toString();
  final String otherTenant = UUID.randomUUID().toString();

  /** The tenant's slug in REST paths ({@code /api/orgs/<slug>/…}). */
  final String slug = "e2e-" + tenant.substring(0, 8);

  private final ActiveTokens tokens;
  private final Server server;
  private final HttpPort http;
  // the JDK client's default, HTTP/2 over an h2c upgrade: its POSTs carry their body in the upgrade
  private final HttpClient web = HttpClient.newHttpClient();
  private final String adminToken;
  private final ManagedChannel channel;
  final Channel asTenant;
  final Channel asOther;
  final Channel anonymous;

  AgentTestServer(AgentOptions agentOptions) throws Exception {
    db = TestDatabase.create();
    dispatch =
        Dispatch.builder(db.connectionFactory())
            .meterRegistry(registry)
            .agentOptions(agentOptions)
            .options(
                DispatchOptions.defaults().toBuilder()
                    .sweepInterval(Duration.ofMillis(500))
                    .build())
            .build();
    Tokens issuer = Tokens.over(db.connectionFactory());
    IssuedToken mine = issuer.create(tenant, TokenRole.WORKER, "agent worker").block(WAIT);
    IssuedToken theirs = issuer.create(otherTenant, TokenRole.WORKER, "other").block(WAIT);
    adminToken = issuer.create(tenant, TokenRole.ADMIN, "harness").block(WAIT).text();
    issuer.setSlug(tenant, slug).block(WAIT);
    tokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    GrpcServices.authenticated(dispatch, registry, tokens).forEach(builder::addService);
    server = builder.build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    http =
        HttpPort.start(
            new HttpPort.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                dispatch,
                tokens,
                SlugOrgs.over(tokens)));
    asTenant = bearing(mine.text());
    asOther = bearing(theirs.text());
    anonymous = channel;
  }

  private Channel bearing(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /**
   * A call of the HTTP API as the SDK's e2e harness makes it: the tenant's admin token, JSON in and
   * out, {@code path} below {@code /api/orgs/<slug>}.
   */
  HttpResponse<String> rest(String method, String path, String json) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.port() + "/api/orgs/" + slug + path))
            .header("Authorization", "Bearer " + adminToken)
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .timeout(WAIT)
            .build();
    return web.send(request, HttpResponse.BodyHandlers.ofString());
  }

  Scope scope() {
    return Scope.tenant(tenant);
  }

  /** Creates a root agent as the SDK's harness does (REST create), input as JSON text. */
  UUID create(String kind, String inputJson, String queue) {
    return dispatch
        .createAgent(
            scope(),
            StartAgent.builder(tenant, kind)
                .input(inputJson.getBytes(StandardCharsets.UTF_8))
                .queue(queue)
                .build())
        .block(WAIT)
        .id();
  }

  AgentExecution agent(UUID id) {
    return dispatch.agent(scope(), id).block(WAIT);
  }

  /** Waits (bounded) until the agent has {@code status}; returns it then. */
  AgentExecution awaitStatus(UUID id, AgentStatus status) throws InterruptedException {
    Await.until(() -> agent(id).status() == status, "agent " + id + " " + status);
    return agent(id);
  }

  @Override
  public void close() throws InterruptedException {
    http.close();
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
    tokens.close();
    dispatch.close();
    db.close();
  }
}
