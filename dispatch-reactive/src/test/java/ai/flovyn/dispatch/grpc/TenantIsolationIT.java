package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.createPromise;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.setState;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.AgentDispatchGrpc;
import ai.flovyn.dispatch.proto.AppendEntryRequest;
import ai.flovyn.dispatch.proto.CancelAgentTaskRequest;
import ai.flovyn.dispatch.proto.CancelTaskRequest;
import ai.flovyn.dispatch.proto.ClearAllStateRequest;
import ai.flovyn.dispatch.proto.ClearStateRequest;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.CommandType;
import ai.flovyn.dispatch.proto.CompleteAgentRequest;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.ConsumeSignalsRequest;
import ai.flovyn.dispatch.proto.FailAgentRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskCountRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultsRequest;
import ai.flovyn.dispatch.proto.GetCheckpointRequest;
import ai.flovyn.dispatch.proto.GetEntriesRequest;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.GetStateKeysRequest;
import ai.flovyn.dispatch.proto.GetStateRequest;
import ai.flovyn.dispatch.proto.GetVisualWorkflowDefinitionByIdRequest;
import ai.flovyn.dispatch.proto.HasSignalRequest;
import ai.flovyn.dispatch.proto.HeartbeatRequest;
import ai.flovyn.dispatch.proto.ListTaskLogsRequest;
import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.ListWorkersResponse;
import ai.flovyn.dispatch.proto.LogMessageRequest;
import ai.flovyn.dispatch.proto.PollAgentRequest;
import ai.flovyn.dispatch.proto.PollChildEventsRequest;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.QueryWorkflowRequest;
import ai.flovyn.dispatch.proto.RejectPromiseRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportProgressRequest;
import ai.flovyn.dispatch.proto.RequestCancelChildWorkflowCommand;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.ResumeAgentRequest;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskChunk;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskHeader;
import ai.flovyn.dispatch.proto.SendChildSignalRequest;
import ai.flovyn.dispatch.proto.SendParentSignalRequest;
import ai.flovyn.dispatch.proto.SetStateRequest;
import ai.flovyn.dispatch.proto.SignalAgentRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowRequest;
import ai.flovyn.dispatch.proto.SignalWorkflowRequest;
import ai.flovyn.dispatch.proto.SpawnChildAgentRequest;
import ai.flovyn.dispatch.proto.StartChildWorkflowRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataRequest;
import ai.flovyn.dispatch.proto.StreamEventType;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.proto.SubmitCheckpointRequest;
import ai.flovyn.dispatch.proto.SubmitTaskRequest;
import ai.flovyn.dispatch.proto.SubscribeTaskDataRequest;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.SuspendAgentRequest;
import ai.flovyn.dispatch.proto.TaskDataEvent;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowQueryGrpc;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.TestDatabase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The access matrix of issue 11 over every RPC of every flovyn.v1 service, against real PostgreSQL
 * and the real authentication: tenants A and B each hold a worker token created by {@link Tokens}
 * and every call carries {@code authorization: Bearer <token>}. For each RPC, with the requests
 * that name tenant A or address A's existing objects by id:
 *
 * <ul>
 *   <li>no token, an unknown token, a revoked token: UNAUTHENTICATED with the one message, the same
 *       for A's objects as for nonexistent ones, nothing written ({@link
 *       #callsWithoutAnActiveTokenAreUnauthenticatedAlikeForExistingAndMissingObjects}; malformed
 *       headers, other schemes and wrong secrets over TCP are in {@code
 *       ai.flovyn.dispatch.server.AuthenticationIT});
 *   <li>B's token naming tenant A: PERMISSION_DENIED naming the field only, nothing written ({@link
 *       #requestsNamingAnotherTenantArePermissionDeniedAndChangeNothing});
 *   <li>B's token addressing A's object by id: exactly the answer of a random nonexistent id
 *       (NOT_FOUND, same description), nothing written ({@link
 *       #anotherTenantsObjectsAnswerExactlyAsNonexistentOnesAndStayUnchanged});
 *   <li>B's token on its own tenant: served ({@link #theCallersOwnTenantIsServed}).
 * </ul>
 *
 * The RPCs are taken from the service descriptors, so a new RPC without a row in the matrix fails
 * the test.
 */
class TenantIsolationIT {
  private static final String A = "tenant-a";
  private static final String B = "tenant-b";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> TABLES =
      List.of(
          "workflow_executions",
          "workflow_events",
          "task_executions",
          "task_attempts",
          "timers",
          "promises",
          "workflow_state",
          "idempotency_keys",
          "workers",
          "task_state",
          "task_logs",
          "task_log_counts",
          "agent_executions",
          "agent_entries",
          "agent_checkpoints",
          "agent_signals");
  private static final List<ServiceDescriptor> SERVICES =
      List.of(
          WorkflowDispatchGrpc.getServiceDescriptor(),
          WorkflowQueryGrpc.getServiceDescriptor(),
          WorkerLifecycleGrpc.getServiceDescriptor(),
          TaskExecutionGrpc.getServiceDescriptor(),
          AgentDispatchGrpc.getServiceDescriptor());

  private static TestDatabase db;
  private static PrometheusMeterRegistry registry;
  private static Dispatch dispatch;
  private static ActiveTokens activeTokens;
  private static Server server;
  private static ManagedChannel channel;
  private static Channel asA;
  private static Channel asB;
  // callers without an active token: none, one of the right form that was never issued, and B's
  // own revoked one
  private static Map<String, Channel> unauthenticated;

  // tenant A's objects
  private static String workflowA;
  private static UUID taskA;
  private static String promiseA;
  private static String workerA;
  private static String queueA;
  // tenant B's own objects
  private static String workflowB;
  private static String batchWorkflowB;
  private static String streamWorkflowB;
  private static String cancellingWorkflowB;
  private static List<UUID> tasksB;
  private static String workerB;
  // agents: A's claimed agent with a task and a child; B's own, one per RPC that changes them
  private static UUID agentA;
  private static UUID agentTaskA;
  private static UUID childA;
  private static UUID agentB;
  private static UUID agentTaskB;
  private static UUID cancelTaskB;
  private static UUID completingB;
  private static UUID failingB;
  private static UUID suspendingB;
  private static UUID childB;

  @BeforeAll
  static void startServer() throws Exception {
    db = TestDatabase.create();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    dispatch = Dispatch.builder(db.connectionFactory()).meterRegistry(registry).build();
    Tokens tokens = Tokens.over(db.connectionFactory());
    IssuedToken ofA = tokens.create(A, TokenRole.WORKER, "worker of a").block(WAIT);
    IssuedToken ofB = tokens.create(B, TokenRole.WORKER, "worker of b").block(WAIT);
    IssuedToken revokedOfB = tokens.create(B, TokenRole.WORKER, "old worker of b").block(WAIT);
    tokens.revoke(revokedOfB.token().lookupId()).block(WAIT);
    // created before the snapshot's first load, so the server knows them all from the start
    activeTokens =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    String name = "isolation-" + UUID.randomUUID();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    GrpcServices.authenticated(dispatch, registry, activeTokens).forEach(builder::addService);
    server = builder.build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    asA = bearing(ofA.text());
    asB = bearing(ofB.text());
    unauthenticated = new LinkedHashMap<>();
    unauthenticated.put("no token", channel);
    unauthenticated.put("unknown token", bearing(neverIssuedLike(ofB.text())));
    unauthenticated.put("revoked token", bearing(revokedOfB.text()));
    fixturesOfA();
    fixturesOfB();
    agentFixtures();
  }

  private static void agentFixtures() {
    agentA = agent(A, "qa-agents");
    agentTaskA = agentTask(A, agentA, "a");
    childA = child(A, agentA);
    agentB = agent(B, "qb-agents");
    agentTaskB = agentTask(B, agentB, "b");
    cancelTaskB = agentTask(B, agentB, "cancel");
    completingB = agent(B, "qb-agents");
    failingB = agent(B, "qb-agents");
    suspendingB = agent(B, "qb-agents");
    childB = child(B, agentB);
  }

  // a claimed (RUNNING) agent of the tenant
  private static UUID agent(String tenant, String queue) {
    Scope scope = Scope.tenant(tenant);
    UUID id =
        dispatch
            .createAgent(scope, StartAgent.builder(tenant, "k").queue(queue).build())
            .block(WAIT)
            .id();
    dispatch.pollAgent(scope, tenant, queue, List.of("k"), null, "w", Duration.ZERO).block(WAIT);
    return id;
  }

  private static UUID agentTask(String tenant, UUID agent, String key) {
    return dispatch
        .agents()
        .scheduleTask(
            Scope.tenant(tenant),
            new ScheduleAgentTask(agent, "tool", new byte[0], "q-tools", null, null, "task:" + key))
        .block(WAIT)
        .taskExecutionId();
  }

  private static UUID child(String tenant, UUID parent) {
    return dispatch
        .agents()
        .spawnChild(
            Scope.tenant(tenant),
            StartAgent.builder(tenant, "child").parentExecutionId(parent).build())
        .block(WAIT);
  }

  @AfterAll
  static void stopServer() {
    channel.shutdownNow();
    server.shutdownNow();
    activeTokens.close();
    dispatch.close();
    db.close();
  }

  private static Channel bearing(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A token of the same form as {@code issued} (prefix, lookup id, secret) that nobody issued. */
  private static String neverIssuedLike(String issued) {
    StringBuilder text = new StringBuilder(issued);
    int start = issued.indexOf('_') + 1;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '_') {
        text.setCharAt(i, c == 'z' ? 'y' : 'z');
      }
    }
    return text.toString();
  }

  private static WorkflowDispatchGrpc.WorkflowDispatchBlockingStub workflows(Channel caller) {
    return WorkflowDispatchGrpc.newBlockingStub(caller).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static TaskExecutionGrpc.TaskExecutionBlockingStub tasks(Channel caller) {
    return TaskExecutionGrpc.newBlockingStub(caller).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  // A: a claimed workflow with a RUNNING task (with state and a log line), a PENDING task and a
  // PENDING promise, a PENDING workflow on the same queue, and a worker registration
  private static void fixturesOfA() {
    queueA = "qa-" + UUID.randomUUID();
    workflowA = Commands.startClaimed(workflows(asA), start(A, queueA));
    workflows(asA).startWorkflow(start(A, queueA));
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    workflows(asA)
        .submitWorkflowCommands(
            batch(
                workflowA,
                List.of(scheduleTask(first, "ta"), scheduleTask(second, "ta"), createPromise("pa")),
                WorkflowStatus.SUSPENDED));
    promiseA = workflowA + ":pa";
    taskA = UUID.fromString(pollTask(asA, A, queueA).getTask().getTaskExecutionId());
    tasks(asA)
        .setState(
            SetStateRequest.newBuilder()
                .setTaskExecutionId(taskA.toString())
                .setKey("k")
                .setValue(ByteString.copyFromUtf8("1"))
                .build());
    tasks(asA)
        .logMessage(
            LogMessageRequest.newBuilder()
                .setTaskExecutionId(taskA.toString())
                .setLevel("INFO")
                .setMessage("a's line")
                .build());
    workerA = register(asA, A);
  }

  private static void fixturesOfB() {
    String queue = "qb-" + UUID.randomUUID();
    workflowB = Commands.startClaimed(workflows(asB), start(B, queue));
    List<UUID> ids =
        List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    List<WorkflowCommand> commands = new ArrayList<>();
    ids.forEach(id -> commands.add(scheduleTask(id, "tb")));
    commands.add(createPromise("pb1"));
    commands.add(createPromise("pb2"));
    workflows(asB).submitWorkflowCommands(batch(workflowB, commands, WorkflowStatus.SUSPENDED));
    tasksB = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      tasksB.add(UUID.fromString(pollTask(asB, B, queue).getTask().getTaskExecutionId()));
    }
    batchWorkflowB =
        Commands.startClaimed(workflows(asB), start(B, "qb-batch-" + UUID.randomUUID()));
    streamWorkflowB =
        Commands.startClaimed(workflows(asB), start(B, "qb-stream-" + UUID.randomUUID()));
    cancellingWorkflowB =
        Commands.startClaimed(workflows(asB), start(B, "qb-cancel-" + UUID.randomUUID()));
    workerB = register(asB, B);
  }

  private static ai.flovyn.dispatch.proto.PollTaskResponse pollTask(
      Channel caller, String tenant, String queue) {
    return tasks(caller)
        .pollTask(
            PollTaskRequest.newBuilder()
                .setWorkerId("w-" + tenant)
                .setTenantId(tenant)
                .setQueue(queue)
                .setTimeoutSeconds(5)
                .build());
  }

  private static String register(Channel caller, String tenant) {
    return WorkerLifecycleGrpc.newBlockingStub(caller)
        .registerWorker(registration(tenant))
        .getWorkerId();
  }

  private static WorkerRegistrationRequest registration(String tenant) {
    return WorkerRegistrationRequest.newBuilder()
        .setTenantId(tenant)
        .setWorkerName("worker-" + tenant)
        .setWorkerVersion("1")
        .setWorkerType("UNIFIED")
        .setHostName("host")
        .setProcessId("1")
        .build();
  }

  // --- the matrix

  /**
   * One RPC's rows of the matrix: a request naming tenant A (null when the RPC names no tenant), a
   * request addressing an object by id with tenant A's id (both null when it addresses none), and a
   * request of tenant B's own that must be served.
   */
  private record Case(
      Message namingA, Function<String, Message> addressing, String idOfA, Message own) {
    static Case named(Message namingA, Message own) {
      return new Case(namingA, null, null, own);
    }

    static Case addressed(Function<String, Message> addressing, String idOfA, Message own) {
      return new Case(null, addressing, idOfA, own);
    }
  }

  private static Map<String, Case> matrix() {
    Map<String, Case> cases = new LinkedHashMap<>();
    // WorkflowDispatch
    cases.put(
        "PollWorkflow",
        Case.named(pollWorkflow(A, queueA), pollWorkflow(B, "empty-" + UUID.randomUUID())));
    cases.put(
        "SubscribeToNotifications",
        Case.named(subscription(A, queueA), subscription(B, "q-" + UUID.randomUUID())));
    cases.put("StartWorkflow", Case.named(start(A, queueA), start(B, "qb-new")));
    cases.put(
        "ResolvePromise",
        Case.addressed(
            id ->
                ResolvePromiseRequest.newBuilder()
                    .setPromiseId(id)
                    .setValue(ByteString.copyFromUtf8("1"))
                    .build(),
            promiseA,
            ResolvePromiseRequest.newBuilder()
                .setPromiseId(workflowB + ":pb1")
                .setValue(ByteString.copyFromUtf8("1"))
                .build()));
    cases.put(
        "RejectPromise",
        Case.addressed(
            id -> RejectPromiseRequest.newBuilder().setPromiseId(id).setError("no").build(),
            promiseA,
            RejectPromiseRequest.newBuilder()
                .setPromiseId(workflowB + ":pb2")
                .setError("no")
                .build()));
    cases.put(
        "GetEvents",
        Case.addressed(
            id -> GetEventsRequest.newBuilder().setWorkflowExecutionId(id).build(),
            workflowA,
            GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowB).build()));
    cases.put(
        "SubmitWorkflowCommands",
        Case.addressed(
            id -> batch(id, List.of(setState("k", "2"))),
            workflowA,
            batch(batchWorkflowB, List.of(setState("k", "2")))));
    cases.put(
        "StreamWorkflowCommands",
        Case.addressed(
            id -> streamed(batch(id, List.of(setState("k", "2")))),
            workflowA,
            streamed(batch(streamWorkflowB, List.of(setState("k", "2"))))));
    cases.put(
        "GetVisualWorkflowDefinitionById",
        Case.named(
            null,
            GetVisualWorkflowDefinitionByIdRequest.newBuilder()
                .setWorkflowDefinitionId("d")
                .build()));
    cases.put(
        "StartChildWorkflow",
        new Case(
            startChild(workflowA, A),
            id -> startChild(id, B),
            workflowA,
            startChild(workflowB, B)));
    cases.put("SignalWithStartWorkflow", Case.named(signalWithStart(A), signalWithStart(B)));
    cases.put(
        "SignalWorkflow",
        new Case(signal(A, workflowA), id -> signal(B, id), workflowA, signal(B, workflowB)));
    cases.put(
        "ReportExecutionSpans", Case.named(null, ReportExecutionSpansRequest.getDefaultInstance()));
    // WorkflowQuery
    cases.put(
        "QueryWorkflow",
        Case.addressed(
            id ->
                QueryWorkflowRequest.newBuilder()
                    .setWorkflowExecutionId(id)
                    .setQueryName("__status")
                    .build(),
            workflowA,
            QueryWorkflowRequest.newBuilder()
                .setWorkflowExecutionId(workflowB)
                .setQueryName("__status")
                .build()));
    // WorkerLifecycle
    cases.put("RegisterWorker", Case.named(registration(A), registration(B)));
    cases.put(
        "SendHeartbeat",
        Case.addressed(
            id -> WorkerHeartbeatRequest.newBuilder().setWorkerId(id).build(),
            workerA,
            WorkerHeartbeatRequest.newBuilder().setWorkerId(workerB).build()));
    cases.put(
        "ListWorkers",
        Case.named(
            ListWorkersRequest.newBuilder().setTenantId(A).build(),
            ListWorkersRequest.newBuilder().setTenantId(B).build()));
    // TaskExecution
    cases.put(
        "SubmitTask",
        new Case(submitTask(A, ""), id -> submitTask(B, id), workflowA, submitTask(B, "")));
    cases.put(
        "PollTask",
        Case.named(
            PollTaskRequest.newBuilder().setTenantId(A).setQueue(queueA).setWorkerId("w").build(),
            PollTaskRequest.newBuilder()
                .setTenantId(B)
                .setQueue("empty-" + UUID.randomUUID())
                .setWorkerId("w")
                .build()));
    String liveB = tasksB.get(3).toString();
    cases.put(
        "CompleteTask",
        task(
            id -> CompleteTaskRequest.newBuilder().setTaskExecutionId(id).build(),
            tasksB.get(0).toString()));
    cases.put(
        "FailTask",
        task(
            id -> FailTaskRequest.newBuilder().setTaskExecutionId(id).setError("e").build(),
            tasksB.get(1).toString()));
    cases.put(
        "ReportProgress",
        task(
            id ->
                ReportProgressRequest.newBuilder().setTaskExecutionId(id).setProgress(0.5).build(),
            liveB));
    cases.put(
        "Heartbeat",
        task(id -> HeartbeatRequest.newBuilder().setTaskExecutionId(id).build(), liveB));
    cases.put(
        "CancelTask",
        task(
            id -> CancelTaskRequest.newBuilder().setTaskExecutionId(id).build(),
            tasksB.get(2).toString()));
    cases.put(
        "LogMessage",
        task(
            id ->
                LogMessageRequest.newBuilder()
                    .setTaskExecutionId(id)
                    .setLevel("INFO")
                    .setMessage("b's line")
                    .build(),
            liveB));
    cases.put(
        "GetState",
        task(id -> GetStateRequest.newBuilder().setTaskExecutionId(id).setKey("k").build(), liveB));
    cases.put(
        "SetState",
        task(
            id ->
                SetStateRequest.newBuilder()
                    .setTaskExecutionId(id)
                    .setKey("k")
                    .setValue(ByteString.copyFromUtf8("2"))
                    .build(),
            liveB));
    cases.put(
        "ClearState",
        task(
            id -> ClearStateRequest.newBuilder().setTaskExecutionId(id).setKey("k").build(),
            liveB));
    cases.put(
        "ClearAllState",
        task(id -> ClearAllStateRequest.newBuilder().setTaskExecutionId(id).build(), liveB));
    cases.put(
        "GetStateKeys",
        task(id -> GetStateKeysRequest.newBuilder().setTaskExecutionId(id).build(), liveB));
    cases.put(
        "StreamTaskData",
        task(
            id ->
                StreamTaskDataRequest.newBuilder()
                    .setTaskExecutionId(id)
                    .setSequence(1)
                    .setType(StreamEventType.TOKEN)
                    .setPayload("{\"text\":\"b\"}")
                    .build(),
            liveB));
    cases.put(
        "SubscribeTaskData",
        task(id -> SubscribeTaskDataRequest.newBuilder().setTaskExecutionId(id).build(), liveB));
    cases.put(
        "ListTaskLogs",
        task(id -> ListTaskLogsRequest.newBuilder().setTaskExecutionId(id).build(), liveB));
    // AgentDispatch (org_id is the tenant)
    String a = agentA.toString();
    cases.put(
        "PollAgent",
        Case.named(
            PollAgentRequest.newBuilder()
                .setOrgId(A)
                .setQueue("qa-agents")
                .setWorkerId("w")
                .build(),
            PollAgentRequest.newBuilder()
                .setOrgId(B)
                .setQueue("empty-" + UUID.randomUUID())
                .setWorkerId("w")
                .build()));
    cases.put(
        "GetEntries",
        agentRow(id -> GetEntriesRequest.newBuilder().setAgentExecutionId(id).build(), agentB));
    cases.put(
        "AppendEntry",
        agentRow(
            id ->
                AppendEntryRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setEntryType("MESSAGE")
                    .setRole("user")
                    .setContent(ByteString.copyFromUtf8("{}"))
                    .setIdempotencyKey("00000000-0000-4000-8000-00000000000b")
                    .build(),
            agentB));
    cases.put(
        "GetLatestCheckpoint",
        agentRow(id -> GetCheckpointRequest.newBuilder().setAgentExecutionId(id).build(), agentB));
    cases.put(
        "SubmitCheckpoint",
        agentRow(
            id ->
                SubmitCheckpointRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setState(ByteString.copyFromUtf8("null"))
                    .build(),
            agentB));
    cases.put(
        "ScheduleAgentTask",
        agentRow(
            id ->
                ScheduleAgentTaskChunk.newBuilder()
                    .setHeader(
                        ScheduleAgentTaskHeader.newBuilder()
                            .setAgentExecutionId(id)
                            .setTaskKind("tool")
                            .setQueue("q-tools")
                            .setIdempotencyKey("task:scheduled"))
                    .build(),
            agentB));
    cases.put(
        "CompleteAgent",
        agentRow(
            id -> CompleteAgentRequest.newBuilder().setAgentExecutionId(id).build(), completingB));
    cases.put(
        "FailAgent",
        agentRow(
            id -> FailAgentRequest.newBuilder().setAgentExecutionId(id).setError("e").build(),
            failingB));
    cases.put(
        "SuspendAgent",
        agentRow(
            id ->
                SuspendAgentRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setWaitForSignal("s")
                    .build(),
            suspendingB));
    cases.put(
        "ResumeAgent",
        agentRow(
            id -> ResumeAgentRequest.newBuilder().setAgentExecutionId(id).setWorkerId("w").build(),
            agentB));
    cases.put(
        "SignalAgent",
        agentRow(
            id ->
                SignalAgentRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setSignalName("s")
                    .setSignalValue(ByteString.copyFromUtf8("1"))
                    .build(),
            agentB));
    cases.put(
        "ConsumeSignals",
        agentRow(
            id ->
                ConsumeSignalsRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setSignalName("s")
                    .build(),
            agentB));
    cases.put(
        "HasSignal",
        agentRow(
            id -> HasSignalRequest.newBuilder().setAgentExecutionId(id).setSignalName("s").build(),
            agentB));
    cases.put(
        "GetAgentTaskResult",
        new Case(
            null,
            id ->
                GetAgentTaskResultRequest.newBuilder()
                    .setAgentExecutionId(agentB.toString())
                    .setTaskExecutionId(id)
                    .build(),
            agentTaskA.toString(),
            GetAgentTaskResultRequest.newBuilder()
                .setAgentExecutionId(agentB.toString())
                .setTaskExecutionId(agentTaskB.toString())
                .build()));
    cases.put(
        "GetAgentTaskResults",
        agentRow(
            id ->
                GetAgentTaskResultsRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .addTaskExecutionIds((id.equals(a) ? agentTaskA : agentTaskB).toString())
                    .build(),
            agentB));
    cases.put(
        "GetAgentTaskCount",
        agentRow(
            id -> GetAgentTaskCountRequest.newBuilder().setAgentExecutionId(id).build(), agentB));
    cases.put(
        "CancelAgentTask",
        new Case(
            null,
            id ->
                CancelAgentTaskRequest.newBuilder()
                    .setAgentExecutionId(agentB.toString())
                    .setTaskExecutionId(id)
                    .build(),
            agentTaskA.toString(),
            CancelAgentTaskRequest.newBuilder()
                .setAgentExecutionId(agentB.toString())
                .setTaskExecutionId(cancelTaskB.toString())
                .build()));
    cases.put(
        "StreamAgentData",
        agentRow(
            id ->
                StreamAgentDataRequest.newBuilder()
                    .setAgentExecutionId(id)
                    .setPayload("{\"text\":\"b\"}")
                    .build(),
            agentB));
    cases.put(
        "SpawnChildAgent",
        new Case(spawn(A, a), id -> spawn(B, id), a, spawn(B, agentB.toString())));
    cases.put(
        "SendParentSignal",
        new Case(
            parentSignal(A, childA.toString()),
            id -> parentSignal(B, id),
            childA.toString(),
            parentSignal(B, childB.toString())));
    cases.put(
        "SendChildSignal",
        new Case(
            childSignal(A, a, childA.toString()),
            id -> childSignal(B, agentB.toString(), id),
            childA.toString(),
            childSignal(B, agentB.toString(), childB.toString())));
    cases.put(
        "PollChildEvents",
        new Case(
            childEvents(A, a, childA.toString()),
            id -> childEvents(B, id, childB.toString()),
            a,
            childEvents(B, agentB.toString(), childB.toString())));
    return cases;
  }

  private static Case agentRow(Function<String, Message> request, UUID ownAgent) {
    return Case.addressed(request, agentA.toString(), request.apply(ownAgent.toString()));
  }

  private static SpawnChildAgentRequest spawn(String tenant, String parent) {
    return SpawnChildAgentRequest.newBuilder()
        .setOrgId(tenant)
        .setParentExecutionId(parent)
        .setAgentKind("child")
        .setInput(ByteString.copyFromUtf8("{}"))
        .setMode("REMOTE")
        .build();
  }

  private static SendParentSignalRequest parentSignal(String tenant, String child) {
    return SendParentSignalRequest.newBuilder()
        .setOrgId(tenant)
        .setChildExecutionId(child)
        .setSignalName("s")
        .build();
  }

  private static SendChildSignalRequest childSignal(String tenant, String parent, String child) {
    return SendChildSignalRequest.newBuilder()
        .setOrgId(tenant)
        .setParentExecutionId(parent)
        .setChildExecutionId(child)
        .setSignalName("s")
        .build();
  }

  private static PollChildEventsRequest childEvents(String tenant, String parent, String child) {
    return PollChildEventsRequest.newBuilder()
        .setOrgId(tenant)
        .setParentExecutionId(parent)
        .addChildExecutionIds(child)
        .build();
  }

  private static Case task(Function<String, Message> request, String ownTaskId) {
    return Case.addressed(request, taskA.toString(), request.apply(ownTaskId));
  }

  private static PollRequest pollWorkflow(String tenant, String queue) {
    return PollRequest.newBuilder().setTenantId(tenant).setQueue(queue).setWorkerId("w").build();
  }

  private static SubscriptionRequest subscription(String tenant, String queue) {
    return SubscriptionRequest.newBuilder()
        .setTenantId(tenant)
        .setQueue(queue)
        .setWorkerId("w")
        .build();
  }

  private static CommandBatch streamed(
      ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest batch) {
    return CommandBatch.newBuilder().setRequestId("r").setBatch(batch).build();
  }

  private static StartChildWorkflowRequest startChild(String parentId, String tenant) {
    return StartChildWorkflowRequest.newBuilder()
        .setParentWorkflowExecutionId(parentId)
        .setTenantId(tenant)
        .setChildExecutionName("child")
        .setWorkflowKind("child-kind")
        .build();
  }

  private static SignalWithStartWorkflowRequest signalWithStart(String tenant) {
    return SignalWithStartWorkflowRequest.newBuilder()
        .setTenantId(tenant)
        .setWorkflowId("business-key-1")
        .setWorkflowKind("kind")
        .setQueue("q-sws")
        .setSignalName("s")
        .setSignalValue(ByteString.copyFromUtf8("1"))
        .build();
  }

  private static SignalWorkflowRequest signal(String tenant, String workflowId) {
    return SignalWorkflowRequest.newBuilder()
        .setTenantId(tenant)
        .setWorkflowExecutionId(workflowId)
        .setSignalName("s")
        .setSignalValue(ByteString.copyFromUtf8("1"))
        .build();
  }

  @SuppressWarnings("deprecation")
  private static SubmitTaskRequest submitTask(String tenant, String workflowId) {
    return SubmitTaskRequest.newBuilder()
        .setTenantId(tenant)
        .setWorkflowExecutionId(workflowId)
        .setTaskType("t")
        .setQueue("q-submitted")
        .build();
  }

  /** A random id of the same form as {@code idOfA}. */
  private static String randomLike(String idOfA) {
    return idOfA.equals(promiseA) ? UUID.randomUUID() + ":pa" : UUID.randomUUID().toString();
  }

  @Test
  void everyRpcOfEveryServiceHasARowInTheMatrix() {
    Set<String> rpcs = new TreeSet<>();
    SERVICES.forEach(
        service -> service.getMethods().forEach(method -> rpcs.add(method.getBareMethodName())));
    assertEquals(rpcs, new TreeSet<>(matrix().keySet()));
  }

  @Test
  void callsWithoutAnActiveTokenAreUnauthenticatedAlikeForExistingAndMissingObjects() {
    Map<String, String> before = snapshot();
    int calls = 0;
    for (Map.Entry<String, Case> entry : matrix().entrySet()) {
      String rpc = entry.getKey();
      Case row = entry.getValue();
      List<Message> requests = new ArrayList<>();
      requests.add(row.own());
      if (row.namingA() != null) {
        requests.add(row.namingA());
      }
      if (row.addressing() != null) {
        requests.add(row.addressing().apply(row.idOfA()));
        requests.add(row.addressing().apply(randomLike(row.idOfA())));
      }
      for (Map.Entry<String, Channel> caller : unauthenticated.entrySet()) {
        for (Message request : requests) {
          Outcome outcome = call(caller.getValue(), method(rpc), request);
          String what = rpc + " with " + caller.getKey();
          assertEquals(Status.Code.UNAUTHENTICATED, outcome.code(), what);
          assertEquals(Authentication.MESSAGE, outcome.description(), what);
          calls++;
        }
      }
    }
    assertEquals(before, snapshot(), "nothing written");
    assertTrue(calls >= 33 * 3 * 2, "every RPC asked by every caller: " + calls);
  }

  @Test
  void requestsNamingAnotherTenantArePermissionDeniedAndChangeNothing() {
    ListAppender<ILoggingEvent> audit = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
    audit.start();
    logger.addAppender(audit);
    double deniedBefore = denied();
    int named = 0;
    try {
      for (Map.Entry<String, Case> entry : matrix().entrySet()) {
        if (entry.getValue().namingA() == null) {
          continue;
        }
        named++;
        String rpc = entry.getKey();
        Map<String, String> before = snapshot();
        Outcome outcome = call(asB, method(rpc), entry.getValue().namingA());
        assertEquals(Status.Code.PERMISSION_DENIED, outcome.code(), rpc);
        assertEquals(field(rpc) + " must name the caller's own tenant", outcome.description(), rpc);
        assertEquals(before, snapshot(), rpc + " changed something");
      }
    } finally {
      logger.detachAppender(audit);
    }
    assertEquals(named, denied() - deniedBefore);
    assertEquals(named, audit.list.size());
    for (ILoggingEvent event : audit.list) {
      String line = event.getFormattedMessage();
      assertTrue(
          line.contains("tenant=" + B + " field=tenant_id")
              || (line.contains("tenant=" + B + " field=org_id")
                  && line.contains("flovyn.v1.AgentDispatch/")),
          line);
      assertFalse(line.contains(A), line);
    }
    assertTrue(
        audit.list.stream()
            .anyMatch(
                event ->
                    event
                        .getFormattedMessage()
                        .contains("method=flovyn.v1.WorkflowDispatch/StartWorkflow")));
  }

  // AgentDispatch names the tenant org_id, as the SDK sends it
  private static String field(String rpc) {
    return AgentDispatchGrpc.getServiceDescriptor().getMethods().stream()
            .anyMatch(method -> method.getBareMethodName().equals(rpc))
        ? "org_id"
        : "tenant_id";
  }

  @Test
  void anotherTenantsObjectsAnswerExactlyAsNonexistentOnesAndStayUnchanged() {
    for (Map.Entry<String, Case> entry : matrix().entrySet()) {
      Case row = entry.getValue();
      if (row.addressing() == null) {
        continue;
      }
      String rpc = entry.getKey();
      String randomId = randomLike(row.idOfA());
      Map<String, String> before = snapshot();
      Outcome ofA = call(asB, method(rpc), row.addressing().apply(row.idOfA()));
      Outcome missing = call(asB, method(rpc), row.addressing().apply(randomId));
      assertEquals(before, snapshot(), rpc + " changed something");
      assertEquals(missing.code(), ofA.code(), rpc);
      assertEquals(
          normalized(missing.description(), randomId),
          normalized(ofA.description(), row.idOfA()),
          rpc);
      assertEquals(missing.response(), ofA.response(), rpc);
      Set<String> answeredOk = Set.of("SendHeartbeat", "StreamTaskData");
      assertEquals(
          answeredOk.contains(rpc) ? Status.Code.OK : Status.Code.NOT_FOUND, ofA.code(), rpc);
    }
  }

  @Test
  void theCallersOwnTenantIsServed() throws Exception {
    for (Map.Entry<String, Case> entry : matrix().entrySet()) {
      String rpc = entry.getKey();
      if (rpc.equals("SubscribeToNotifications") || rpc.equals("SubscribeTaskData")) {
        continue; // streams that stay open: served below
      }
      Outcome outcome = call(asB, method(rpc), entry.getValue().own());
      Status.Code expected =
          rpc.equals("GetVisualWorkflowDefinitionById") ? Status.Code.NOT_FOUND : Status.Code.OK;
      assertEquals(expected, outcome.code(), rpc + ": " + outcome.description());
    }
    ListWorkersResponse workers =
        WorkerLifecycleGrpc.newBlockingStub(asB)
            .listWorkers(ListWorkersRequest.newBuilder().setTenantId(B).build());
    assertTrue(workers.getWorkersCount() > 0);
    assertTrue(workers.getWorkersList().stream().noneMatch(w -> w.getWorkerId().equals(workerA)));
    notificationsOfTheOwnTenantArrive();
    taskDataOfTheOwnTenantArrives();
  }

  private static void notificationsOfTheOwnTenantArrive() throws Exception {
    String queue = "q-notify-" + UUID.randomUUID();
    BlockingQueue<WorkAvailableEvent> events = new LinkedBlockingQueue<>();
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      context.run(
          () ->
              WorkflowDispatchGrpc.newStub(asB)
                  .subscribeToNotifications(subscription(B, queue), collect(events)));
      // the subscription reaches the server at some point: start work until one is heard of
      Await.until(
          () -> {
            workflows(asB).startWorkflow(start(B, queue));
            return !events.isEmpty();
          },
          "a notification on the own tenant's queue");
      assertEquals(B, events.peek().getTenantId());
    } finally {
      context.cancel(null);
    }
  }

  private static void taskDataOfTheOwnTenantArrives() throws Exception {
    String live = tasksB.get(3).toString();
    BlockingQueue<TaskDataEvent> events = new LinkedBlockingQueue<>();
    double before = subscribers();
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      context.run(
          () ->
              TaskExecutionGrpc.newStub(asB)
                  .subscribeTaskData(
                      SubscribeTaskDataRequest.newBuilder().setTaskExecutionId(live).build(),
                      collect(events)));
      Await.until(() -> subscribers() == before + 1, "the subscription to register");
      tasks(asB)
          .streamTaskData(
              StreamTaskDataRequest.newBuilder()
                  .setTaskExecutionId(live)
                  .setSequence(7)
                  .setType(StreamEventType.TOKEN)
                  .setPayload("{\"text\":\"b\"}")
                  .build());
      TaskDataEvent event = events.poll(30, TimeUnit.SECONDS);
      assertEquals(7, event.getSequence());
    } finally {
      context.cancel(null);
    }
  }

  @Test
  void aParentCannotCancelAnotherTenantsWorkflowAsItsChild() {
    Map<String, String> before = snapshot();
    Outcome ofA = cancelChild(workflowA);
    Outcome missing = cancelChild(UUID.randomUUID().toString());
    assertEquals(before, snapshot());
    assertEquals(Status.Code.NOT_FOUND, ofA.code());
    assertEquals(missing, ofA);
  }

  private static Outcome cancelChild(String childId) {
    WorkflowCommand cancel =
        WorkflowCommand.newBuilder()
            .setCommandType(CommandType.REQUEST_CANCEL_CHILD_WORKFLOW)
            .setRequestCancelChildWorkflow(
                RequestCancelChildWorkflowCommand.newBuilder()
                    .setChildExecutionName("child")
                    .setChildWorkflowExecutionId(childId)
                    .setReason("because"))
            .build();
    return call(
        asB,
        method("SubmitWorkflowCommands"),
        batch(cancellingWorkflowB, List.of(cancel), WorkflowStatus.SUSPENDED));
  }

  // --- calling any RPC

  private record Outcome(Status.Code code, String description, Message response) {}

  private static MethodDescriptor<?, ?> method(String rpc) {
    return SERVICES.stream()
        .flatMap(service -> service.getMethods().stream())
        .filter(method -> method.getBareMethodName().equals(rpc))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Outcome call(Channel caller, MethodDescriptor<?, ?> method, Message request) {
    MethodDescriptor<Message, Message> typed = (MethodDescriptor<Message, Message>) method;
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    try {
      return switch (typed.getType()) {
        case UNARY ->
            new Outcome(
                Status.Code.OK,
                null,
                ClientCalls.blockingUnaryCall(caller, typed, options, request));
        case SERVER_STREAMING -> firstOfStream(caller, typed, options, request);
        case BIDI_STREAMING -> firstAck(caller, typed, options, request);
        case CLIENT_STREAMING -> oneMessage(caller, typed, options, request);
        default -> throw new AssertionError("no flovyn.v1 RPC is " + typed.getType());
      };
    } catch (StatusRuntimeException e) {
      return new Outcome(e.getStatus().getCode(), e.getStatus().getDescription(), null);
    }
  }

  // the refusals of these streams arrive as their first signal; a served stream stays open
  private static Outcome firstOfStream(
      Channel caller,
      MethodDescriptor<Message, Message> method,
      CallOptions options,
      Message request) {
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      Iterator<Message> stream =
          context.call(
              () -> ClientCalls.blockingServerStreamingCall(caller, method, options, request));
      return new Outcome(Status.Code.OK, null, stream.hasNext() ? stream.next() : null);
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      context.cancel(null);
    }
  }

  // a client stream of one message, then its end: the one answer
  private static Outcome oneMessage(
      Channel caller,
      MethodDescriptor<Message, Message> method,
      CallOptions options,
      Message request) {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    StreamObserver<Message> requests =
        ClientCalls.asyncClientStreamingCall(
            caller.newCall(method, options),
            new StreamObserver<>() {
              @Override
              public void onNext(Message value) {
                answer.complete(value);
              }

              @Override
              public void onError(Throwable error) {
                answer.completeExceptionally(error);
              }

              @Override
              public void onCompleted() {}
            });
    requests.onNext(request);
    requests.onCompleted();
    try {
      return new Outcome(Status.Code.OK, null, answer.get(20, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      Status status = Status.fromThrowable(e.getCause());
      return new Outcome(status.getCode(), status.getDescription(), null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Outcome firstAck(
      Channel caller,
      MethodDescriptor<Message, Message> method,
      CallOptions options,
      Message request) {
    CompletableFuture<Message> first = new CompletableFuture<>();
    StreamObserver<Message> requests =
        ClientCalls.asyncBidiStreamingCall(
            caller.newCall(method, options),
            new StreamObserver<>() {
              @Override
              public void onNext(Message value) {
                first.complete(value);
              }

              @Override
              public void onError(Throwable error) {
                first.completeExceptionally(error);
              }

              @Override
              public void onCompleted() {
                first.completeExceptionally(new AssertionError("the stream ended without an ack"));
              }
            });
    requests.onNext(request);
    try {
      CommandBatchAck ack = (CommandBatchAck) first.get(20, TimeUnit.SECONDS);
      requests.onCompleted();
      return new Outcome(
          Status.fromCodeValue(ack.getCode()).getCode(),
          ack.getMessage().isEmpty() ? null : ack.getMessage(),
          null);
    } catch (ExecutionException e) {
      // a stream refused as a whole (before any ack) closes with its status
      Status status = Status.fromThrowable(e.getCause());
      if (status.getCode() == Status.Code.UNKNOWN) {
        throw new AssertionError(e.getCause());
      }
      return new Outcome(status.getCode(), status.getDescription(), null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> StreamObserver<T> collect(BlockingQueue<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.add(value);
      }

      @Override
      public void onError(Throwable error) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static String normalized(String description, String id) {
    return description == null ? null : description.replace(id, "<id>");
  }

  // how many rows each table holds, and every row of tenant A's: a call that wrote anything of A
  // or inserted anything anywhere shows (B's own rows may change under its lease renewals); one
  // statement, so that the hundreds of snapshots the matrix takes stay cheap
  private static Map<String, String> snapshot() {
    List<String> parts = new ArrayList<>();
    for (String table : TABLES) {
      parts.add(
          "SELECT '"
              + table
              + "' AS name, count(*) AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY"
              + " t::text) FILTER (WHERE "
              + OF_A.getOrDefault(table, "t.tenant_id = 'tenant-a'")
              + ")), '') AS d FROM "
              + table
              + " t");
    }
    Map<String, String> tables = new LinkedHashMap<>();
    for (Map<String, Object> row : db.rows(String.join(" UNION ALL ", parts))) {
      tables.put(String.valueOf(row.get("name")), row.get("n") + " " + row.get("d"));
    }
    assertEquals(TABLES, List.copyOf(tables.keySet()));
    return tables;
  }

  private static final Map<String, String> OF_A =
      Map.ofEntries(
          Map.entry("workflow_events", workflowOfA()),
          Map.entry("timers", workflowOfA()),
          Map.entry("promises", workflowOfA()),
          Map.entry("workflow_state", workflowOfA()),
          Map.entry("task_attempts", taskOfA()),
          Map.entry("task_state", taskOfA()),
          Map.entry("task_logs", taskOfA()),
          Map.entry("task_log_counts", taskOfA()),
          Map.entry("agent_entries", agentOfA()),
          Map.entry("agent_checkpoints", agentOfA()),
          Map.entry("agent_signals", agentOfA()));

  private static String agentOfA() {
    return "t.agent_execution_id IN (SELECT id FROM agent_executions WHERE tenant_id = 'tenant-a')";
  }

  private static String workflowOfA() {
    return "t.workflow_execution_id IN"
        + " (SELECT id FROM workflow_executions WHERE tenant_id = 'tenant-a')";
  }

  private static String taskOfA() {
    return "t.task_execution_id IN (SELECT id FROM task_executions WHERE tenant_id = 'tenant-a')";
  }

  private static double denied() {
    return registry
        .get("dispatch_auth_denied")
        .tag("code", "PERMISSION_DENIED")
        .tag("reason", "other_tenant")
        .counter()
        .count();
  }

  private static double subscribers() {
    return registry.get("dispatch_task_data_subscribers").gauge().value();
  }
}
