package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentEntry;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentTaskResult;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.proto.AgentEntryChunk;
import ai.flovyn.dispatch.proto.AgentExecutionInfo;
import ai.flovyn.dispatch.proto.AgentSignal;
import ai.flovyn.dispatch.proto.AppendEntryRequest;
import ai.flovyn.dispatch.proto.AppendEntryResponse;
import ai.flovyn.dispatch.proto.CancelAgentTaskRequest;
import ai.flovyn.dispatch.proto.CancelAgentTaskResponse;
import ai.flovyn.dispatch.proto.ChildEventInfo;
import ai.flovyn.dispatch.proto.CompleteAgentRequest;
import ai.flovyn.dispatch.proto.ConsumeSignalsRequest;
import ai.flovyn.dispatch.proto.ConsumeSignalsResponse;
import ai.flovyn.dispatch.proto.FailAgentRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskCountRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskCountResponse;
import ai.flovyn.dispatch.proto.GetAgentTaskResultRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultResponse;
import ai.flovyn.dispatch.proto.GetAgentTaskResultsRequest;
import ai.flovyn.dispatch.proto.GetAgentTaskResultsResponse;
import ai.flovyn.dispatch.proto.GetCheckpointRequest;
import ai.flovyn.dispatch.proto.GetCheckpointResponse;
import ai.flovyn.dispatch.proto.GetEntriesRequest;
import ai.flovyn.dispatch.proto.HasSignalRequest;
import ai.flovyn.dispatch.proto.HasSignalResponse;
import ai.flovyn.dispatch.proto.PollAgentRequest;
import ai.flovyn.dispatch.proto.PollAgentResponse;
import ai.flovyn.dispatch.proto.PollChildEventsRequest;
import ai.flovyn.dispatch.proto.PollChildEventsResponse;
import ai.flovyn.dispatch.proto.ReactorAgentDispatchGrpc;
import ai.flovyn.dispatch.proto.ResumeAgentRequest;
import ai.flovyn.dispatch.proto.ResumeAgentResponse;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskChunk;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskHeader;
import ai.flovyn.dispatch.proto.ScheduleAgentTaskResponse;
import ai.flovyn.dispatch.proto.SendChildSignalRequest;
import ai.flovyn.dispatch.proto.SendChildSignalResponse;
import ai.flovyn.dispatch.proto.SendParentSignalRequest;
import ai.flovyn.dispatch.proto.SendParentSignalResponse;
import ai.flovyn.dispatch.proto.SignalAgentRequest;
import ai.flovyn.dispatch.proto.SignalAgentResponse;
import ai.flovyn.dispatch.proto.SpawnChildAgentRequest;
import ai.flovyn.dispatch.proto.SpawnChildAgentResponse;
import ai.flovyn.dispatch.proto.StreamAgentDataRequest;
import ai.flovyn.dispatch.proto.StreamAgentDataResponse;
import ai.flovyn.dispatch.proto.SubmitCheckpointRequest;
import ai.flovyn.dispatch.proto.SubmitCheckpointResponse;
import ai.flovyn.dispatch.proto.SuspendAgentRequest;
import ai.flovyn.dispatch.proto.TaskResultEntry;
import ai.flovyn.dispatch.proto.TokenUsage;
import ai.flovyn.dispatch.proto.WaitMode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The flovyn.v1.AgentDispatch service of the SDK's durable agents (docs/agents.md): a thin adapter
 * from protobuf to the library's agent operations. {@code org_id} is the tenant id.
 */
public final class AgentDispatchService extends ReactorAgentDispatchGrpc.AgentDispatchImplBase {
  private final ai.flovyn.dispatch.Dispatch dispatch;

  public AgentDispatchService(ai.flovyn.dispatch.Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  @Override
  public Mono<PollAgentResponse> pollAgent(PollAgentRequest request) {
    Scope scope = Callers.scope();
    return dispatch
        .pollAgent(
            scope,
            request.getOrgId(),
            request.getQueue(),
            request.getAgentCapabilitiesList(),
            request.hasWorkerPoolId() ? request.getWorkerPoolId() : null,
            request.getWorkerId(),
            Duration.ofSeconds(Math.max(0, request.getTimeoutSeconds())))
        .map(agent -> PollAgentResponse.newBuilder().setAgentExecution(toInfo(agent)).build())
        // absent, never an empty message: the SDK would run kind "" under the nil id
        .defaultIfEmpty(PollAgentResponse.getDefaultInstance());
  }

  @Override
  public Flux<AgentEntryChunk> getEntries(GetEntriesRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMapMany(
            id ->
                dispatch
                    .agents()
                    .entries(
                        scope,
                        id,
                        request.hasAfterEntryId()
                            ? ProtoMapping.uuid("after_entry_id", request.getAfterEntryId())
                            : null))
        .map(entry -> AgentEntryChunk.newBuilder().setEntry(toEntry(entry)).build());
  }

  @Override
  public Mono<AppendEntryResponse> appendEntry(AppendEntryRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () ->
                new NewAgentEntry(
                    agentId(request.getAgentExecutionId()),
                    request.hasParentId() ? request.getParentId() : null,
                    request.getEntryType(),
                    request.hasRole() ? request.getRole() : null,
                    request.getContent().toByteArray(),
                    request.hasTurnId() ? request.getTurnId() : null,
                    request.hasTokenUsage() ? usage(request.getTokenUsage()) : null,
                    request.hasIdempotencyKey() ? request.getIdempotencyKey() : null))
        .flatMap(entry -> dispatch.agents().appendEntry(scope, entry))
        .map(
            appended ->
                AppendEntryResponse.newBuilder()
                    .setEntryId(appended.entryId().toString())
                    .setAlreadyExisted(appended.alreadyExisted())
                    .build());
  }

  @Override
  public Mono<GetCheckpointResponse> getLatestCheckpoint(GetCheckpointRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().latestCheckpoint(scope, id))
        .map(
            latest ->
                latest
                    .map(
                        checkpoint ->
                            GetCheckpointResponse.newBuilder()
                                .setCheckpoint(toCheckpoint(checkpoint))
                                .build())
                    .orElse(GetCheckpointResponse.getDefaultInstance()));
  }

  @Override
  public Mono<SubmitCheckpointResponse> submitCheckpoint(SubmitCheckpointRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .submitCheckpoint(
                        scope,
                        id,
                        request.hasLeafEntryId() ? request.getLeafEntryId() : null,
                        request.getState().toByteArray(),
                        request.hasCumulativeTokenUsage()
                            ? usage(request.getCumulativeTokenUsage())
                            : null))
        .map(
            checkpoint ->
                SubmitCheckpointResponse.newBuilder()
                    .setCheckpointId(checkpoint.id().toString())
                    .setSequence(checkpoint.sequence())
                    .build());
  }

  /**
   * One header, then the input in chunks, read to the end of the stream before anything is written;
   * a chunk before the header or a second header is INVALID_ARGUMENT.
   */
  @Override
  public Mono<ScheduleAgentTaskResponse> scheduleAgentTask(Flux<ScheduleAgentTaskChunk> chunks) {
    Scope scope = Callers.scope();
    long limit = dispatch.agents().options().maxTaskInputBytes();
    return chunks
        .reduce(
            new TaskStream(),
            (stream, chunk) -> {
              stream.add(chunk, limit);
              return stream;
            })
        .map(TaskStream::request)
        .flatMap(task -> dispatch.agents().scheduleTask(scope, task))
        .map(
            scheduled ->
                ScheduleAgentTaskResponse.newBuilder()
                    .setTaskExecutionId(scheduled.taskExecutionId().toString())
                    .setIdempotencyKeyUsed(scheduled.idempotencyKeyUsed())
                    .setIdempotencyKeyNew(scheduled.created())
                    .build());
  }

  /** The messages of one ScheduleAgentTask stream so far. */
  private static final class TaskStream {
    private ScheduleAgentTaskHeader header;
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();

    void add(ScheduleAgentTaskChunk chunk, long limit) {
      switch (chunk.getChunkCase()) {
        case HEADER -> {
          if (header != null) {
            throw DispatchException.invalidArgument("header must be sent only once, first");
          }
          header = chunk.getHeader();
        }
        case INPUT_CHUNK -> {
          if (header == null) {
            throw DispatchException.invalidArgument("header must come before input_chunk");
          }
          if (input.size() + (long) chunk.getInputChunk().size() > limit) {
            throw DispatchException.resourceExhausted("input must be at most " + limit + " bytes");
          }
          input.writeBytes(chunk.getInputChunk().toByteArray());
        }
        default -> throw DispatchException.invalidArgument("chunk must be header or input_chunk");
      }
    }

    ScheduleAgentTask request() {
      if (header == null) {
        throw DispatchException.invalidArgument("header must be sent");
      }
      return new ScheduleAgentTask(
          agentId(header.getAgentExecutionId()),
          header.getTaskKind(),
          input.toByteArray(),
          header.hasQueue() ? header.getQueue() : null,
          header.hasMaxRetries() ? header.getMaxRetries() : null,
          header.hasTimeoutMs() ? header.getTimeoutMs() : null,
          header.hasIdempotencyKey() ? header.getIdempotencyKey() : null);
    }
  }

  @Override
  public Mono<Empty> completeAgent(CompleteAgentRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().complete(scope, id, request.getOutput().toByteArray()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> failAgent(FailAgentRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .fail(
                        scope,
                        id,
                        request.getError(),
                        request.hasStackTrace() ? request.getStackTrace() : null,
                        request.hasFailureType() ? request.getFailureType() : null))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> suspendAgent(SuspendAgentRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().suspend(scope, id, toWait(request)))
        .thenReturn(Empty.getDefaultInstance());
  }

  private static AgentWait toWait(SuspendAgentRequest request) {
    String reason = request.hasReason() ? request.getReason() : null;
    return switch (request.getWaitConditionCase()) {
      case WAIT_FOR_SIGNAL ->
          new AgentWait(AgentWait.Kind.SIGNAL, request.getWaitForSignal(), List.of(), reason);
      case WAIT_FOR_TASK ->
          new AgentWait(
              AgentWait.Kind.TASKS_ALL,
              null,
              List.of(ProtoMapping.uuid("wait_for_task", request.getWaitForTask())),
              reason);
      case WAIT_FOR_TASKS ->
          new AgentWait(
              request.getWaitForTasks().getMode() == WaitMode.WAIT_MODE_ANY
                  ? AgentWait.Kind.TASKS_ANY
                  : AgentWait.Kind.TASKS_ALL,
              null,
              uuids("wait_for_tasks.task_ids", request.getWaitForTasks().getTaskIdsList()),
              reason);
      case WAIT_FOR_CHILD_EVENT ->
          new AgentWait(
              AgentWait.Kind.CHILD_ANY,
              null,
              uuids(
                  "wait_for_child_event.child_execution_ids",
                  request.getWaitForChildEvent().getChildExecutionIdsList()),
              reason);
      case WAIT_FOR_ALL_CHILDREN ->
          new AgentWait(
              AgentWait.Kind.CHILDREN_ALL,
              null,
              uuids(
                  "wait_for_all_children.child_execution_ids",
                  request.getWaitForAllChildren().getChildExecutionIdsList()),
              reason);
      case WAITCONDITION_NOT_SET ->
          throw DispatchException.invalidArgument("wait_condition must be set");
    };
  }

  @Override
  public Mono<ResumeAgentResponse> resumeAgent(ResumeAgentRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().resume(scope, id, request.getWorkerId()))
        .map(
            agent ->
                ResumeAgentResponse.newBuilder()
                    .setSuccess(true)
                    .setAgent(toInfo(agent))
                    .setTraceparent(agent.traceparent() == null ? "" : agent.traceparent())
                    .build())
        .defaultIfEmpty(ResumeAgentResponse.getDefaultInstance());
  }

  @Override
  public Mono<SignalAgentResponse> signalAgent(SignalAgentRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .signal(
                        scope, id, request.getSignalName(), request.getSignalValue().toByteArray()))
        .map(
            result ->
                SignalAgentResponse.newBuilder()
                    .setSignalId(result.signalId().toString())
                    .setAgentResumed(result.agentResumed())
                    .build());
  }

  @Override
  public Mono<ConsumeSignalsResponse> consumeSignals(ConsumeSignalsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .consumeSignals(
                        scope,
                        id,
                        request.hasSignalName() ? request.getSignalName() : null,
                        request.hasSignalPattern() ? request.getSignalPattern() : null))
        .map(
            signals ->
                ConsumeSignalsResponse.newBuilder()
                    .addAllSignals(
                        signals.stream()
                            .map(
                                signal ->
                                    AgentSignal.newBuilder()
                                        .setId(signal.id().toString())
                                        .setSignalName(signal.name())
                                        .setSignalValue(ByteString.copyFrom(signal.value()))
                                        .setCreatedAtMs(signal.createdAt().toEpochMilli())
                                        .build())
                            .toList())
                    .build());
  }

  @Override
  public Mono<HasSignalResponse> hasSignal(HasSignalRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().hasSignal(scope, id, request.getSignalName()))
        .map(found -> HasSignalResponse.newBuilder().setHasSignal(found).build());
  }

  @Override
  public Mono<GetAgentTaskResultResponse> getAgentTaskResult(GetAgentTaskResultRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .taskResults(
                        scope,
                        id,
                        List.of(
                            ProtoMapping.uuid("task_execution_id", request.getTaskExecutionId()))))
        .map(
            results -> {
              TaskResultEntry entry = toResult(results.get(0));
              GetAgentTaskResultResponse.Builder response =
                  GetAgentTaskResultResponse.newBuilder().setStatus(entry.getStatus());
              if (entry.hasOutput()) {
                response.setOutput(entry.getOutput());
              }
              if (entry.hasError()) {
                response.setError(entry.getError());
              }
              return response.build();
            });
  }

  @Override
  public Mono<GetAgentTaskResultsResponse> getAgentTaskResults(GetAgentTaskResultsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .taskResults(
                        scope, id, uuids("task_execution_ids", request.getTaskExecutionIdsList())))
        .map(
            results ->
                GetAgentTaskResultsResponse.newBuilder()
                    .addAllResults(results.stream().map(AgentDispatchService::toResult).toList())
                    .build());
  }

  @Override
  public Mono<GetAgentTaskCountResponse> getAgentTaskCount(GetAgentTaskCountRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(id -> dispatch.agents().taskCount(scope, id))
        .map(
            count ->
                GetAgentTaskCountResponse.newBuilder()
                    .setTaskCount((int) Math.min(Integer.MAX_VALUE, count))
                    .build());
  }

  @Override
  public Mono<CancelAgentTaskResponse> cancelAgentTask(CancelAgentTaskRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> agentId(request.getAgentExecutionId()))
        .flatMap(
            id ->
                dispatch
                    .agents()
                    .cancelTask(
                        scope,
                        id,
                        ProtoMapping.uuid("task_execution_id", request.getTaskExecutionId())))
        .map(
            cancel ->
                CancelAgentTaskResponse.newBuilder()
                    .setCancelled(cancel.cancelled())
                    .setStatus(cancel.status().name())
                    .build());
  }

  /** Every message of the stream goes to the agent's live viewers; none is stored. */
  @Override
  public Mono<StreamAgentDataResponse> streamAgentData(Flux<StreamAgentDataRequest> messages) {
    Scope scope = Callers.scope();
    return messages
        .concatMap(
            message ->
                Mono.fromCallable(
                        () ->
                            new AgentData(
                                agentId(message.getAgentExecutionId()),
                                message.getSequence(),
                                message.getEventTypeValue(),
                                message.getPayload(),
                                message.getTimestampMs()))
                    .flatMap(data -> dispatch.agents().streamData(scope, data))
                    .thenReturn(true))
        .reduce(false, (any, one) -> true)
        .map(any -> StreamAgentDataResponse.newBuilder().setAcknowledged(any).build());
  }

  @Override
  public Mono<SpawnChildAgentResponse> spawnChildAgent(SpawnChildAgentRequest request) {
    Scope scope = Callers.scope();
    String traceparent = TraceContext.current();
    return Mono.fromCallable(
            () ->
                StartAgent.builder(request.getOrgId(), request.getAgentKind())
                    .input(request.getInput().toByteArray())
                    .queue(request.hasQueue() ? request.getQueue() : null)
                    .persistenceMode(request.getMode())
                    .parentExecutionId(
                        ProtoMapping.uuid("parent_execution_id", request.getParentExecutionId()))
                    .maxBudgetTokens(
                        request.hasMaxBudgetTokens() ? request.getMaxBudgetTokens() : null)
                    .templateSlug(request.hasTemplateSlug() ? request.getTemplateSlug() : null)
                    .traceparent(traceparent)
                    .build())
        .flatMap(start -> dispatch.agents().spawnChild(scope, start))
        .map(
            id ->
                SpawnChildAgentResponse.newBuilder()
                    .setChildExecutionId(id.toString())
                    .setStatus("PENDING")
                    .build());
  }

  @Override
  public Mono<SendParentSignalResponse> sendParentSignal(SendParentSignalRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("child_execution_id", request.getChildExecutionId()))
        .flatMap(
            child ->
                dispatch
                    .agents()
                    .signalParent(
                        scope,
                        request.getOrgId(),
                        child,
                        request.getSignalName(),
                        request.getPayload().toByteArray()))
        .map(delivered -> SendParentSignalResponse.newBuilder().setDelivered(delivered).build());
  }

  @Override
  public Mono<SendChildSignalResponse> sendChildSignal(SendChildSignalRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("parent_execution_id", request.getParentExecutionId()))
        .flatMap(
            parent ->
                dispatch
                    .agents()
                    .signalChild(
                        scope,
                        request.getOrgId(),
                        parent,
                        ProtoMapping.uuid("child_execution_id", request.getChildExecutionId()),
                        request.getSignalName(),
                        request.getPayload().toByteArray()))
        .map(delivered -> SendChildSignalResponse.newBuilder().setDelivered(delivered).build());
  }

  @Override
  public Mono<PollChildEventsResponse> pollChildEvents(PollChildEventsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("parent_execution_id", request.getParentExecutionId()))
        .flatMap(
            parent ->
                dispatch
                    .agents()
                    .childEvents(
                        scope,
                        request.getOrgId(),
                        parent,
                        uuids("child_execution_ids", request.getChildExecutionIdsList())))
        .map(
            events ->
                PollChildEventsResponse.newBuilder()
                    .addAllEvents(
                        events.stream()
                            .map(
                                event -> {
                                  ChildEventInfo.Builder info =
                                      ChildEventInfo.newBuilder()
                                          .setChildExecutionId(event.childExecutionId().toString())
                                          .setEventType(event.completed() ? "completed" : "failed");
                                  if (event.completed()) {
                                    info.setOutput(ByteString.copyFrom(event.output()));
                                  } else {
                                    info.setError(event.error());
                                  }
                                  return info.build();
                                })
                            .toList())
                    .build());
  }

  // --- mapping

  static AgentExecutionInfo toInfo(AgentExecution agent) {
    AgentExecutionInfo.Builder info =
        AgentExecutionInfo.newBuilder()
            .setId(agent.id().toString())
            .setKind(agent.kind())
            .setOrgId(agent.tenantId())
            .setInput(ByteString.copyFrom(agent.input()))
            .setQueue(agent.queue())
            .setCreatedAtMs(agent.createdAt() == null ? 0 : agent.createdAt().toEpochMilli())
            .setCurrentCheckpointSeq(agent.currentCheckpointSeq())
            .setPersistenceMode(agent.persistenceMode())
            .setMetadata(ByteString.copyFrom(agent.metadata()));
    if (agent.workerPoolId() != null) {
      info.setWorkerPoolId(agent.workerPoolId());
    }
    if (agent.parentExecutionId() != null) {
      info.setParentExecutionId(agent.parentExecutionId().toString());
    }
    return info.build();
  }

  private static ai.flovyn.dispatch.proto.AgentEntry toEntry(AgentEntry entry) {
    ai.flovyn.dispatch.proto.AgentEntry.Builder proto =
        ai.flovyn.dispatch.proto.AgentEntry.newBuilder()
            .setId(entry.id().toString())
            .setEntryType(entry.entryType())
            .setContent(ByteString.copyFrom(entry.content()))
            .setCreatedAtMs(entry.createdAt().toEpochMilli());
    if (entry.parentId() != null) {
      proto.setParentId(entry.parentId());
    }
    if (entry.role() != null) {
      proto.setRole(entry.role());
    }
    if (entry.turnId() != null) {
      proto.setTurnId(entry.turnId());
    }
    if (entry.tokenUsage() != null) {
      proto.setTokenUsage(toUsage(entry.tokenUsage()));
    }
    return proto.build();
  }

  private static ai.flovyn.dispatch.proto.AgentCheckpoint toCheckpoint(AgentCheckpoint checkpoint) {
    ai.flovyn.dispatch.proto.AgentCheckpoint.Builder proto =
        ai.flovyn.dispatch.proto.AgentCheckpoint.newBuilder()
            .setId(checkpoint.id().toString())
            .setSequence(checkpoint.sequence())
            .setState(ByteString.copyFrom(checkpoint.state()))
            .setCreatedAtMs(checkpoint.createdAt().toEpochMilli());
    if (checkpoint.leafEntryId() != null) {
      proto.setLeafEntryId(checkpoint.leafEntryId());
    }
    return proto.build();
  }

  private static TaskResultEntry toResult(AgentTaskResult result) {
    TaskResultEntry.Builder entry =
        TaskResultEntry.newBuilder()
            .setTaskExecutionId(result.taskExecutionId().toString())
            .setStatus(result.status().name());
    if (result.output() != null) {
      entry.setOutput(ByteString.copyFrom(result.output()));
    }
    if (result.error() != null) {
      entry.setError(result.error());
    }
    return entry.build();
  }

  private static ai.flovyn.dispatch.domain.TokenUsage usage(TokenUsage usage) {
    return new ai.flovyn.dispatch.domain.TokenUsage(
        usage.getInputTokens(),
        usage.getOutputTokens(),
        usage.hasCacheReadTokens() ? usage.getCacheReadTokens() : null,
        usage.hasCacheWriteTokens() ? usage.getCacheWriteTokens() : null);
  }

  private static TokenUsage toUsage(ai.flovyn.dispatch.domain.TokenUsage usage) {
    TokenUsage.Builder proto =
        TokenUsage.newBuilder()
            .setInputTokens(usage.inputTokens())
            .setOutputTokens(usage.outputTokens());
    if (usage.cacheReadTokens() != null) {
      proto.setCacheReadTokens(usage.cacheReadTokens());
    }
    if (usage.cacheWriteTokens() != null) {
      proto.setCacheWriteTokens(usage.cacheWriteTokens());
    }
    return proto.build();
  }

  private static List<UUID> uuids(String field, List<String> values) {
    UUID[] ids = new UUID[values.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ProtoMapping.uuid(field + "[" + i + "]", values.get(i));
    }
    return List.of(ids);
  }

  private static UUID agentId(String value) {
    return ProtoMapping.uuid("agent_execution_id", value);
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
