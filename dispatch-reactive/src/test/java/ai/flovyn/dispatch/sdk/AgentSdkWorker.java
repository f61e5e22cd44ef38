package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.AgentDispatchGrpc;
import ai.flovyn.dispatch.proto.AgentEntry;
import ai.flovyn.dispatch.proto.AgentExecutionInfo;
import ai.flovyn.dispatch.proto.AgentSignal;
import ai.flovyn.dispatch.proto.AgentStreamEventType;
import ai.flovyn.dispatch.proto.AppendEntryRequest;
import ai.flovyn.dispatch.proto.CancelAgentTaskRequest;
import ai.flovyn.dispatch.proto.ChildEventInfo;
import ai.flovyn.dispatch.proto.CompleteAgentRequest;
import ai.flovyn.dispatch.proto.ConsumeSignalsRequest;
import ai.flovyn.dispatch.proto.FailAgentRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultsRequest;
import ai.flovyn.dispatch.proto.GetCheckpointRequest;
import ai.flovyn.dispatch.proto.GetEntriesRequest;
import ai.flovyn.dispatch.proto.PollAgentRequest;
import ai.flovyn.dispatch.proto.PollAgentResponse;
import ai.flovyn.dispatch.proto.PollChildEventsRequest;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskChunk;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskHeader;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskResponse;
import ai.flovyn.dispatch.proto.SendParentSignalRequest;
import ai.flovyn.dispatch.proto.SpawnChildAgentRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataResponse;
import ai.flovyn.dispatch.proto.SubmitCheckpointRequest;
import ai.flovyn.dispatch.proto.SuspendAgentRequest;
import ai.flovyn.dispatch.proto.TaskResultEntry;
import ai.flovyn.dispatch.proto.WaitForAllChildren;
import ai.flovyn.dispatch.proto.WaitForTasks;
import ai.flovyn.dispatch.proto.WaitMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An emulation of the Rust SDK's agent worker (worker-sdk/src/worker/agent_worker.rs and
 * agent/context_impl.rs at the pinned commit), written from docs/agents.md: a permit before each
 * PollAgent (5 at most), a fresh context per claim (the latest checkpoint when the claim shows a
 * sequence, then every entry), the agent code run from its first line, entries and task schedules
 * buffered and sent in order at commit points, task ids derived from content, and the outcome:
 * CompleteAgent after a flush, FailAgent with the error text, nothing after a suspension, nothing
 * at all after a panic (the agent stays RUNNING).
 */
final class AgentSdkWorker implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The agent's code, as a DynamicAgent's execute. */
  interface AgentCode {
    JsonNode run(Context ctx, JsonNode input) throws Exception;
  }

  /** What ctx's waits throw when the agent suspended: the run ends without another RPC. */
  static final class Suspended extends RuntimeException {
    Suspended() {
      super("agent suspended", null, false, false);
    }
  }

  /** A panic in agent code: no RPC at all follows. */
  static final class Panic extends RuntimeException {
    Panic(String message) {
      super(message, null, false, false);
    }
  }

  /** A scheduled task as a future of the SDK: its derived id and kind. */
  record TaskHandle(UUID id, String kind) {}

  private final AgentDispatchGrpc.AgentDispatchBlockingStub stub;
  private final AgentDispatchGrpc.AgentDispatchStub async;
  private final String orgId;
  private final String queue;
  private final String workerId;
  private final Map<String, AgentCode> agents;
  private final ExecutorService runs = Executors.newCachedThreadPool();
  private final Semaphore permits = new Semaphore(5);
  private volatile boolean running = true;
  private Thread loop;

  AgentSdkWorker(Channel channel, String orgId, String queue, Map<String, AgentCode> agents) {
    this.stub = AgentDispatchGrpc.newBlockingStub(channel);
    this.async = AgentDispatchGrpc.newStub(channel);
    this.orgId = orgId;
    this.queue = queue;
    this.workerId = UUID.randomUUID().toString();
    this.agents = agents;
  }

  String workerId() {
    return workerId;
  }

  AgentSdkWorker start() {
    loop =
        new Thread(
            () -> {
              while (running) {
                try {
                  permits.acquire();
                } catch (InterruptedException e) {
                  return;
                }
                boolean handedOff = false;
                try {
                  PollAgentResponse response =
                      stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                          .pollAgent(
                              PollAgentRequest.newBuilder()
                                  .setWorkerId(workerId)
                                  .setOrgId(orgId)
                                  .setQueue(queue)
                                  .setTimeoutSeconds(1)
                                  .addAllAgentCapabilities(agents.keySet())
                                  .build());
                  if (response.hasAgentExecution() && running) {
                    AgentExecutionInfo info = response.getAgentExecution();
                    handedOff = true;
                    runs.execute(
                        () -> {
                          try {
                            execute(info);
                          } finally {
                            permits.release();
                          }
                        });
                  }
                } catch (RuntimeException e) {
                  if (!running) {
                    return;
                  }
                } finally {
                  if (!handedOff) {
                    permits.release();
                  }
                }
              }
            },
            "agent-sdk-poll-" + workerId);
    loop.setDaemon(true);
    loop.start();
    return this;
  }

  /** The process dies: no more polls, and no RPC from the agents it runs. */
  void kill() {
    running = false;
    runs.shutdownNow();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (loop != null) {
      loop.join(10_000);
    }
    runs.shutdownNow();
    runs.awaitTermination(10, TimeUnit.SECONDS);
  }

  private void execute(AgentExecutionInfo info) {
    AgentCode code = agents.get(info.getKind());
    UUID id = UUID.fromString(info.getId());
    if (code == null) {
      stub.failAgent(
          FailAgentRequest.newBuilder()
              .setAgentExecutionId(info.getId())
              .setError("Agent kind '" + info.getKind() + "' not registered on this worker")
              .setFailureType("AGENT_NOT_FOUND")
              .build());
      return;
    }
    Context ctx;
    try {
      ctx = new Context(info);
    } catch (RuntimeException e) {
      stub.failAgent(
          FailAgentRequest.newBuilder()
              .setAgentExecutionId(info.getId())
              .setError("Failed to create agent context: " + e.getMessage())
              .setFailureType("CONTEXT_CREATION_FAILED")
              .build());
      return;
    }
    JsonNode output;
    try {
      output = code.run(ctx, readJson(info.getInput()));
    } catch (Suspended | Panic e) {
      return;
    } catch (Exception e) {
      if (!running) {
        return;
      }
      stub.failAgent(
          FailAgentRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setError(String.valueOf(e.getMessage()))
              .build());
      return;
    }
    ctx.commit(null);
    stub.completeAgent(
        CompleteAgentRequest.newBuilder()
            .setAgentExecutionId(id.toString())
            .setOutput(ByteString.copyFromUtf8(output.toString()))
            .build());
  }

  static JsonNode readJson(ByteString bytes) {
    try {
      return bytes.isEmpty() ? JSON.nullNode() : JSON.readTree(bytes.toStringUtf8());
    } catch (Exception e) {
      return JSON.nullNode();
    }
  }

  /** The context of one claim (context_impl.rs). */
  final class Context {
    final UUID id;
    final AgentExecutionInfo info;
    final int checkpointSequence;
    final List<JsonNode> messages = new ArrayList<>();
    final List<AgentEntry> entries = new ArrayList<>();
    private JsonNode state;
    private String leaf;
    private final List<Runnable> pending = new ArrayList<>();
    private int streamSequence;

    Context(AgentExecutionInfo info) {
      this.info = info;
      this.id = UUID.fromString(info.getId());
      int sequence = -1;
      if (info.getCurrentCheckpointSeq() >= 0) {
        var response =
            stub.getLatestCheckpoint(
                GetCheckpointRequest.newBuilder().setAgentExecutionId(info.getId()).build());
        if (response.hasCheckpoint()) {
          state = readJson(response.getCheckpoint().getState());
          sequence = response.getCheckpoint().getSequence();
          leaf =
              response.getCheckpoint().hasLeafEntryId()
                  ? response.getCheckpoint().getLeafEntryId()
                  : null;
        }
      }
      this.checkpointSequence = sequence;
      Iterator<ai.flovyn.dispatch.proto.AgentEntryChunk> chunks =
          stub.getEntries(GetEntriesRequest.newBuilder().setAgentExecutionId(info.getId()).build());
      chunks.forEachRemaining(
          chunk -> {
            if (chunk.hasEntry()) {
              entries.add(chunk.getEntry());
              messages.add(readJson(chunk.getEntry().getContent()));
            }
          });
    }

    JsonNode state() {
      return state;
    }

    UUID parentId() {
      return info.hasParentExecutionId() ? UUID.fromString(info.getParentExecutionId()) : null;
    }

    /** Buffers an entry whose parent is the current leaf; the leaf moves to it. */
    void appendEntry(String role, JsonNode content) {
      String entryId = UUID.randomUUID().toString();
      AppendEntryRequest.Builder request =
          AppendEntryRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setEntryType("MESSAGE")
              .setRole(role)
              .setContent(ByteString.copyFromUtf8(content.toString()))
              .setIdempotencyKey(entryId);
      if (leaf != null) {
        request.setParentId(leaf);
      }
      leaf = entryId;
      AppendEntryRequest built = request.build();
      pending.add(() -> stub.appendEntry(built));
    }

    void appendToolCall(String tool, JsonNode input) {
      ObjectNode content = JSON.createObjectNode();
      content.put("tool_name", tool);
      content.set("input", input);
      appendEntry("assistant", content);
    }

    void appendToolResult(String tool, JsonNode output) {
      ObjectNode content = JSON.createObjectNode();
      content.put("tool_name", tool);
      content.set("output", output);
      appendEntry("tool_result", content);
    }

    TaskHandle scheduleRaw(String kind, JsonNode input) {
      return schedule(kind, input, null, null);
    }

    /** Buffers a ScheduleAgentTask under the content-derived key. */
    TaskHandle schedule(String kind, JsonNode input, Long timeoutMs, Integer maxRetries) {
      return schedule(kind, input, null, timeoutMs, maxRetries);
    }

    /** ... with the options the agent may set: a queue, a timeout, retries (null: unset). */
    TaskHandle schedule(
        String kind, JsonNode input, String queue, Long timeoutMs, Integer maxRetries) {
      String key = AgentKeys.key(id, kind, input);
      ScheduleAgentTaskHeader.Builder header =
          ScheduleAgentTaskHeader.newBuilder()
              .setAgentExecutionId(id.toString())
              .setTaskKind(kind)
              .setIdempotencyKey(key);
      if (queue != null) {
        header.setQueue(queue);
      }
      if (timeoutMs != null) {
        header.setTimeoutMs(timeoutMs);
      }
      if (maxRetries != null) {
        header.setMaxRetries(maxRetries);
      }
      byte[] bytes = input.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ScheduleAgentTaskHeader built = header.build();
      pending.add(() -> scheduleNow(built, bytes));
      return new TaskHandle(AgentKeys.taskId(key), kind);
    }

    private void scheduleNow(ScheduleAgentTaskHeader header, byte[] input) {
      CompletableFuture<ScheduleAgentTaskResponse> done = new CompletableFuture<>();
      StreamObserver<ScheduleAgentTaskChunk> requests = async.scheduleAgentTask(observer(done));
      requests.onNext(ScheduleAgentTaskChunk.newBuilder().setHeader(header).build());
      int slice = 64 * 1024;
      int offset = 0;
      do {
        int end = Math.min(input.length, offset + slice);
        requests.onNext(
            ScheduleAgentTaskChunk.newBuilder()
                .setInputChunk(ByteString.copyFrom(input, offset, end - offset))
                .build());
        offset = end;
      } while (offset < input.length);
      requests.onCompleted();
      UUID.fromString(done.join().getTaskExecutionId());
    }

    /** Sends the buffered commands one by one, then the checkpoint if given. */
    void commit(JsonNode checkpoint) {
      List<Runnable> commands = new ArrayList<>(pending);
      pending.clear();
      commands.forEach(Runnable::run);
      if (checkpoint != null) {
        SubmitCheckpointRequest.Builder request =
            SubmitCheckpointRequest.newBuilder()
                .setAgentExecutionId(id.toString())
                .setState(ByteString.copyFromUtf8(checkpoint.toString()));
        if (leaf != null) {
          request.setLeafEntryId(leaf);
        }
        stub.submitCheckpoint(request.build());
        state = checkpoint;
      }
    }

    void checkpoint(JsonNode newState) {
      commit(newState);
    }

    private JsonNode stateOrNull() {
      return state == null ? JSON.nullNode() : state;
    }

    List<TaskResultEntry> results(List<TaskHandle> handles) {
      return stub.getAgentTaskResults(
              GetAgentTaskResultsRequest.newBuilder()
                  .setAgentExecutionId(id.toString())
                  .addAllTaskExecutionIds(handles.stream().map(h -> h.id().toString()).toList())
                  .build())
          .getResultsList();
    }

    /** join_all: fail fast on a failed or cancelled task, suspend (ALL) while any is unfinished. */
    List<JsonNode> joinAll(List<TaskHandle> handles) {
      commit(null);
      List<TaskResultEntry> results = results(handles);
      List<JsonNode> outputs = new ArrayList<>();
      boolean unfinished = false;
      for (int i = 0; i < handles.size(); i++) {
        TaskResultEntry result = results.get(i);
        TaskHandle handle = handles.get(i);
        switch (result.getStatus()) {
          case "COMPLETED" -> outputs.add(readJson(result.getOutput()));
          case "FAILED" ->
              throw new IllegalStateException(
                  "Task failed: Task '"
                      + handle.kind()
                      + "' (id="
                      + handle.id()
                      + ") failed: "
                      + (result.hasError() ? result.getError() : "Task failed"));
          case "CANCELLED" ->
              throw new IllegalStateException(
                  "Task '" + handle.kind() + "' (id=" + handle.id() + ") was cancelled");
          default -> unfinished = true;
        }
      }
      if (unfinished) {
        suspendForTasks(handles, WaitMode.WAIT_MODE_ALL);
      }
      return outputs;
    }

    /** join_all_settled: every result, suspending (ALL) while any is unfinished. */
    List<TaskResultEntry> joinAllSettled(List<TaskHandle> handles) {
      commit(null);
      List<TaskResultEntry> results = results(handles);
      if (results.stream()
          .anyMatch(r -> r.getStatus().equals("PENDING") || r.getStatus().equals("RUNNING"))) {
        suspendForTasks(handles, WaitMode.WAIT_MODE_ALL);
      }
      return results;
    }

    /** select_ok: the first COMPLETED in list order; all failed: an error; else suspend (ANY). */
    JsonNode selectOk(List<TaskHandle> handles) {
      commit(null);
      List<TaskResultEntry> results = results(handles);
      boolean pendingLeft = false;
      String lastError = null;
      for (int i = 0; i < handles.size(); i++) {
        TaskResultEntry result = results.get(i);
        switch (result.getStatus()) {
          case "COMPLETED" -> {
            return readJson(result.getOutput());
          }
          case "FAILED", "CANCELLED" ->
              lastError =
                  "Task '"
                      + handles.get(i).kind()
                      + "' (id="
                      + handles.get(i).id()
                      + "): "
                      + result.getError();
          default -> pendingLeft = true;
        }
      }
      if (!pendingLeft) {
        throw new IllegalStateException("All tasks failed: " + lastError);
      }
      suspendForTasks(handles, WaitMode.WAIT_MODE_ANY);
      return null;
    }

    String cancelTask(TaskHandle handle) {
      var response =
          stub.cancelAgentTask(
              CancelAgentTaskRequest.newBuilder()
                  .setAgentExecutionId(id.toString())
                  .setTaskExecutionId(handle.id().toString())
                  .build());
      return response.getStatus();
    }

    private void suspendForTasks(List<TaskHandle> handles, WaitMode mode) {
      commit(stateOrNull());
      stub.suspendAgent(
          SuspendAgentRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setWaitForTasks(
                  WaitForTasks.newBuilder()
                      .addAllTaskIds(handles.stream().map(h -> h.id().toString()).toList())
                      .setMode(mode))
              .setReason("Waiting for parallel tasks")
              .build());
      throw new Suspended();
    }

    /** wait_for_signal: consume one of the name, else checkpoint and suspend on it. */
    JsonNode waitForSignal(String name) {
      List<AgentSignal> signals =
          stub.consumeSignals(
                  ConsumeSignalsRequest.newBuilder()
                      .setAgentExecutionId(id.toString())
                      .setSignalName(name)
                      .build())
              .getSignalsList();
      if (!signals.isEmpty()) {
        return readJson(signals.get(0).getSignalValue());
      }
      commit(stateOrNull());
      stub.suspendAgent(
          SuspendAgentRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setWaitForSignal(name)
              .build());
      throw new Suspended();
    }

    UUID spawnAgent(String kind, JsonNode input) {
      return UUID.fromString(
          stub.spawnChildAgent(
                  SpawnChildAgentRequest.newBuilder()
                      .setOrgId(info.getOrgId())
                      .setParentExecutionId(id.toString())
                      .setAgentKind(kind)
                      .setInput(ByteString.copyFromUtf8(input.toString()))
                      .setMode("REMOTE")
                      .build())
              .getChildExecutionId());
    }

    /** join_children: every child's event, else checkpoint and wait for all of them. */
    List<ChildEventInfo> joinChildren(List<UUID> children) {
      List<ChildEventInfo> events =
          stub.pollChildEvents(
                  PollChildEventsRequest.newBuilder()
                      .setOrgId(info.getOrgId())
                      .setParentExecutionId(id.toString())
                      .addAllChildExecutionIds(children.stream().map(UUID::toString).toList())
                      .build())
              .getEventsList();
      if (events.size() == children.size()) {
        return events;
      }
      commit(stateOrNull());
      stub.suspendAgent(
          SuspendAgentRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setWaitForAllChildren(
                  WaitForAllChildren.newBuilder()
                      .addAllChildExecutionIds(children.stream().map(UUID::toString).toList()))
              .setReason("Waiting for child agents")
              .build());
      throw new Suspended();
    }

    void signalParent(String name, JsonNode payload) {
      stub.sendParentSignal(
          SendParentSignalRequest.newBuilder()
              .setOrgId(info.getOrgId())
              .setChildExecutionId(id.toString())
              .setSignalName(name)
              .setPayload(ByteString.copyFromUtf8(payload.toString()))
              .build());
    }

    /** stream_token: one message per call, awaited. */
    void streamToken(String text) {
      CompletableFuture<StreamAgentDataResponse> done = new CompletableFuture<>();
      StreamObserver<StreamAgentDataRequest> requests = async.streamAgentData(observer(done));
      ObjectNode payload = JSON.createObjectNode().put("text", text);
      requests.onNext(
          StreamAgentDataRequest.newBuilder()
              .setAgentExecutionId(id.toString())
              .setSequence(streamSequence++)
              .setEventType(AgentStreamEventType.AGENT_TOKEN)
              .setPayload(payload.toString())
              .setTimestampMs(System.currentTimeMillis())
              .build());
      requests.onCompleted();
      done.join();
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

  /** A task worker on one queue: each task kind's handler gives the output or throws. */
  static final class TaskWorker implements AutoCloseable {
    private final ai.flovyn.dispatch.proto.TaskExecutionGrpc.TaskExecutionBlockingStub tasks;
    private final Thread thread;
    private volatile boolean running = true;

    TaskWorker(
        Channel channel,
        String tenant,
        String queue,
        Map<String, java.util.function.Function<JsonNode, JsonNode>> handlers,
        Consumer<String> claimed) {
      this.tasks = ai.flovyn.dispatch.proto.TaskExecutionGrpc.newBlockingStub(channel);
      this.thread =
          new Thread(
              () -> {
                while (running) {
                  try {
                    var response =
                        tasks
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .pollTask(
                                ai.flovyn.dispatch.proto.PollTaskRequest.newBuilder()
                                    .setWorkerId("task-worker")
                                    .setTenantId(tenant)
                                    .setQueue(queue)
                                    .setTimeoutSeconds(1)
                                    .build());
                    if (!response.hasTask()) {
                      continue;
                    }
                    var task = response.getTask();
                    claimed.accept(task.getTaskType());
                    var handler = handlers.get(task.getTaskType());
                    try {
                      JsonNode output = handler.apply(readJson(task.getInput()));
                      tasks.completeTask(
                          ai.flovyn.dispatch.proto.CompleteTaskRequest.newBuilder()
                              .setTaskExecutionId(task.getTaskExecutionId())
                              .setOutput(ByteString.copyFromUtf8(output.toString()))
                              .build());
                    } catch (RuntimeException e) {
                      tasks.failTask(
                          ai.flovyn.dispatch.proto.FailTaskRequest.newBuilder()
                              .setTaskExecutionId(task.getTaskExecutionId())
                              .setError(String.valueOf(e.getMessage()))
                              .build());
                    }
                  } catch (RuntimeException e) {
                    // a refused completion (cancelled task) or a closing channel: poll on
                  }
                }
              },
              "task-worker-" + queue);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }
}
