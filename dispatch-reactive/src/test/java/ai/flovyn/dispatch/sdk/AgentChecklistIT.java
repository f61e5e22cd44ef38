package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.proto.AgentDispatchGrpc;
import ai.flovyn.dispatch.proto.AgentEntryChunk;
import ai.flovyn.dispatch.proto.AgentExecutionInfo;
import ai.flovyn.dispatch.proto.AppendEntryRequest;
import ai.flovyn.dispatch.proto.AppendEntryResponse;
import ai.flovyn.dispatch.proto.CancelAgentTaskRequest;
import ai.flovyn.dispatch.proto.CancelAgentTaskResponse;
import ai.flovyn.dispatch.proto.CompleteAgentRequest;
import ai.flovyn.dispatch.proto.CompleteTaskRequest;
import ai.flovyn.dispatch.proto.ConsumeSignalsRequest;
import ai.flovyn.dispatch.proto.FailAgentRequest;
import ai.flovyn.dispatch.proto.FailTaskRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultsRequest;
import ai.flovyn.dispatch.proto.GetCheckpointRequest;
import ai.flovyn.dispatch.proto.GetEntriesRequest;
import ai.flovyn.dispatch.proto.HasSignalRequest;
import ai.flovyn.dispatch.proto.PollAgentRequest;
import ai.flovyn.dispatch.proto.PollChildEventsRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskChunk;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskHeader;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskResponse;
import ai.flovyn.dispatch.proto.SendChildSignalRequest;
import ai.flovyn.dispatch.proto.SendParentSignalRequest;
import ai.flovyn.dispatch.proto.SignalAgentRequest;
import ai.flovyn.dispatch.proto.SpawnChildAgentRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataResponse;
import ai.flovyn.dispatch.proto.SubmitCheckpointRequest;
import ai.flovyn.dispatch.proto.SuspendAgentRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.TaskExecutionInfo;
import ai.flovyn.dispatch.proto.TaskResultEntry;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The acceptance checks of docs/agents.md over gRPC with a worker token, one test per check (or
 * group of checks), each on its own queue.
 */
class AgentChecklistIT {
  private static final int MAX_ENTRIES = 8;
  private static final int MAX_SIGNALS = 4;
  private static AgentTestServer server;
  private static AgentDispatchGrpc.AgentDispatchBlockingStub agents;
  private static AgentDispatchGrpc.AgentDispatchStub async;
  private static TaskExecutionGrpc.TaskExecutionBlockingStub tasks;

  @BeforeAll
  static void start() throws Exception {
    server = new AgentTestServer(AgentOptions.defaults().withCounts(MAX_ENTRIES, MAX_SIGNALS));
    agents = AgentDispatchGrpc.newBlockingStub(server.asTenant);
    async = AgentDispatchGrpc.newStub(server.asTenant);
    tasks = TaskExecutionGrpc.newBlockingStub(server.asTenant);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static String queue() {
    return "q-" + UUID.randomUUID();
  }

  private static AgentExecutionInfo poll(String queue, String... kinds) {
    var response =
        agents
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .pollAgent(
                PollAgentRequest.newBuilder()
                    .setWorkerId("w")
                    .setOrgId(server.tenant)
                    .setQueue(queue)
                    .setTimeoutSeconds(1)
                    .addAllAgentCapabilities(List.of(kinds))
                    .build());
    return response.hasAgentExecution() ? response.getAgentExecution() : null;
  }

  /** A claimed agent of kind k on a fresh queue. */
  private static AgentExecutionInfo claimed() {
    String queue = queue();
    server.create("k", "{}", queue);
    return poll(queue, "k");
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static String description(Runnable call) {
    try {
      call.run();
      return "OK";
    } catch (StatusRuntimeException e) {
      return e.getStatus().getDescription();
    }
  }

  private static AppendEntryResponse append(String agent, String key) {
    AppendEntryRequest.Builder request =
        AppendEntryRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setEntryType("MESSAGE")
            .setRole("user")
            .setContent(ByteString.copyFromUtf8("{\"n\":1}"));
    if (key != null) {
      request.setIdempotencyKey(key);
    }
    return agents.appendEntry(request.build());
  }

  private static List<AgentEntryChunk> entries(String agent) {
    List<AgentEntryChunk> chunks = new ArrayList<>();
    agents
        .getEntries(GetEntriesRequest.newBuilder().setAgentExecutionId(agent).build())
        .forEachRemaining(chunks::add);
    return chunks;
  }

  private static ScheduleAgentTaskResponse schedule(
      String agent, String kind, String key, String queue, Integer maxRetries, byte[]... chunks) {
    CompletableFuture<ScheduleAgentTaskResponse> done = new CompletableFuture<>();
    StreamObserver<ScheduleAgentTaskChunk> requests = async.scheduleAgentTask(observer(done));
    ScheduleAgentTaskHeader.Builder header =
        ScheduleAgentTaskHeader.newBuilder()
            .setAgentExecutionId(agent)
            .setTaskKind(kind)
            .setIdempotencyKey(key);
    if (queue != null) {
      header.setQueue(queue);
    }
    if (maxRetries != null) {
      header.setMaxRetries(maxRetries);
    }
    requests.onNext(ScheduleAgentTaskChunk.newBuilder().setHeader(header).build());
    for (byte[] chunk : chunks) {
      requests.onNext(
          ScheduleAgentTaskChunk.newBuilder().setInputChunk(ByteString.copyFrom(chunk)).build());
    }
    requests.onCompleted();
    return joined(done);
  }

  private static <T> T joined(CompletableFuture<T> done) {
    try {
      return done.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }

      @Override
      public void onCompleted() {}
    };
  }

  private static TaskExecutionInfo pollTask(String queue) {
    var response =
        tasks.pollTask(
            PollTaskRequest.newBuilder()
                .setWorkerId("tw")
                .setTenantId(server.tenant)
                .setQueue(queue)
                .setTimeoutSeconds(5)
                .build());
    return response.hasTask() ? response.getTask() : null;
  }

  private static List<TaskResultEntry> results(String agent, String... ids) {
    return agents
        .getAgentTaskResults(
            GetAgentTaskResultsRequest.newBuilder()
                .setAgentExecutionId(agent)
                .addAllTaskExecutionIds(List.of(ids))
                .build())
        .getResultsList();
  }

  private static void signal(String agent, String name) {
    agents.signalAgent(
        SignalAgentRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setSignalName(name)
            .setSignalValue(ByteString.copyFromUtf8("\"" + name + "\""))
            .build());
  }

  private static List<String> consume(String agent, String name, String pattern) {
    ConsumeSignalsRequest.Builder request =
        ConsumeSignalsRequest.newBuilder().setAgentExecutionId(agent);
    if (name != null) {
      request.setSignalName(name);
    }
    if (pattern != null) {
      request.setSignalPattern(pattern);
    }
    return agents.consumeSignals(request.build()).getSignalsList().stream()
        .map(s -> s.getSignalName() + "=" + s.getSignalValue().toStringUtf8())
        .toList();
  }

  // --- checks 2 to 6: polls and claims

  @Test
  void idlePollsEndEmptyAndAClaimCarriesTheAgent() {
    String queue = queue();
    assertEquals(null, poll(queue, "k"), "idle: OK with no agent");
    UUID id = server.create("k", "{\"a\": [1, 2]}", queue);
    assertEquals(AgentStatus.PENDING, server.agent(id).status());
    assertEquals(-1, server.agent(id).currentCheckpointSeq());
    AgentExecutionInfo info = poll(queue, "k");
    assertEquals(id.toString(), info.getId());
    assertEquals("k", info.getKind());
    assertEquals(server.tenant, info.getOrgId());
    assertEquals("{\"a\": [1, 2]}", info.getInput().toStringUtf8());
    assertEquals(-1, info.getCurrentCheckpointSeq());
    assertFalse(info.hasParentExecutionId());
    assertEquals("REMOTE", info.getPersistenceMode());
    assertEquals(AgentStatus.RUNNING, server.agent(id).status());
  }

  @Test
  void onlyMatchingKindsAndQueuesAreHandedOut() {
    String queue = queue();
    UUID x = server.create("x", "{}", queue);
    assertEquals(null, poll(queue, "y"));
    assertEquals(null, poll(queue() + "-other", "x"));
    assertEquals(AgentStatus.PENDING, server.agent(x).status());
    assertEquals(x.toString(), poll(queue, "y", "x").getId());
  }

  @Test
  void tenConcurrentPollsClaimOneAgentOnce() throws Exception {
    String queue = queue();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<AgentExecutionInfo>> polls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        polls.add(
            pool.submit(
                () ->
                    agents
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .pollAgent(
                            PollAgentRequest.newBuilder()
                                .setWorkerId("w")
                                .setOrgId(server.tenant)
                                .setQueue(queue)
                                .setTimeoutSeconds(3)
                                .addAgentCapabilities("k")
                                .build())
                        .getAgentExecution()));
      }
      // the polls wait (long poll) and one of them is woken by the creation
      UUID id = server.create("k", "{}", queue);
      int got = 0;
      for (Future<AgentExecutionInfo> poll : polls) {
        if (poll.get(30, TimeUnit.SECONDS).getId().equals(id.toString())) {
          got++;
        }
      }
      assertEquals(1, got);
    } finally {
      pool.shutdownNow();
    }
  }

  // --- checks 7 to 10: entries and checkpoints

  @Test
  void entriesAreKeyedByTheClientsUuidAndStreamedInOrder() {
    String agent = claimed().getId();
    assertEquals(0, entries(agent).size(), "no entries: an empty stream");
    String key = UUID.randomUUID().toString();
    AppendEntryResponse first = append(agent, key);
    assertEquals(key, first.getEntryId());
    assertFalse(first.getAlreadyExisted());
    AppendEntryResponse again = append(agent, key);
    assertEquals(key, again.getEntryId());
    assertTrue(again.getAlreadyExisted());
    AppendEntryResponse text = append(agent, "not-a-uuid");
    assertEquals(36, text.getEntryId().length());
    assertEquals(text.getEntryId(), append(agent, "not-a-uuid").getEntryId());
    String unknownParent = UUID.randomUUID().toString();
    agents.appendEntry(
        AppendEntryRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setParentId(unknownParent)
            .setEntryType("MESSAGE")
            .setContent(ByteString.copyFromUtf8("{}"))
            .build());
    List<AgentEntryChunk> chunks = entries(agent);
    assertEquals(3, chunks.size());
    assertEquals(key, chunks.get(0).getEntry().getId());
    assertEquals(text.getEntryId(), chunks.get(1).getEntry().getId());
    assertEquals(unknownParent, chunks.get(2).getEntry().getParentId());
    assertEquals("message", chunks.get(2).getEntry().getEntryType());
    assertTrue(chunks.get(0).getEntry().getCreatedAtMs() > 0);
    // after an entry: the later ones only
    List<AgentEntryChunk> after = new ArrayList<>();
    agents
        .getEntries(
            GetEntriesRequest.newBuilder()
                .setAgentExecutionId(agent)
                .setAfterEntryId(text.getEntryId())
                .build())
        .forEachRemaining(after::add);
    assertEquals(1, after.size());
  }

  @Test
  void entriesPastTheLimitAreRefusedAndBadInputNamesTheField() {
    String agent = claimed().getId();
    for (int i = 0; i < MAX_ENTRIES; i++) {
      append(agent, null);
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> append(agent, null)));
    assertEquals(MAX_ENTRIES, entries(agent).size());
    assertEquals(
        "entry_type must not be empty",
        description(
            () ->
                agents.appendEntry(
                    AppendEntryRequest.newBuilder().setAgentExecutionId(agent).build())));
    assertTrue(
        description(
                () ->
                    agents.appendEntry(
                        AppendEntryRequest.newBuilder()
                            .setAgentExecutionId("nope")
                            .setEntryType("MESSAGE")
                            .build()))
            .startsWith("agent_execution_id must be a UUID"));
  }

  @Test
  void checkpointsAreNumberedFromOneAndTheLatestIsReturned() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    assertFalse(
        agents
            .getLatestCheckpoint(
                GetCheckpointRequest.newBuilder().setAgentExecutionId(agent).build())
            .hasCheckpoint());
    List<Integer> sequences = new ArrayList<>();
    for (String state : List.of("null", "{\"a\":1}", "{\"b\": 2}")) {
      var response =
          agents.submitCheckpoint(
              SubmitCheckpointRequest.newBuilder()
                  .setAgentExecutionId(agent)
                  .setLeafEntryId("unknown-leaf")
                  .setState(ByteString.copyFromUtf8(state))
                  .build());
      assertEquals(36, response.getCheckpointId().length());
      sequences.add(response.getSequence());
    }
    assertEquals(List.of(1, 2, 3), sequences);
    var latest =
        agents
            .getLatestCheckpoint(
                GetCheckpointRequest.newBuilder().setAgentExecutionId(agent).build())
            .getCheckpoint();
    assertEquals(3, latest.getSequence());
    assertEquals("{\"b\": 2}", latest.getState().toStringUtf8());
    assertEquals("unknown-leaf", latest.getLeafEntryId());
    // suspended and woken: the next claim shows the sequence
    agents.suspendAgent(
        SuspendAgentRequest.newBuilder().setAgentExecutionId(agent).setWaitForSignal("go").build());
    signal(agent, "go");
    assertEquals(3, poll(info.getQueue(), "k").getCurrentCheckpointSeq());
  }

  // --- checks 11 to 16: tasks

  @Test
  void tasksAreScheduledUnderTheUuidV5OfTheKeyAndPolledAsOrdinaryTasks() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    String key = "task:3da10676bf068afa61cd1ea1651f202f";
    ScheduleAgentTaskResponse scheduled =
        schedule(
            agent,
            "echo-task",
            key,
            null,
            null,
            "{\"message\":".getBytes(),
            "\"alpha\"}".getBytes());
    assertEquals("3b3250d2-5f4b-5cb7-99c0-ae8de1cc620e", scheduled.getTaskExecutionId());
    assertTrue(scheduled.getIdempotencyKeyNew());
    TaskExecutionInfo task = pollTask(info.getQueue());
    assertEquals(scheduled.getTaskExecutionId(), task.getTaskExecutionId());
    assertEquals("{\"message\":\"alpha\"}", task.getInput().toStringUtf8());
    assertEquals("", task.getWorkflowExecutionId());
    ScheduleAgentTaskResponse again = schedule(agent, "echo-task", key, null, null, new byte[0]);
    assertEquals(scheduled.getTaskExecutionId(), again.getTaskExecutionId());
    assertFalse(again.getIdempotencyKeyNew());
    String otherQueue = queue();
    ScheduleAgentTaskResponse routed =
        schedule(agent, "echo-task", "task:routed", otherQueue, null, new byte[0]);
    assertEquals(routed.getTaskExecutionId(), pollTask(otherQueue).getTaskExecutionId());
    CompletableFuture<ScheduleAgentTaskResponse> done = new CompletableFuture<>();
    StreamObserver<ScheduleAgentTaskChunk> requests = async.scheduleAgentTask(observer(done));
    requests.onNext(
        ScheduleAgentTaskChunk.newBuilder().setInputChunk(ByteString.copyFromUtf8("x")).build());
    requests.onCompleted();
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> joined(done)));
  }

  @Test
  void resultsComeOnePerRequestedIdInOrderWithRetriesPending() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    String t1 = schedule(agent, "a", "task:one", null, 1, new byte[0]).getTaskExecutionId();
    String t2 = schedule(agent, "b", "task:two", null, null, new byte[0]).getTaskExecutionId();
    TaskExecutionInfo first = pollTask(info.getQueue());
    TaskExecutionInfo second = pollTask(info.getQueue());
    TaskExecutionInfo one = first.getTaskExecutionId().equals(t1) ? first : second;
    TaskExecutionInfo two = first.getTaskExecutionId().equals(t1) ? second : first;
    tasks.completeTask(
        CompleteTaskRequest.newBuilder()
            .setTaskExecutionId(two.getTaskExecutionId())
            .setOutput(ByteString.copyFromUtf8("{\"ok\":true}"))
            .build());
    tasks.failTask(
        FailTaskRequest.newBuilder()
            .setTaskExecutionId(one.getTaskExecutionId())
            .setError("first failure")
            .build());
    List<TaskResultEntry> results = results(agent, t2, t1, t2);
    assertEquals(List.of(t2, t1, t2), results.stream().map(r -> r.getTaskExecutionId()).toList());
    assertEquals("COMPLETED", results.get(0).getStatus());
    assertEquals("{\"ok\":true}", results.get(0).getOutput().toStringUtf8());
    assertEquals("PENDING", results.get(1).getStatus(), "between attempts");
    assertFalse(results.get(1).hasOutput());
    TaskExecutionInfo retry = pollTask(info.getQueue());
    tasks.failTask(
        FailTaskRequest.newBuilder()
            .setTaskExecutionId(retry.getTaskExecutionId())
            .setError("Task 'a' intentionally failed")
            .build());
    TaskResultEntry failed = results(agent, t1).get(0);
    assertEquals("FAILED", failed.getStatus());
    assertEquals("Task 'a' intentionally failed", failed.getError());
    assertEquals(Status.Code.NOT_FOUND, code(() -> results(agent, UUID.randomUUID().toString())));
  }

  @Test
  void cancellingAgentTasks() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    String pending =
        schedule(agent, "a", "task:p", queue(), null, new byte[0]).getTaskExecutionId();
    String running = schedule(agent, "a", "task:r", null, null, new byte[0]).getTaskExecutionId();
    TaskExecutionInfo claimedTask = pollTask(info.getQueue());
    assertEquals(running, claimedTask.getTaskExecutionId());
    CancelAgentTaskResponse first = cancel(agent, pending);
    assertTrue(first.getCancelled());
    assertEquals("CANCELLED", first.getStatus());
    CancelAgentTaskResponse again = cancel(agent, pending);
    assertFalse(again.getCancelled());
    assertEquals("CANCELLED", again.getStatus());
    assertTrue(cancel(agent, running).getCancelled());
    assertEquals(
        Status.Code.FAILED_PRECONDITION,
        code(
            () ->
                tasks.completeTask(
                    CompleteTaskRequest.newBuilder().setTaskExecutionId(running).build())));
    String done = schedule(agent, "a", "task:d", queue(), null, new byte[0]).getTaskExecutionId();
    // the key again for a cancelled task: the same task, unchanged
    assertEquals(
        pending, schedule(agent, "a", "task:p", null, null, new byte[0]).getTaskExecutionId());
    assertEquals("CANCELLED", results(agent, pending).get(0).getStatus());
    assertEquals("Task cancelled", results(agent, pending).get(0).getError());
    assertEquals(Status.Code.NOT_FOUND, code(() -> cancel(agent, UUID.randomUUID().toString())));
    assertNotEquals(null, done);
  }

  private static CancelAgentTaskResponse cancel(String agent, String task) {
    return agents.cancelAgentTask(
        CancelAgentTaskRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setTaskExecutionId(task)
            .build());
  }

  // --- checks 17 to 22: suspension and signals

  @Test
  void aSignalOfTheAwaitedNameResumesTheAgent() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    agents.suspendAgent(
        SuspendAgentRequest.newBuilder().setAgentExecutionId(agent).setWaitForSignal("N").build());
    assertEquals(AgentStatus.WAITING, server.agent(UUID.fromString(agent)).status());
    assertFalse(
        agents
            .signalAgent(
                SignalAgentRequest.newBuilder()
                    .setAgentExecutionId(agent)
                    .setSignalName("M")
                    .build())
            .getAgentResumed());
    assertEquals(AgentStatus.WAITING, server.agent(UUID.fromString(agent)).status());
    assertTrue(
        agents
            .signalAgent(
                SignalAgentRequest.newBuilder()
                    .setAgentExecutionId(agent)
                    .setSignalName("N")
                    .build())
            .getAgentResumed());
    assertEquals(agent, poll(info.getQueue(), "k").getId());
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        code(
            () ->
                agents.suspendAgent(
                    SuspendAgentRequest.newBuilder().setAgentExecutionId(agent).build())));
  }

  @Test
  void waitingForTasksAllAndAny() {
    AgentExecutionInfo info = claimed();
    String agent = info.getId();
    String a = schedule(agent, "a", "task:all-a", null, 0, new byte[0]).getTaskExecutionId();
    String b = schedule(agent, "b", "task:all-b", null, 0, new byte[0]).getTaskExecutionId();
    suspendOn(agent, true, a, b);
    finish(pollTask(info.getQueue()), true);
    assertEquals(AgentStatus.WAITING, server.agent(UUID.fromString(agent)).status());
    finish(pollTask(info.getQueue()), false);
    assertEquals(AgentStatus.PENDING, server.agent(UUID.fromString(agent)).status());
    assertEquals(agent, poll(info.getQueue(), "k").getId());
    // ANY: a failure alone is not enough; a completion is
    String c = schedule(agent, "c", "task:any-c", null, 0, new byte[0]).getTaskExecutionId();
    String d = schedule(agent, "d", "task:any-d", null, 0, new byte[0]).getTaskExecutionId();
    suspendOn(agent, false, c, d);
    TaskExecutionInfo first = pollTask(info.getQueue());
    TaskExecutionInfo second = pollTask(info.getQueue());
    finish(first, false);
    assertEquals(AgentStatus.WAITING, server.agent(UUID.fromString(agent)).status());
    finish(second, true);
    assertEquals(AgentStatus.PENDING, server.agent(UUID.fromString(agent)).status());
    // both already terminal when suspending: PENDING at once
    poll(info.getQueue(), "k");
    suspendOn(agent, true, a, b);
    assertEquals(AgentStatus.PENDING, server.agent(UUID.fromString(agent)).status());
    assertEquals(
        Status.Code.NOT_FOUND, code(() -> suspendOn(agent, true, UUID.randomUUID().toString())));
  }

  private static void suspendOn(String agent, boolean all, String... ids) {
    agents.suspendAgent(
        SuspendAgentRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setWaitForTasks(
                ai.flovyn.dispatch.proto.WaitForTasks.newBuilder()
                    .addAllTaskIds(List.of(ids))
                    .setMode(
                        all
                            ? ai.flovyn.dispatch.proto.WaitMode.WAIT_MODE_ALL
                            : ai.flovyn.dispatch.proto.WaitMode.WAIT_MODE_ANY))
            .build());
  }

  private static void finish(TaskExecutionInfo task, boolean complete) {
    if (complete) {
      tasks.completeTask(
          CompleteTaskRequest.newBuilder()
              .setTaskExecutionId(task.getTaskExecutionId())
              .setOutput(ByteString.copyFromUtf8("1"))
              .build());
    } else {
      tasks.failTask(
          FailTaskRequest.newBuilder()
              .setTaskExecutionId(task.getTaskExecutionId())
              .setError("no")
              .build());
    }
  }

  @Test
  void signalsAreConsumedOneByNameAndAllByPattern() {
    String agent = claimed().getId();
    signal(agent, "N");
    signal(agent, "N");
    signal(agent, "N");
    assertTrue(
        agents
            .hasSignal(
                HasSignalRequest.newBuilder().setAgentExecutionId(agent).setSignalName("N").build())
            .getHasSignal());
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        code(
            () -> {
              signal(agent, "x");
              signal(agent, "x");
            }));
    assertEquals(List.of("N=\"N\""), consume(agent, "N", null));
    assertEquals(List.of("N=\"N\""), consume(agent, "N", null));
    assertEquals(List.of("N=\"N\""), consume(agent, "N", null));
    assertEquals(List.of(), consume(agent, "N", null));
    assertFalse(
        agents
            .hasSignal(
                HasSignalRequest.newBuilder().setAgentExecutionId(agent).setSignalName("N").build())
            .getHasSignal());
    assertEquals(List.of(), consume(agent, null, "x*"), "* needs a character");
    assertEquals(List.of("x=\"x\""), consume(agent, "x", null));
    String other = claimed().getId();
    for (String name : List.of("a.b", "a.c", "a.b.c", "x")) {
      signal(other, name);
    }
    assertEquals(List.of("a.b=\"a.b\"", "a.c=\"a.c\""), consume(other, null, "a.*"));
    assertEquals(List.of("a.b.c=\"a.b.c\""), consume(other, null, "a.**"));
    assertEquals(List.of(), consume(other, null, "x*"));
  }

  // --- checks 23 to 27: outcomes, data, statuses, leases

  @Test
  void aFinishedAgentRefusesWrites() {
    String agent = claimed().getId();
    agents.completeAgent(
        CompleteAgentRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setOutput(ByteString.copyFromUtf8("{\"response\":\"done\"}"))
            .build());
    var done = server.agent(UUID.fromString(agent));
    assertEquals(AgentStatus.COMPLETED, done.status());
    assertEquals("{\"response\":\"done\"}", new String(done.output()));
    for (Runnable write :
        List.<Runnable>of(
            () ->
                agents.completeAgent(
                    CompleteAgentRequest.newBuilder().setAgentExecutionId(agent).build()),
            () ->
                agents.failAgent(
                    FailAgentRequest.newBuilder().setAgentExecutionId(agent).setError("e").build()),
            () -> append(agent, null))) {
      assertEquals(Status.Code.FAILED_PRECONDITION, code(write));
    }
    assertEquals(0, entries(agent).size(), "reads work on a finished agent");
    String failing = claimed().getId();
    agents.failAgent(
        FailAgentRequest.newBuilder()
            .setAgentExecutionId(failing)
            .setError("Agent kind 'k' not registered on this worker")
            .setFailureType("AGENT_NOT_FOUND")
            .build());
    var failed = server.agent(UUID.fromString(failing));
    assertEquals(AgentStatus.FAILED, failed.status());
    assertEquals("AGENT_NOT_FOUND", failed.failureType());
    assertTrue(failed.error().contains("not registered"));
  }

  @Test
  void streamedDataReachesViewersAndIsAcknowledgedWithoutAny() {
    String agent = claimed().getId();
    assertTrue(stream(agent, 0, "{\"text\":\"a\"}").getAcknowledged());
    Flux<AgentData> feed =
        server.dispatch.openAgentData(server.scope(), UUID.fromString(agent)).block();
    CompletableFuture<List<String>> received =
        feed.take(2).map(AgentData::payload).collectList().toFuture();
    assertTrue(stream(agent, 0, "{\"text\":\"b\"}").getAcknowledged());
    assertTrue(stream(agent, 0, "{\"text\":\"c\"}").getAcknowledged());
    assertEquals(List.of("{\"text\":\"b\"}", "{\"text\":\"c\"}"), received.join());
  }

  private static StreamAgentDataResponse stream(String agent, int sequence, String payload) {
    CompletableFuture<StreamAgentDataResponse> done = new CompletableFuture<>();
    StreamObserver<StreamAgentDataRequest> requests = async.streamAgentData(observer(done));
    requests.onNext(
        StreamAgentDataRequest.newBuilder()
            .setAgentExecutionId(agent)
            .setSequence(sequence)
            .setPayload(payload)
            .build());
    requests.onCompleted();
    return joined(done);
  }

  @Test
  void writesArePendingAndWaitingAgentsAreAccepted() {
    String queue = queue();
    UUID pending = server.create("k", "{}", queue);
    assertEquals(36, append(pending.toString(), null).getEntryId().length());
    AgentExecutionInfo waiting = poll(queue, "k");
    agents.suspendAgent(
        SuspendAgentRequest.newBuilder()
            .setAgentExecutionId(waiting.getId())
            .setWaitForSignal("never")
            .build());
    assertEquals(36, append(waiting.getId(), null).getEntryId().length());
    assertEquals(
        36,
        schedule(waiting.getId(), "t", "task:w", queue(), null, new byte[0])
            .getTaskExecutionId()
            .length());
  }

  @Test
  void aSilentClaimIsReclaimedAndFailsAfterThreeExpiries() throws Exception {
    try (AgentTestServer leased =
        new AgentTestServer(
            AgentOptions.defaults().withLeases(Duration.ofSeconds(1), Duration.ofSeconds(90)))) {
      var stub = AgentDispatchGrpc.newBlockingStub(leased.asTenant);
      String queue = queue();
      UUID id = leased.create("k", "{}", queue);
      for (int expiry = 1; expiry <= 3; expiry++) {
        var claim =
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .pollAgent(
                    PollAgentRequest.newBuilder()
                        .setWorkerId("silent")
                        .setOrgId(leased.tenant)
                        .setQueue(queue)
                        .setTimeoutSeconds(10)
                        .addAgentCapabilities("k")
                        .build());
        assertEquals(id.toString(), claim.getAgentExecution().getId());
        leased.awaitStatus(id, expiry < 3 ? AgentStatus.PENDING : AgentStatus.FAILED);
      }
      assertEquals("agent lease expired 3 times", leased.agent(id).error());
    }
  }

  @Test
  void anAgentOfARegisteredWorkerThatStoppedHeartbeatsIsReclaimed() throws Exception {
    try (AgentTestServer quiet =
        new AgentTestServer(
            AgentOptions.defaults().withLeases(Duration.ofMinutes(15), Duration.ofSeconds(1)))) {
      String worker =
          ai.flovyn.dispatch.proto.WorkerLifecycleGrpc.newBlockingStub(quiet.asTenant)
              .registerWorker(
                  ai.flovyn.dispatch.proto.WorkerRegistrationRequest.newBuilder()
                      .setTenantId(quiet.tenant)
                      .setWorkerName("agents")
                      .setWorkerType("UNIFIED")
                      .addAgents(ai.flovyn.dispatch.proto.AgentCapability.newBuilder().setKind("k"))
                      .build())
              .getWorkerId();
      String queue = queue();
      UUID id = quiet.create("k", "{}", queue);
      var claim =
          AgentDispatchGrpc.newBlockingStub(quiet.asTenant)
              .pollAgent(
                  PollAgentRequest.newBuilder()
                      .setWorkerId(worker)
                      .setOrgId(quiet.tenant)
                      .setQueue(queue)
                      .setTimeoutSeconds(10)
                      .addAgentCapabilities("k")
                      .build());
      assertEquals(id.toString(), claim.getAgentExecution().getId());
      // no heartbeat and no call of the agent: reclaimed long before its 15 min idle lease
      quiet.awaitStatus(id, AgentStatus.PENDING);
    }
  }

  // --- checks 28 and 29: children

  @Test
  void childrenAreSpawnedJoinedAndSignalled() {
    AgentExecutionInfo parent = claimed();
    String child =
        agents
            .spawnChildAgent(
                SpawnChildAgentRequest.newBuilder()
                    .setOrgId(server.tenant)
                    .setParentExecutionId(parent.getId())
                    .setAgentKind("k")
                    .setInput(ByteString.copyFromUtf8("{\"n\":1}"))
                    .setMode("REMOTE")
                    .build())
            .getChildExecutionId();
    PollChildEventsRequest events =
        PollChildEventsRequest.newBuilder()
            .setOrgId(server.tenant)
            .setParentExecutionId(parent.getId())
            .addChildExecutionIds(child)
            .build();
    assertEquals(0, agents.pollChildEvents(events).getEventsCount());
    agents.suspendAgent(
        SuspendAgentRequest.newBuilder()
            .setAgentExecutionId(parent.getId())
            .setWaitForChildEvent(
                ai.flovyn.dispatch.proto.WaitForChildEvent.newBuilder().addChildExecutionIds(child))
            .build());
    AgentExecutionInfo claimedChild = poll(parent.getQueue(), "k");
    assertEquals(child, claimedChild.getId());
    assertEquals(parent.getId(), claimedChild.getParentExecutionId());
    assertTrue(
        agents
            .sendParentSignal(
                SendParentSignalRequest.newBuilder()
                    .setOrgId(server.tenant)
                    .setChildExecutionId(child)
                    .setSignalName("child.progress")
                    .build())
            .getDelivered());
    assertEquals(
        AgentStatus.PENDING,
        server.agent(UUID.fromString(parent.getId())).status(),
        "a signal from a listed child wakes WaitForChildEvent");
    assertEquals(List.of("child.progress=null"), consume(parent.getId(), "child.progress", null));
    agents.completeAgent(
        CompleteAgentRequest.newBuilder()
            .setAgentExecutionId(child)
            .setOutput(ByteString.copyFromUtf8("{\"r\":2}"))
            .build());
    for (int i = 0; i < 2; i++) {
      var event = agents.pollChildEvents(events).getEvents(0);
      assertEquals("completed", event.getEventType());
      assertEquals("{\"r\":2}", event.getOutput().toStringUtf8());
    }
    assertEquals(
        Status.Code.NOT_FOUND,
        code(
            () ->
                agents.sendChildSignal(
                    SendChildSignalRequest.newBuilder()
                        .setOrgId(server.tenant)
                        .setParentExecutionId(parent.getId())
                        .setChildExecutionId(claimed().getId())
                        .setSignalName("cancel")
                        .build())));
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        code(
            () -> agents.pollChildEvents(events.toBuilder().setOrgId(server.otherTenant).build())));
  }

  @Test
  void anotherTenantsAgentIsNotFound() {
    String agent = claimed().getId();
    var other = AgentDispatchGrpc.newBlockingStub(server.asOther);
    assertEquals(
        Status.Code.NOT_FOUND,
        code(
            () ->
                other
                    .getEntries(GetEntriesRequest.newBuilder().setAgentExecutionId(agent).build())
                    .hasNext()));
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(
            () ->
                AgentDispatchGrpc.newBlockingStub(server.anonymous)
                    .getLatestCheckpoint(
                        GetCheckpointRequest.newBuilder().setAgentExecutionId(agent).build())));
    assertTrue(
        server.registry.get("dispatch_agents_started").counter().count() > 0, "agents are counted");
    assertTrue(
        server.registry.get("dispatch_agent_polls").tag("outcome", "claimed").counter().count() > 0,
        "and their claims");
  }
}
