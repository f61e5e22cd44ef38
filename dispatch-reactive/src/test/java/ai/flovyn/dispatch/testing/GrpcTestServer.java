package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.grpc.GrpcServices;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real gRPC services over the real pipeline and a real test database, served in-process so that
 * each test class gets its own server without ports.
 */
public final class GrpcTestServer implements AutoCloseable {
  private final Server server;
  private final ManagedChannel channel;
  private final PrometheusMeterRegistry registry;
  private final Dispatch dispatch;

  private GrpcTestServer(
      Server server, ManagedChannel channel, PrometheusMeterRegistry registry, Dispatch dispatch) {
    this.server = server;
    this.channel = channel;
    this.registry = registry;
    this.dispatch = dispatch;
  }

  public static GrpcTestServer start(TestDatabase database) {
    return start(database.connectionFactory());
  }

  public static GrpcTestServer start(ConnectionFactory connections) {
    return start(connections, DispatchOptions.defaults());
  }

  public static GrpcTestServer start(TestDatabase database, DispatchOptions options) {
    return start(database.connectionFactory(), options);
  }

  public static GrpcTestServer start(ConnectionFactory connections, DispatchOptions options) {
    return start(connections, options, Clock.systemUTC());
  }

  /** A server whose maintenance services read time from {@code clock}. */
  public static GrpcTestServer start(TestDatabase database, DispatchOptions options, Clock clock) {
    return start(database.connectionFactory(), options, clock);
  }

  public static GrpcTestServer start(
      ConnectionFactory connections, DispatchOptions options, Clock clock) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Dispatch dispatch =
        Dispatch.builder(connections).meterRegistry(registry).options(options).clock(clock).build();
    String name = "dispatch-test-" + UUID.randomUUID();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    GrpcServices.of(dispatch, registry).forEach(builder::addService);
    try {
      Server server = builder.build().start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      return new GrpcTestServer(server, channel, registry, dispatch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows() {
    return WorkflowDispatchGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public WorkflowDispatchGrpc.WorkflowDispatchFutureStub workflowsAsync() {
    return WorkflowDispatchGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** A stub that sends {@code traceparent} as a header on every call. */
  public WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflowsTraced(String traceparent) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
    return workflows().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  public TaskExecutionGrpc.TaskExecutionFutureStub tasksAsync() {
    return TaskExecutionGrpc.newFutureStub(channel).withDeadlineAfter(90, TimeUnit.SECONDS);
  }

  public WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle() {
    return WorkerLifecycleGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public TaskExecutionGrpc.TaskExecutionBlockingStub tasks() {
    return TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public ManagedChannel channel() {
    return channel;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Dispatch dispatch() {
    return dispatch;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    dispatch.close();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
