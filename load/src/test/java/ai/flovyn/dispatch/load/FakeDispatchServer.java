package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import com.google.protobuf.Empty;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the remote WorkflowDispatch service on 127.0.0.1: counts what it receives, answers
 * Empty, and acks stream batches (code INVALID_ARGUMENT for request ids starting "bad").
 */
final class FakeDispatchServer implements AutoCloseable {
  static final Metadata.Key<String> REQUEST_NUMBER =
      Metadata.Key.of("x-request-number", Metadata.ASCII_STRING_MARSHALLER);

  final AtomicInteger submitCalls = new AtomicInteger();
  final AtomicInteger streams = new AtomicInteger();
  final AtomicInteger batches = new AtomicInteger();
  final Queue<String> taskExecutionIds = new ConcurrentLinkedQueue<>();
  final Queue<String> requestNumberHeaders = new ConcurrentLinkedQueue<>();
  final Queue<String> authorizationHeaders = new ConcurrentLinkedQueue<>();
  private final Server server;

  FakeDispatchServer() throws IOException {
    ServerInterceptor headers =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
            String number = metadata.get(REQUEST_NUMBER);
            if (number != null) {
              requestNumberHeaders.add(number);
            }
            Iterable<String> authorization = metadata.getAll(BearerToken.AUTHORIZATION);
            if (authorization != null) {
              authorization.forEach(authorizationHeaders::add);
            }
            return next.startCall(call, metadata);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(ServerInterceptors.intercept(new Service(), headers))
            .build()
            .start();
  }

  String host() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void collectTaskIds(SubmitWorkflowCommandsRequest request) {
    for (WorkflowCommand command : request.getCommandsList()) {
      if (command.hasScheduleTask()) {
        taskExecutionIds.add(command.getScheduleTask().getTaskExecutionId());
      }
    }
  }

  private final class Service extends WorkflowDispatchGrpc.WorkflowDispatchImplBase {
    @Override
    public void submitWorkflowCommands(
        SubmitWorkflowCommandsRequest request, StreamObserver<Empty> responses) {
      submitCalls.incrementAndGet();
      collectTaskIds(request);
      responses.onNext(Empty.getDefaultInstance());
      responses.onCompleted();
    }

    @Override
    public StreamObserver<CommandBatch> streamWorkflowCommands(
        StreamObserver<CommandBatchAck> acks) {
      streams.incrementAndGet();
      return new StreamObserver<>() {
        @Override
        public void onNext(CommandBatch batch) {
          batches.incrementAndGet();
          collectTaskIds(batch.getBatch());
          boolean bad = batch.getRequestId().startsWith("bad");
          acks.onNext(
              CommandBatchAck.newBuilder()
                  .setRequestId(batch.getRequestId())
                  .setCode(bad ? Status.Code.INVALID_ARGUMENT.value() : 0)
                  .setMessage(bad ? "rejected batch" : "")
                  .build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          acks.onCompleted();
        }
      };
    }
  }
}
