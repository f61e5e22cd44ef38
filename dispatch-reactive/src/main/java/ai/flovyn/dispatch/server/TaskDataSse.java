package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.grpc.Audit;
import ai.flovyn.dispatch.pipeline.ActiveTokens;
import ai.flovyn.dispatch.pipeline.Dispatch;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Serves the live task data of this instance as Server-Sent Events: {@code GET
 * /v1/task-data?task_execution_id=…} or {@code ?workflow_execution_id=…}. Each event is one {@code
 * data:} line of JSON. Socket writes run on a bounded pool of {@value #MAX_STREAMS} threads (more
 * streams are refused with 503); a slow reader loses events like any slow subscriber, it never
 * slows the workers that stream.
 */
final class TaskDataSse implements AutoCloseable {
  static final String PATH = "/v1/task-data";
  static final int MAX_STREAMS = 32;
  private static final Logger log = LoggerFactory.getLogger(TaskDataSse.class);
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] KEEPALIVE_LINE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Dispatch dispatch;
  private final ActiveTokens tokens;
  private final Audit audit;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);
  private final Scheduler writers =
      Schedulers.newBoundedElastic(MAX_STREAMS, MAX_STREAMS, "task-data-sse", 60, true);

  private TaskDataSse(Dispatch dispatch, ActiveTokens tokens, Audit audit) {
    this.dispatch = dispatch;
    this.tokens = tokens;
    this.audit = audit;
  }

  /**
   * Serves {@value #PATH} on {@code server} from {@code dispatch}; with {@code tokens} (null when
   * authentication is off) only to requests with a valid bearer token, others get 401.
   */
  static TaskDataSse attach(
      HttpServer server, Dispatch dispatch, ActiveTokens tokens, Audit audit) {
    TaskDataSse sse = new TaskDataSse(dispatch, tokens, audit);
    server.createContext(PATH, sse::handle);
    return sse;
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "only GET");
      return;
    }
    Scope scope = tokens == null ? Scope.unrestricted() : authenticated(exchange);
    if (scope == null) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      respond(exchange, 401, ActiveTokens.DENIED_MESSAGE);
      return;
    }
    Mono<Flux<TaskData>> feed;
    try {
      feed = open(scope, query(exchange.getRequestURI().getRawQuery()));
    } catch (DispatchException e) {
      respond(exchange, 400, e.getMessage());
      return;
    }
    if (!streams.tryAcquire()) {
      respond(exchange, 503, "too many task data streams, retry later");
      return;
    }
    // the one subscription of this stream, on the bounded writer pool; it ends with the feed,
    // with a write failure (the client went away) or when the server stops
    feed.flatMapMany(events -> Flux.concat(Mono.just(Chunk.OPEN), chunks(events)))
        .publishOn(writers)
        .doFinally(signal -> streams.release())
        .subscribe(
            chunk -> write(exchange, chunk), error -> fail(exchange, error), exchange::close);
  }

  /** The caller's scope, or null (audited) when the request carries no valid token. */
  private Scope authenticated(HttpExchange exchange) {
    ActiveTokens.Outcome outcome =
        tokens.authenticateHeader(exchange.getRequestHeaders().get("Authorization"));
    if (!outcome.accepted()) {
      audit.unauthenticated(
          "GET " + PATH,
          String.valueOf(exchange.getRemoteAddress()),
          outcome.denial().tag(),
          outcome.lookupId());
    }
    return outcome.accepted() ? outcome.caller().scope() : null;
  }

  private Mono<Flux<TaskData>> open(Scope scope, Map<String, String> query) {
    String task = query.getOrDefault("task_execution_id", "");
    String workflow = query.getOrDefault("workflow_execution_id", "");
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

  /** The events as chunks, with a keepalive comment now and then, ending with the events. */
  private static Flux<Chunk> chunks(Flux<TaskData> events) {
    Flux<Chunk> keepalive = Flux.interval(KEEPALIVE).map(tick -> Chunk.KEEPALIVE);
    return Flux.merge(events.map(TaskDataSse::event).concatWith(Mono.just(Chunk.END)), keepalive)
        .takeWhile(chunk -> chunk != Chunk.END);
  }

  /** One piece of the response: the headers, a keepalive comment or an event. */
  private record Chunk(byte[] bytes) {
    static final Chunk OPEN = new Chunk(new byte[0]);
    static final Chunk KEEPALIVE = new Chunk(KEEPALIVE_LINE);
    static final Chunk END = new Chunk(new byte[0]);
  }

  private static Chunk event(TaskData data) {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("taskExecutionId", data.taskExecutionId().toString());
      if (data.workflowExecutionId() != null) {
        json.writeStringField("workflowExecutionId", data.workflowExecutionId().toString());
      }
      json.writeNumberField("sequence", data.sequence());
      json.writeNumberField("type", data.type());
      json.writeStringField("payload", data.payload());
      json.writeNumberField("timestampMs", data.timestampMs());
      json.writeNumberField("receivedAtMs", data.receivedAtMs());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Chunk(("data: " + out + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void write(HttpExchange exchange, Chunk chunk) {
    try {
      if (chunk == Chunk.OPEN) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        exchange.getResponseBody().flush();
        return;
      }
      OutputStream body = exchange.getResponseBody();
      body.write(chunk.bytes());
      body.flush();
    } catch (IOException e) {
      // the client went away: the subscriber cancels the feed and reports through fail()
      throw new UncheckedIOException(e);
    }
  }

  private static void fail(HttpExchange exchange, Throwable error) {
    if (error instanceof DispatchException dispatch && dispatch.kind() == ErrorKind.NOT_FOUND) {
      respond(exchange, 404, dispatch.getMessage());
    } else if (error instanceof UncheckedIOException) {
      exchange.close();
    } else {
      log.warn("task data stream failed: {}", error.toString());
      respond(exchange, 503, "task data unavailable, retry");
    }
  }

  private static void respond(HttpExchange exchange, int status, String message) {
    try (exchange) {
      byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    } catch (IOException | IllegalStateException e) {
      // headers already sent or client gone: closing is all that is left
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return values;
    }
    try {
      for (String pair : raw.split("&", 16)) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          values.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    } catch (IllegalArgumentException e) {
      throw DispatchException.invalidArgument("the query string is not URL-encoded");
    }
    return values;
  }

  private static UUID uuid(String field, String value) {
    try {
      if (value.length() == 36) {
        return UUID.fromString(value);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
    throw DispatchException.invalidArgument(field + " must be a UUID, got '" + shown + "'");
  }

  @Override
  public void close() {
    writers.dispose();
  }
}
