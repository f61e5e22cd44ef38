package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentData;
import ai.flovyn.dispatch.domain.AgentEntry;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentSignalRecord;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTask;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TokenUsage;
import ai.flovyn.dispatch.query.AgentFilter;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.store.AgentViewStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Durable agents over HTTP: exactly the calls the Flovyn SDK's e2e harness makes (create, get,
 * signal, checkpoints, tasks; contract §5.1), and what operators need besides (list, counts,
 * cancel, entries, signals, one checkpoint, a live stream). Each a thin mapping onto the library.
 */
final class AgentRoutes {
  static final String AGENTS = ApiRoutes.ORG + "/agent-executions";
  static final int DEFAULT_LIMIT = 20;
  static final int DEFAULT_ENTRIES = 200;
  static final int MAX_ENTRIES = 1000;

  /** How often a stream re-reads the agent's status (its live data arrives as it is sent). */
  static final Duration STATUS_POLL = Duration.ofSeconds(1);

  private static final List<String> DATA_EVENTS =
      List.of("data", "token", "progress", "data", "error", "tool_start", "tool_end");
  private static final Map<String, String> CREATE_FIELDS =
      StartSignalRoutes.fields(
          "tenant_id", "orgId",
          "kind", "kind",
          "input", "input",
          "queue", "queue",
          "worker_pool_id", "workerPoolId",
          "metadata", "metadata");
  private static final Map<String, String> SIGNAL_FIELDS =
      StartSignalRoutes.fields("signal_name", "signalName", "signal_value", "signalValue");

  private final Dispatch dispatch;

  private AgentRoutes(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  static List<Route> routes(ApiContext context) {
    AgentRoutes agents = new AgentRoutes(context.dispatch());
    return List.of(
        Route.post(AGENTS, "createAgent", agents::create),
        Route.get(AGENTS, "listAgents", agents::list),
        Route.get(AGENTS + "/counts", "countAgents", agents::counts),
        Route.get(AGENTS + "/{id}", "getAgent", agents::get),
        Route.delete(AGENTS + "/{id}", "cancelAgent", agents::cancel),
        Route.post(AGENTS + "/{id}/cancel", "cancelAgentPost", agents::cancel),
        Route.post(AGENTS + "/{id}/signal", "signalAgent", agents::signal),
        Route.get(AGENTS + "/{id}/checkpoints", "listAgentCheckpoints", agents::checkpoints),
        Route.get(AGENTS + "/{id}/checkpoints/{seq}", "getAgentCheckpoint", agents::checkpoint),
        Route.get(AGENTS + "/{id}/tasks", "listAgentTasks", agents::tasks),
        Route.get(AGENTS + "/{id}/entries", "listAgentEntries", agents::entries),
        Route.get(AGENTS + "/{id}/signals", "listAgentSignals", agents::signals),
        Route.get(AGENTS + "/{id}/stream", "streamAgent", agents::stream));
  }

  /** {@code POST …/agent-executions}: 201 with the new PENDING agent. */
  private Mono<ApiResponse> create(ApiRequest request) {
    BodyFields body = new BodyFields(request.json());
    StartAgent.Builder start =
        StartAgent.builder(request.tenantId(), body.requiredText("kind"))
            .metadata(metadata(request.json()));
    // absent or null input is {} (a DynamicAgent's input must be an object)
    body.payload("input")
        .filter(bytes -> !"null".equals(new String(bytes, StandardCharsets.UTF_8)))
        .ifPresent(start::input);
    body.text("queue").ifPresent(start::queue);
    body.text("workerPoolId").ifPresent(start::workerPoolId);
    body.text("persistenceMode").map(AgentRoutes::mode).ifPresent(start::persistenceMode);
    return dispatch
        .createAgent(request.scope(), start.build())
        .onErrorMap(DispatchException.class, error -> StartSignalRoutes.named(error, CREATE_FIELDS))
        .flatMap(agent -> ApiResponse.created(agent(agent, true)));
  }

  private static String mode(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    if (!upper.equals("REMOTE") && !upper.equals("LOCAL")) {
      throw HttpProblem.badParameter("persistenceMode", "must be REMOTE or LOCAL");
    }
    return upper;
  }

  private static byte[] metadata(ObjectNode body) {
    JsonNode node = body.get("metadata");
    if (node == null || node.isNull()) {
      return new byte[0];
    }
    if (!node.isObject()) {
      throw HttpProblem.badParameter("metadata", "must be an object");
    }
    return ApiJson.bytes(node);
  }

  /** {@code GET …/agent-executions}: a page, filtered by status, kind, queue and parent. */
  private Mono<ApiResponse> list(ApiRequest request) {
    AgentFilter filter = filter(request);
    Page page = ListParams.page(request, DEFAULT_LIMIT);
    return dispatch
        .listAgents(request.scope(), filter, page)
        .flatMap(
            found -> {
              ObjectNode body = ApiJson.object();
              ArrayNode items = body.putArray("agents");
              found.items().forEach(agent -> items.add(agent(agent, false)));
              body.put("total", found.total());
              body.put("totalEstimated", found.totalEstimated());
              body.put("limit", found.limit());
              body.put("offset", found.offset());
              body.put("nextCursor", found.nextCursor());
              return ApiResponse.ok(body);
            });
  }

  /** {@code GET …/agent-executions/counts}: every status's count under kind/queue filters. */
  private Mono<ApiResponse> counts(ApiRequest request) {
    return dispatch
        .countAgents(request.scope(), filter(request))
        .flatMap(
            counts -> {
              ObjectNode byStatus = ApiJson.object();
              counts.counts().forEach(byStatus::put);
              ObjectNode body = ApiJson.object();
              body.set("counts", byStatus);
              body.put("total", counts.total());
              body.put("estimated", counts.estimated());
              return ApiResponse.ok(body);
            });
  }

  private static AgentFilter filter(ApiRequest request) {
    Set<AgentStatus> statuses = EnumSet.noneOf(AgentStatus.class);
    for (String text : request.queryAll("status")) {
      try {
        statuses.add(AgentStatus.valueOf(text.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw HttpProblem.badParameter(
            "status",
            "unknown status '"
                + ApiJson.shown(text, 32)
                + "' (one of PENDING, RUNNING, WAITING, COMPLETED, FAILED, CANCELLED)");
      }
    }
    UUID parent =
        request
            .query("parentId")
            .map(text -> ApiRequest.uuid("parentId", text.trim()))
            .orElse(null);
    return new AgentFilter(statuses, request.queryAll("kind"), request.queryAll("queue"), parent);
  }

  private Mono<ApiResponse> get(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch.agent(request.scope(), id).flatMap(agent -> ApiResponse.ok(agent(agent, true)));
  }

  /** {@code DELETE …/{id}} or {@code POST …/{id}/cancel}: whether this call cancelled it. */
  private Mono<ApiResponse> cancel(ApiRequest request) {
    UUID id = request.uuidPath("id");
    String reason = new BodyFields(request.json()).text("reason").orElse(null);
    if (reason != null && reason.length() > CancelRoutes.MAX_REASON) {
      throw HttpProblem.badParameter(
          "reason", "must be at most " + CancelRoutes.MAX_REASON + " characters");
    }
    Scope scope = request.scope();
    return dispatch
        .cancelAgent(scope, id, reason)
        .flatMap(
            cancelled ->
                dispatch
                    .agent(scope, id)
                    .map(
                        agent ->
                            ApiResponse.of(
                                200,
                                ApiJson.object()
                                    .put("cancelled", cancelled)
                                    .put("status", agent.status().name()))));
  }

  /** {@code POST …/{id}/signal}: {@code {signaled, agentResumed, signalId}}. */
  private Mono<ApiResponse> signal(ApiRequest request) {
    UUID id = request.uuidPath("id");
    BodyFields body = new BodyFields(request.json());
    String name = body.requiredText("signalName");
    byte[] value = body.payload("signalValue").orElse(null);
    return dispatch
        .signalAgent(request.scope(), id, name, value)
        .onErrorMap(DispatchException.class, error -> StartSignalRoutes.named(error, SIGNAL_FIELDS))
        .flatMap(
            result ->
                ApiResponse.ok(
                    ApiJson.object()
                        .put("signaled", true)
                        .put("agentResumed", result.agentResumed())
                        .put("signalId", result.signalId().toString())));
  }

  private Mono<ApiResponse> checkpoints(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .agentCheckpoints(request.scope(), id)
        .flatMap(
            checkpoints -> {
              ObjectNode body = ApiJson.object();
              ArrayNode array = body.putArray("checkpoints");
              checkpoints.forEach(checkpoint -> array.add(checkpoint(checkpoint)));
              return ApiResponse.ok(body);
            });
  }

  private Mono<ApiResponse> checkpoint(ApiRequest request) {
    UUID id = request.uuidPath("id");
    int sequence = sequence(request.path("seq"));
    return dispatch
        .agentCheckpoints(request.scope(), id)
        .flatMap(
            checkpoints ->
                checkpoints.stream()
                    .filter(checkpoint -> checkpoint.sequence() == sequence)
                    .findFirst()
                    .map(checkpoint -> ApiResponse.ok(checkpoint(checkpoint)))
                    .orElseGet(
                        () ->
                            Mono.error(
                                HttpProblem.notFound(
                                    "agent " + id + " has no checkpoint " + sequence))));
  }

  private static int sequence(String text) {
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw HttpProblem.badParameter(
        "seq", "must be a checkpoint sequence (1 or more), got '" + ApiJson.shown(text, 32) + "'");
  }

  private Mono<ApiResponse> tasks(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .agentTasks(request.scope(), id)
        .flatMap(
            tasks -> {
              ObjectNode body = ApiJson.object();
              ArrayNode array = body.putArray("tasks");
              tasks.forEach(task -> array.add(task(task, request.tenantId())));
              return ApiResponse.ok(body);
            });
  }

  /** {@code GET …/{id}/entries?after=&limit=}: entries in append order; {@code nextAfter} pages. */
  private Mono<ApiResponse> entries(ApiRequest request) {
    UUID id = request.uuidPath("id");
    int after = request.intQuery("after", 0, 0, Integer.MAX_VALUE);
    int limit = request.intQuery("limit", DEFAULT_ENTRIES, 1, MAX_ENTRIES);
    return dispatch
        .agentEntries(request.scope(), id, after, limit)
        .flatMap(
            entries -> {
              ObjectNode body = ApiJson.object();
              ArrayNode array = body.putArray("entries");
              entries.forEach(entry -> array.add(entry(entry)));
              if (entries.size() < limit) {
                body.putNull("nextAfter");
              } else {
                body.put("nextAfter", entries.get(entries.size() - 1).position());
              }
              return ApiResponse.ok(body);
            });
  }

  private Mono<ApiResponse> signals(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .agentSignals(request.scope(), id)
        .flatMap(
            signals -> {
              ObjectNode body = ApiJson.object();
              ArrayNode array = body.putArray("signals");
              signals.forEach(signal -> array.add(signal(signal)));
              return ApiResponse.ok(body);
            });
  }

  /**
   * {@code GET …/{id}/stream}: the agent's live data as it is sent ({@code token}, {@code
   * progress}, {@code data}, {@code error}, {@code tool_start}, {@code tool_end}), and a {@code
   * status} event on every change of status; ends after the agent finishes. Nothing is replayed:
   * live data is never stored.
   */
  private Mono<ApiResponse> stream(ApiRequest request) {
    UUID id = request.uuidPath("id");
    Scope scope = request.scope();
    return dispatch
        .openAgentData(scope, id)
        .map(
            feed -> {
              AtomicReference<AgentStatus> last = new AtomicReference<>();
              // the live data ends with the status events, which end once the agent finished
              Sinks.Empty<Void> ended = Sinks.empty();
              Flux<ApiResponse.SseEvent> statuses =
                  Flux.interval(Duration.ZERO, STATUS_POLL)
                      .onBackpressureDrop()
                      .concatMap(tick -> dispatch.agent(scope, id), 1)
                      .filter(agent -> agent.status() != last.getAndSet(agent.status()))
                      .takeUntil(agent -> agent.status().isTerminal())
                      .map(AgentRoutes::statusEvent)
                      .doFinally(signal -> ended.tryEmitEmpty());
              return Flux.merge(
                  statuses, feed.map(AgentRoutes::dataEvent).takeUntilOther(ended.asMono()));
            })
        .flatMap(ApiResponse::stream);
  }

  private static ApiResponse.SseEvent statusEvent(AgentExecution agent) {
    ObjectNode json = ApiJson.object();
    json.put("agentExecutionId", agent.id().toString());
    json.put("status", agent.status().name());
    json.put("currentCheckpointSeq", agent.currentCheckpointSeq());
    json.put("terminal", agent.status().isTerminal());
    return new ApiResponse.SseEvent("status", null, json.toString());
  }

  static ApiResponse.SseEvent dataEvent(AgentData data) {
    String name =
        data.eventType() >= 0 && data.eventType() < DATA_EVENTS.size()
            ? DATA_EVENTS.get(data.eventType())
            : "data";
    ObjectNode json = ApiJson.object();
    json.put("agentExecutionId", data.agentExecutionId().toString());
    json.put("sequence", data.sequence());
    json.put("eventType", data.eventType());
    json.put("payload", data.payload());
    json.put("timestampMs", data.timestampMs());
    return new ApiResponse.SseEvent(name, null, json.toString());
  }

  /**
   * An agent as the harness reads it (AgentExecution, contract A47); {@code full} adds payloads.
   */
  static ObjectNode agent(AgentExecution agent, boolean full) {
    ObjectNode json = ApiJson.object();
    json.put("id", agent.id().toString());
    json.put("orgId", agent.tenantId());
    json.put("kind", agent.kind());
    json.put("status", agent.status().name());
    json.put("queue", agent.queue());
    json.put("workerPoolId", agent.workerPoolId());
    if (full) {
      json.set("input", ApiJson.payload(agent.input()));
      json.set("output", ApiJson.payload(agent.output()));
    }
    json.put("error", agent.error());
    json.put("failureType", agent.failureType());
    json.put("currentCheckpointSeq", agent.currentCheckpointSeq());
    json.put(
        "parentExecutionId",
        agent.parentExecutionId() == null ? null : agent.parentExecutionId().toString());
    json.put("persistenceMode", agent.persistenceMode());
    json.put("workerId", agent.workerId());
    json.set("metadata", metadataJson(agent.metadata()));
    json.set("createdAt", ApiJson.time(agent.createdAt()));
    json.set("startedAt", ApiJson.time(agent.startedAt()));
    json.set("updatedAt", ApiJson.time(agent.updatedAt()));
    json.set("completedAt", ApiJson.time(agent.completedAt()));
    return json;
  }

  private static JsonNode metadataJson(byte[] metadata) {
    JsonNode node = metadata == null || metadata.length == 0 ? null : ApiJson.payload(metadata);
    return node == null || !node.isObject() ? ApiJson.object() : node;
  }

  static ObjectNode checkpoint(AgentCheckpoint checkpoint) {
    ObjectNode json = ApiJson.object();
    json.put("id", checkpoint.id().toString());
    json.put("agentExecutionId", checkpoint.agentExecutionId().toString());
    json.put("sequence", checkpoint.sequence());
    json.put("leafEntryId", checkpoint.leafEntryId());
    json.set("state", ApiJson.payload(checkpoint.state()));
    json.set("tokenUsage", usage(checkpoint.tokenUsage()));
    json.set("createdAt", ApiJson.time(checkpoint.createdAt()));
    return json;
  }

  static ObjectNode task(AgentTask task, String tenant) {
    ObjectNode json = ApiJson.object();
    json.put("id", task.id().toString());
    json.put("orgId", tenant);
    json.put("agentExecutionId", task.agentExecutionId().toString());
    json.put("kind", task.kind());
    json.put("status", task.status().name());
    json.put("queue", task.queue());
    json.set("input", ApiJson.payload(task.input()));
    json.set("output", ApiJson.payload(task.output()));
    json.put("error", task.error());
    json.put("executionCount", task.executionCount());
    json.put("maxRetries", task.maxRetries());
    json.put("workerId", task.workerId());
    json.set("createdAt", ApiJson.time(task.createdAt()));
    json.set("startedAt", ApiJson.time(task.startedAt()));
    json.set("completedAt", ApiJson.time(task.completedAt()));
    return json;
  }

  static ObjectNode entry(AgentViewStore.PositionedEntry positioned) {
    AgentEntry entry = positioned.entry();
    ObjectNode json = ApiJson.object();
    json.put("id", entry.id().toString());
    json.put("position", positioned.position());
    json.put("parentId", entry.parentId());
    json.put("entryType", entry.entryType());
    json.put("role", entry.role());
    json.set("content", ApiJson.payload(entry.content()));
    json.put("turnId", entry.turnId());
    json.set("tokenUsage", usage(entry.tokenUsage()));
    json.set("createdAt", ApiJson.time(entry.createdAt()));
    return json;
  }

  static ObjectNode signal(AgentSignalRecord signal) {
    ObjectNode json = ApiJson.object();
    json.put("id", signal.id().toString());
    json.put("name", signal.name());
    json.set("value", ApiJson.payload(signal.value()));
    json.put(
        "senderExecutionId",
        signal.senderExecutionId() == null ? null : signal.senderExecutionId().toString());
    json.put("consumed", signal.consumedAt() != null);
    json.set("createdAt", ApiJson.time(signal.createdAt()));
    json.set("consumedAt", ApiJson.time(signal.consumedAt()));
    return json;
  }

  private static JsonNode usage(TokenUsage usage) {
    if (usage == null) {
      return com.fasterxml.jackson.databind.node.NullNode.instance;
    }
    ObjectNode json = ApiJson.object();
    json.put("inputTokens", usage.inputTokens());
    json.put("outputTokens", usage.outputTokens());
    json.put("cacheReadTokens", usage.cacheReadTokens());
    json.put("cacheWriteTokens", usage.cacheWriteTokens());
    return json;
  }
}
