package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.grpc.Audit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves the live task data of this instance as Server-Sent Events: {@code GET
 * /v1/task-data?task_execution_id=…} or {@code ?workflow_execution_id=…}. Each event is one {@code
 * data:} line of JSON. At most {@value #MAX_STREAMS} streams at once (more are refused with 503); a
 * slow reader loses events like any slow subscriber, it never slows the workers that stream.
 */
final class TaskDataSse implements AutoCloseable {
  static final String PATH = "/v1/task-data";
  static final int MAX_STREAMS = 32;
  private static final Logger log = LoggerFactory.getLogger(TaskDataSse.class);

  private final Dispatch dispatch;
  private final ActiveTokens tokens;
  private final Audit audit;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);

  TaskDataSse(Dispatch dispatch, ActiveTokens tokens, Audit audit) {
    this.dispatch = dispatch;
    this.tokens = tokens;
    this.audit = audit;
  }

  Publisher<Void> serve(
      HttpServerRequest request, HttpServerResponse response, Map<String, List<String>> query) {
    if (!"GET".equals(request.method().name())) {
      return HttpPort.json(response, 405, ApiJson.error("only GET"));
    }
    Scope scope = tokens == null ? Scope.unrestricted() : authenticated(request);
    if (scope == null) {
      response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      return HttpPort.json(response, 401, ApiJson.error(ActiveTokens.DENIED_MESSAGE));
    }
    Mono<Flux<TaskData>> feed;
    try {
      feed = open(scope, query);
    } catch (DispatchException e) {
      return HttpPort.json(response, 400, ApiJson.error(e.getMessage()));
    }
    if (!streams.tryAcquire()) {
      return HttpPort.json(response, 503, ApiJson.error("too many task data streams, retry later"));
    }
    return feed.flatMap(events -> Mono.from(HttpPort.sse(response, events.map(TaskDataSse::event))))
        .onErrorResume(error -> Mono.from(fail(response, error)))
        .doFinally(signal -> streams.release());
  }

  /** The caller's scope, or null (audited) when the request carries no valid token. */
  private Scope authenticated(HttpServerRequest request) {
    ActiveTokens.Outcome outcome =
        tokens.authenticateHeader(request.requestHeaders().getAll("Authorization"));
    if (!outcome.accepted()) {
      audit.unauthenticated(
          "GET " + PATH,
          String.valueOf(request.remoteAddress()),
          outcome.denial().tag(),
          outcome.lookupId());
    }
    return outcome.accepted() ? outcome.caller().scope() : null;
  }

  private Mono<Flux<TaskData>> open(Scope scope, Map<String, List<String>> query) {
    String task = first(query, "task_execution_id");
    String workflow = first(query, "workflow_execution_id");
    if (task.isEmpty() == workflow.isEmpty()) {
      throw DispatchException.invalidArgument(
          "exactly one of task_execution_id and workflow_execution_id must be set");
    }
    // with authentication, the token's tenant only (another tenant's task is not found); without
    // it, the operator's view, as on the gRPC port
    return task.isEmpty()
        ? dispatch.openWorkflowTaskData(scope, uuid("workflow_execution_id", workflow))
        : dispatch.openTaskData(scope, uuid("task_execution_id", task));
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  /** One task data event as the stream's JSON. */
  static ApiResponse.SseEvent event(TaskData data) {
    ObjectNode json = ApiJson.object();
    json.put("taskExecutionId", data.taskExecutionId().toString());
    if (data.workflowExecutionId() != null) {
      json.put("workflowExecutionId", data.workflowExecutionId().toString());
    }
    json.put("sequence", data.sequence());
    json.put("type", data.type());
    json.put("payload", data.payload());
    json.put("timestampMs", data.timestampMs());
    json.put("receivedAtMs", data.receivedAtMs());
    return new ApiResponse.SseEvent(null, null, json.toString());
  }

  private static Publisher<Void> fail(HttpServerResponse response, Throwable error) {
    if (response.hasSentHeaders()) {
      return Mono.empty();
    }
    if (error instanceof DispatchException dispatch && dispatch.kind() == ErrorKind.NOT_FOUND) {
      return HttpPort.json(response, 404, ApiJson.error(dispatch.getMessage()));
    }
    log.warn("task data stream failed: {}", error.toString());
    return HttpPort.json(response, 503, ApiJson.error("task data unavailable, retry"));
  }

  private static UUID uuid(String field, String value) {
    try {
      if (value.length() == 36) {
        return UUID.fromString(value);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw DispatchException.invalidArgument(
        field + " must be a UUID, got '" + ApiJson.shown(value, 64) + "'");
  }

  @Override
  public void close() {
    // streams end with the library's subscriptions (Dispatch.stopSubscriptions)
  }
}
