package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.grpc.GrpcServices;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real gRPC services over the real pipeline, served over a real TCP socket (HTTP/2 framing,
 * header limits and all), with a client that can send raw bytes to any method.
 */
public final class SocketTestServer implements AutoCloseable {
  private final Server server;
  private final ManagedChannel channel;
  private final Dispatch dispatch;
  private final List<ServerServiceDefinition> services;

  private SocketTestServer(
      Server server,
      ManagedChannel channel,
      Dispatch dispatch,
      List<ServerServiceDefinition> services) {
    this.server = server;
    this.channel = channel;
    this.dispatch = dispatch;
    this.services = services;
  }

  public static SocketTestServer start(ConnectionFactory connections, DispatchOptions options) {
    Dispatch dispatch = Dispatch.builder(connections).options(options).build();
    List<ServerServiceDefinition> services = GrpcServices.of(dispatch, new SimpleMeterRegistry());
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    services.forEach(builder::addService);
    try {
      Server server = builder.build().start();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
      return new SocketTestServer(server, channel, dispatch, services);
    } catch (IOException e) {
      dispatch.close();
      throw new UncheckedIOException(e);
    }
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** The service definitions served: what a test discovers methods from. */
  public List<ServerServiceDefinition> services() {
    return services;
  }

  /**
   * Sends {@code body} as the request of a unary (or server-streaming) method and returns the
   * status the call ends with; the response messages are ignored.
   */
  public Status callRaw(String fullMethodName, MethodDescriptor.MethodType type, byte[] body) {
    return callRaw(fullMethodName, type, body, 20_000);
  }

  /** {@link #callRaw(String, MethodDescriptor.MethodType, byte[])} with a deadline in ms. */
  public Status callRaw(
      String fullMethodName, MethodDescriptor.MethodType type, byte[] body, long deadlineMs) {
    MethodDescriptor<byte[], byte[]> method = rawMethod(fullMethodName, type);
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            method, CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS));
    try {
      if (type == MethodDescriptor.MethodType.SERVER_STREAMING) {
        ClientCalls.blockingServerStreamingCall(call, body).forEachRemaining(message -> {});
      } else {
        ClientCalls.blockingUnaryCall(call, body);
      }
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  /** A method descriptor that sends and receives raw bytes. */
  public static MethodDescriptor<byte[], byte[]> rawMethod(
      String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder(BYTES, BYTES)
        .setFullMethodName(fullMethodName)
        .setType(type)
        .build();
  }

  /** Passes bytes through unchanged. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES =
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

  /** Every full method name served, with its type. */
  public List<MethodDescriptor<?, ?>> methods() {
    List<MethodDescriptor<?, ?>> all = new ArrayList<>();
    services.forEach(
        service -> service.getMethods().forEach(method -> all.add(method.getMethodDescriptor())));
    return all;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    dispatch.close();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
