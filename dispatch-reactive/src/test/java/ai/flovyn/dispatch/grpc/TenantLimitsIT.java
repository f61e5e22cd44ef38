package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.grpc.TenantLimits.Limit;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.GetStateKeysRequest;
import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.PollTaskResponse;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
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
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant limits on the real services over a real database: a tenant at its limit is
 * RESOURCE_EXHAUSTED naming the limit while another tenant is served at the same moment, and
 * permits come back when calls are cancelled or pass their deadline.
 */
class TenantLimitsIT {
  private static TestDatabase database;

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
  private PrometheusMeterRegistry registry;
  private Dispatch dispatch;
  private TenantLimits limits;
  private Server server;
  private ManagedChannel channel;

  @BeforeAll
  static void createDatabase() {
    database = TestDatabase.create();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  private void start(TenantLimits.Settings settings) throws Exception {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    dispatch = Dispatch.builder(database.connectionFactory()).meterRegistry(registry).build();
    limits = new TenantLimits(settings, registry, now::get);
    String name = "limits-" + UUID.randomUUID();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    GrpcServices.of(dispatch, registry, limits)
        .forEach(
            service ->
                builder.addService(
                    ServerInterceptors.intercept(service, new TestAuthentication())));
    server = builder.build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    dispatch.close();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void tenantAtItsLongPollLimitIsRefusedWhileAnotherIsServedAndCancelledPollsGiveBackTheirPermits()
      throws Exception {
    start(new TenantLimits.Settings(2, 0, 0, 0, 1));
    TaskExecutionGrpc.TaskExecutionFutureStub async =
        TaskExecutionGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    ListenableFuture<PollTaskResponse> first = async.pollTask(poll("acme", 30));
    ListenableFuture<PollTaskResponse> second = async.pollTask(poll("acme", 30));
    Await.until(() -> inUse("acme", Limit.LONG_POLLS) == 2, "two polls waiting");

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> tasks().pollTask(poll("acme", 0)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertEquals(
        "tenant limit: concurrent long polls (2) reached", refused.getStatus().getDescription());
    assertFalse(tasks().pollTask(poll("beta", 0)).hasTask(), "another tenant polls meanwhile");
    assertEquals(1.0, rejected("acme", "long_polls"));
    assertEquals(0.0, rejected("beta", "long_polls"));

    first.cancel(true);
    second.cancel(true);
    Await.until(() -> inUse("acme", Limit.LONG_POLLS) == 0, "cancelled polls to give back");
    assertFalse(tasks().pollTask(poll("acme", 0)).hasTask(), "acme polls again");
    assertEquals(0, inUse("acme", Limit.LONG_POLLS), "a finished poll gives back its permit");
  }

  @Test
  void streamPastItsDeadlineGivesBackItsPermitAndTheLimitNamesStreams() throws Exception {
    start(new TenantLimits.Settings(0, 1, 0, 0, 1));
    Iterator<WorkAvailableEvent> expiring =
        WorkflowDispatchGrpc.newBlockingStub(channel)
            .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
            .subscribeToNotifications(subscription("acme"));
    StatusRuntimeException expired =
        assertThrows(
            StatusRuntimeException.class,
            () -> {
              // whatever notifications arrive first, the stream ends at its deadline
              while (expiring.hasNext()) {
                expiring.next();
              }
            });
    assertEquals(Status.Code.DEADLINE_EXCEEDED, expired.getStatus().getCode());
    Await.until(() -> inUse("acme", Limit.STREAMS) == 0, "the expired stream to give back");

    Context.CancellableContext open = Context.current().withCancellation();
    CompletableFuture<Status> openEnd = new CompletableFuture<>();
    open.run(
        () ->
            WorkflowDispatchGrpc.newStub(channel)
                .subscribeToNotifications(subscription("acme"), observer(openEnd)));
    Await.until(() -> inUse("acme", Limit.STREAMS) == 1, "the open stream to hold its permit");

    CompletableFuture<Status> refused = new CompletableFuture<>();
    WorkflowDispatchGrpc.newStub(channel)
        .subscribeToNotifications(subscription("acme"), observer(refused));
    Status status = refused.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
    assertEquals("tenant limit: concurrent streams (1) reached", status.getDescription());

    CompletableFuture<Status> other = new CompletableFuture<>();
    Context.CancellableContext otherContext = Context.current().withCancellation();
    otherContext.run(
        () ->
            WorkflowDispatchGrpc.newStub(channel)
                .subscribeToNotifications(subscription("beta"), observer(other)));
    Await.until(() -> inUse("beta", Limit.STREAMS) == 1, "another tenant's stream to open");
    assertFalse(other.isDone(), "beta's stream is open, not refused");

    open.cancel(null);
    otherContext.cancel(null);
    Await.until(
        () -> inUse("acme", Limit.STREAMS) == 0 && inUse("beta", Limit.STREAMS) == 0,
        "cancelled streams to give back");
    assertEquals(1.0, rejected("acme", "streams"));
  }

  @Test
  void requestRateIsATokenBucketPerTenantRefilledByTheClock() throws Exception {
    start(new TenantLimits.Settings(0, 0, 0, 1, 2));
    lifecycle().listWorkers(workers("acme"));
    lifecycle().listWorkers(workers("acme"));
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> lifecycle().listWorkers(workers("acme")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertEquals(
        "tenant limit: request rate (1/s, burst 2) reached", refused.getStatus().getDescription());
    lifecycle().listWorkers(workers("beta"));

    now.updateAndGet(instant -> instant.plus(Duration.ofMillis(999)));
    assertThrows(StatusRuntimeException.class, () -> lifecycle().listWorkers(workers("acme")));
    now.updateAndGet(instant -> instant.plus(Duration.ofMillis(1)));
    lifecycle().listWorkers(workers("acme"));
    assertEquals(2.0, rejected("acme", "rate"));
    assertEquals(0.0, rejected("beta", "rate"));
  }

  @Test
  void streamedBatchOverTheLimitIsAckedResourceExhaustedByTheRealStreamWhichGoesOn()
      throws Exception {
    start(new TenantLimits.Settings(0, 0, 1, 0, 1));
    List<CommandBatchAck> acks = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> end = new CompletableFuture<>();
    try (Connection blocker =
        DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        // holds the first batch inside the database, so that it is in flight when the second comes
        statement.execute("LOCK TABLE workflow_executions IN ACCESS EXCLUSIVE MODE");
      }
      StreamObserver<CommandBatch> stream =
          WorkflowDispatchGrpc.newStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(authenticated("acme")))
              .streamWorkflowCommands(collecting(acks, end));
      stream.onNext(streamed("first"));
      Await.until(() -> inUse("acme", Limit.BATCHES) == 1, "the first batch to be in flight");
      stream.onNext(streamed("second"));
      Await.until(() -> acks.size() == 1, "the second batch to be acked");
      assertEquals("second", acks.get(0).getRequestId());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), acks.get(0).getCode());
      assertEquals("tenant limit: batches in flight (1) reached", acks.get(0).getMessage());
      blocker.rollback();
      Await.until(() -> acks.size() == 2, "the first batch to be acked once the table is free");
      assertEquals("first", acks.get(1).getRequestId());
      assertEquals(Status.Code.NOT_FOUND.value(), acks.get(1).getCode(), "no such workflow");
      assertEquals(0, inUse("acme", Limit.BATCHES), "its ack gave back its permit");
      stream.onNext(streamed("third"));
      Await.until(() -> acks.size() == 3, "the third batch, admitted, to be acked");
      assertEquals(Status.Code.NOT_FOUND.value(), acks.get(2).getCode());
      stream.onCompleted();
      assertEquals(Status.Code.OK, end.get(30, TimeUnit.SECONDS).getCode());
    }
    Await.until(() -> inUse("acme", Limit.STREAMS) == 0, "the ended stream to give back");
    assertEquals(1.0, rejected("acme", "batches"));
  }

  private static CommandBatch streamed(String requestId) {
    return CommandBatch.newBuilder()
        .setRequestId(requestId)
        .setBatch(
            SubmitWorkflowCommandsRequest.newBuilder()
                .setWorkflowExecutionId(UUID.randomUUID().toString()))
        .build();
  }

  private static StreamObserver<CommandBatchAck> collecting(
      List<CommandBatchAck> acks, CompletableFuture<Status> end) {
    return new StreamObserver<>() {
      @Override
      public void onNext(CommandBatchAck ack) {
        acks.add(ack);
      }

      @Override
      public void onError(Throwable error) {
        end.complete(Status.fromThrowable(error));
      }

      @Override
      public void onCompleted() {
        end.complete(Status.OK);
      }
    };
  }

  @Test
  void authenticatedTenantIsTheOneCountedAndCallsNamingNoTenantShareOneBucket() throws Exception {
    start(new TenantLimits.Settings(0, 0, 0, 1, 1));
    lifecycle("acme").listWorkers(workers("acme"));
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class, () -> lifecycle("acme").listWorkers(workers("gamma")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertEquals(1.0, rejected("acme", "rate"), "the caller's tenant, not the one it names");
    lifecycle().listWorkers(workers("beta"));
    lifecycle().listWorkers(workers("gamma"));

    StatusRuntimeException admitted =
        assertThrows(StatusRuntimeException.class, () -> tasks().getStateKeys(stateKeys()));
    assertEquals(Status.Code.NOT_FOUND, admitted.getStatus().getCode(), "admitted, then answered");
    StatusRuntimeException shared =
        assertThrows(StatusRuntimeException.class, () -> tasks().getStateKeys(stateKeys()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, shared.getStatus().getCode());
    assertEquals(1.0, rejected(TenantLimits.SHARED, "rate"));
  }

  @Test
  void aTenantNameTheServiceRefusesIsCountedInTheSharedBucketNotAsALabel() throws Exception {
    start(new TenantLimits.Settings(0, 0, 0, 1, 1));
    String overlong = "t".repeat(TenantLimitsInterceptor.MAX_TENANT_NAME + 1);
    StatusRuntimeException invalid =
        assertThrows(
            StatusRuntimeException.class, () -> lifecycle().listWorkers(workers(overlong)));
    assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
    StatusRuntimeException shared =
        assertThrows(
            StatusRuntimeException.class, () -> lifecycle().listWorkers(workers(overlong + "x")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, shared.getStatus().getCode());
    assertEquals(1.0, rejected(TenantLimits.SHARED, "rate"));
    assertTrue(
        registry.getMeters().stream()
            .allMatch(
                meter ->
                    meter.getId().getTags().stream()
                        .allMatch(tag -> tag.getValue().length() <= 255)),
        "no tenant label longer than a valid name");
  }

  private static GetStateKeysRequest stateKeys() {
    return GetStateKeysRequest.newBuilder()
        .setTaskExecutionId(UUID.randomUUID().toString())
        .build();
  }

  /** Stands in for the authentication interceptor: the caller's tenant from a test header. */
  private static final class TestAuthentication implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String tenant = headers.get(TENANT);
      if (tenant == null) {
        return next.startCall(call, headers);
      }
      return Contexts.interceptCall(
          Context.current().withValue(Callers.SCOPE, Scope.tenant(tenant)), call, headers, next);
    }
  }

  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of("test-tenant", Metadata.ASCII_STRING_MARSHALLER);

  private WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle(String authenticatedAs) {
    return lifecycle()
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(authenticated(authenticatedAs)));
  }

  private static Metadata authenticated(String tenant) {
    Metadata headers = new Metadata();
    headers.put(TENANT, tenant);
    return headers;
  }

  private int inUse(String tenant, Limit limit) {
    return limits.inUse(tenant, limit);
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

  private TaskExecutionGrpc.TaskExecutionBlockingStub tasks() {
    return TaskExecutionGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle() {
    return WorkerLifecycleGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static PollTaskRequest poll(String tenant, int timeoutSeconds) {
    return PollTaskRequest.newBuilder()
        .setWorkerId("w-" + tenant)
        .setTenantId(tenant)
        .setQueue("default")
        .setTimeoutSeconds(timeoutSeconds)
        .build();
  }

  private static SubscriptionRequest subscription(String tenant) {
    return SubscriptionRequest.newBuilder()
        .setWorkerId("w-" + tenant)
        .setTenantId(tenant)
        .setQueue("default")
        .build();
  }

  private static ListWorkersRequest workers(String tenant) {
    return ListWorkersRequest.newBuilder().setTenantId(tenant).build();
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<Status> end) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable error) {
        end.complete(Status.fromThrowable(error));
      }

      @Override
      public void onCompleted() {
        end.complete(Status.OK);
      }
    };
  }
}
