package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.grpc.TenantLimits.Limit;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Empty;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batches in flight per tenant, unary and streamed, and per-RPC request sizes, against a service
 * that holds each batch until the test lets it finish (no database: what is under test is which
 * calls reach the service and when permits come back).
 */
class TenantLimitsInterceptorTest {
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of("test-tenant", Metadata.ASCII_STRING_MARSHALLER);

  private final HoldingService service = new HoldingService();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TenantLimits limits;
  private Server server;
  private ManagedChannel channel;

  private void start(TenantLimits.Settings settings) throws Exception {
    limits = new TenantLimits(settings, registry);
    String name = "interceptor-" + UUID.randomUUID();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                ServerInterceptors.intercept(
                    service.bindService(),
                    new RequestSizes(),
                    new TenantLimitsInterceptor(limits),
                    new TestAuthentication()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void unaryBatchOverTheTenantsLimitIsRefusedWhileAnotherTenantsBatchIsApplied() throws Exception {
    start(new TenantLimits.Settings(0, 0, 1, 0, 1));
    ListenableFuture<Empty> first = async("acme").submitWorkflowCommands(batch());
    Await.until(() -> service.held.size() == 1, "acme's batch to reach the service");

    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class, () -> blocking("acme").submitWorkflowCommands(batch()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertEquals(
        "tenant limit: batches in flight (1) reached", refused.getStatus().getDescription());
    assertEquals(1, service.held.size(), "the refused batch never reached the service");

    ListenableFuture<Empty> other = async("beta").submitWorkflowCommands(batch());
    Await.until(() -> service.held.size() == 2, "beta's batch to reach the service meanwhile");

    service.finishHeld();
    first.get(30, TimeUnit.SECONDS);
    other.get(30, TimeUnit.SECONDS);
    Await.until(() -> limits.inUse("acme", Limit.BATCHES) == 0, "the finished batch to give back");
    ListenableFuture<Empty> again = async("acme").submitWorkflowCommands(batch());
    Await.until(() -> service.held.size() == 1, "acme's next batch to be admitted");
    service.finishHeld();
    again.get(30, TimeUnit.SECONDS);
    assertEquals(1.0, rejected("acme", "batches"));
  }

  @Test
  void streamedBatchOverTheLimitIsAckedRefusedAndTheStreamGoesOnUntilCancelled() throws Exception {
    start(new TenantLimits.Settings(0, 0, 1, 0, 1));
    List<CommandBatchAck> acmeAcks = new CopyOnWriteArrayList<>();
    ClientCallStreamObserver<CommandBatch> acme = openStream("acme", acmeAcks);
    acme.onNext(streamed("a1"));
    Await.until(() -> service.streamed.containsKey("a1"), "a1 to reach the service");

    acme.onNext(streamed("a2"));
    Await.until(() -> acmeAcks.size() == 1, "a2 to be acked");
    assertEquals("a2", acmeAcks.get(0).getRequestId());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), acmeAcks.get(0).getCode());
    assertEquals("tenant limit: batches in flight (1) reached", acmeAcks.get(0).getMessage());
    assertFalse(service.streamed.containsKey("a2"), "the refused batch never reached the service");

    ClientCallStreamObserver<CommandBatch> beta = openStream("beta", new CopyOnWriteArrayList<>());
    beta.onNext(streamed("b1"));
    Await.until(() -> service.streamed.containsKey("b1"), "beta's batch to reach the service");

    service.ack("a1");
    Await.until(() -> acmeAcks.size() == 2, "a1's ack");
    assertEquals(0, limits.inUse("acme", Limit.BATCHES), "the acked batch gave back its permit");
    acme.onNext(streamed("a3"));
    Await.until(() -> service.streamed.containsKey("a3"), "a3 to be admitted");
    assertEquals(1, limits.inUse("acme", Limit.BATCHES));

    acme.cancel("test over", null);
    beta.cancel("test over", null);
    Await.until(
        () ->
            limits.inUse("acme", Limit.BATCHES) == 0
                && limits.inUse("acme", Limit.STREAMS) == 0
                && limits.inUse("beta", Limit.BATCHES) == 0,
        "cancelled streams to give back their batches and stream permits");
    assertEquals(1.0, rejected("acme", "batches"));
  }

  @Test
  void pollRequestOverItsSizeLimitIsRefusedNamingTheRpc() throws Exception {
    start(TenantLimits.Settings.unlimited());
    PollRequest.Builder poll = PollRequest.newBuilder().setTenantId("acme").setWorkerId("w");
    String capability = "c".repeat(1024);
    for (int i = 0; i < 1100; i++) {
      poll.addWorkflowCapabilities(capability);
    }
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class, () -> blocking("acme").pollWorkflow(poll.build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    String description = refused.getStatus().getDescription();
    assertTrue(
        description.startsWith("PollWorkflow request is ")
            && description.endsWith("bytes, at most 1048576 allowed"),
        description);
    assertEquals(1048576, RequestSizes.limitOf("flovyn.v1.WorkflowDispatch/PollWorkflow"));
    assertEquals(
        RequestSizes.MAX_INBOUND,
        RequestSizes.limitOf("flovyn.v1.WorkflowDispatch/SubmitWorkflowCommands"));
  }

  private ClientCallStreamObserver<CommandBatch> openStream(
      String tenant, List<CommandBatchAck> acks) {
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<CommandBatch>[] requests = new ClientCallStreamObserver[1];
    WorkflowDispatchGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(tenant)))
        .streamWorkflowCommands(
            new ClientResponseObserver<CommandBatch, CommandBatchAck>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<CommandBatch> stream) {
                requests[0] = stream;
              }

              @Override
              public void onNext(CommandBatchAck ack) {
                acks.add(ack);
              }

              @Override
              public void onError(Throwable error) {}

              @Override
              public void onCompleted() {}
            });
    return requests[0];
  }

  private double rejected(String tenant, String limit) {
    Counter counter =
        registry
            .find("dispatch_tenant_rejected")
            .tag("tenant", tenant)
            .tag("limit", limit)
            .counter();
    return counter == null ? 0.0 : counter.count();
  }

  private WorkflowDispatchGrpc.WorkflowDispatchFutureStub async(String tenant) {
    return WorkflowDispatchGrpc.newFutureStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(tenant)));
  }

  private WorkflowDispatchGrpc.WorkflowDispatchBlockingStub blocking(String tenant) {
    return WorkflowDispatchGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(tenant)));
  }

  private static Metadata headers(String tenant) {
    Metadata headers = new Metadata();
    headers.put(TENANT, tenant);
    return headers;
  }

  private static SubmitWorkflowCommandsRequest batch() {
    return SubmitWorkflowCommandsRequest.newBuilder()
        .setWorkflowExecutionId(UUID.randomUUID().toString())
        .build();
  }

  private static CommandBatch streamed(String requestId) {
    return CommandBatch.newBuilder().setRequestId(requestId).setBatch(batch()).build();
  }

  /** Stands in for the authentication interceptor: the caller's tenant from a test header. */
  private static final class TestAuthentication implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      return Contexts.interceptCall(
          Context.current().withValue(Callers.SCOPE, Scope.tenant(headers.get(TENANT))),
          call,
          headers,
          next);
    }
  }

  /** Holds every unary batch and every streamed batch until the test finishes or acks it. */
  private static final class HoldingService extends WorkflowDispatchGrpc.WorkflowDispatchImplBase {
    final List<StreamObserver<Empty>> held = new CopyOnWriteArrayList<>();
    final Map<String, StreamObserver<CommandBatchAck>> streamed = new ConcurrentHashMap<>();

    @Override
    public void submitWorkflowCommands(
        SubmitWorkflowCommandsRequest request, StreamObserver<Empty> response) {
      held.add(response);
    }

    @Override
    public StreamObserver<CommandBatch> streamWorkflowCommands(
        StreamObserver<CommandBatchAck> acks) {
      return new StreamObserver<>() {
        @Override
        public void onNext(CommandBatch batch) {
          streamed.put(batch.getRequestId(), acks);
        }

        @Override
        public void onError(Throwable error) {}

        @Override
        public void onCompleted() {
          acks.onCompleted();
        }
      };
    }

    void finishHeld() {
      for (StreamObserver<Empty> response : held) {
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
      }
      held.clear();
    }

    void ack(String requestId) {
      streamed.get(requestId).onNext(CommandBatchAck.newBuilder().setRequestId(requestId).build());
    }
  }
}
