package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.grpc.Audit;
import ai.flovyn.dispatch.support.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The server's HTTP port, non-blocking on Reactor Netty, HTTP/1.1 and cleartext HTTP/2 (h2c, by
 * upgrade or prior knowledge): the operator API under {@code /api/}, the console under {@code
 * /console/}, {@code /metrics} (also {@code /_/metrics}), {@code /_/health} and the live task data
 * stream {@code /v1/task-data}.
 */
public final class HttpPort implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpPort.class);

  /** The largest request body the API reads. */
  static final int MAX_BODY = 1 << 20;

  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final DisposableServer server;
  private final TaskDataSse taskData;

  private HttpPort(DisposableServer server, TaskDataSse taskData) {
    this.server = server;
    this.taskData = taskData;
  }

  /**
   * What the port serves.
   *
   * @param address where to listen
   * @param registry the metrics to scrape
   * @param dispatch the library every route calls
   * @param tokens the bearer tokens, or null when authentication is off
   * @param orgs how {@code {org}} path segments name tenants
   * @param tracing a span per request when on
   */
  public record Settings(
      InetSocketAddress address,
      PrometheusMeterRegistry registry,
      Dispatch dispatch,
      ActiveTokens tokens,
      Orgs orgs,
      Tracing tracing) {
    public Settings {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(dispatch, "dispatch");
      orgs = orgs == null ? Orgs.idsOnly() : orgs;
      tracing = tracing == null ? Tracing.off() : tracing;
    }

    /** Settings without tracing. */
    public Settings(
        InetSocketAddress address,
        PrometheusMeterRegistry registry,
        Dispatch dispatch,
        ActiveTokens tokens,
        Orgs orgs) {
      this(address, registry, dispatch, tokens, orgs, Tracing.off());
    }

    /** Loopback, any free port, no authentication: for tests and embedding. */
    public static Settings local(PrometheusMeterRegistry registry, Dispatch dispatch) {
      return new Settings(new InetSocketAddress("127.0.0.1", 0), registry, dispatch, null, null);
    }

    /** The same with bearer tokens required. */
    public Settings withTokens(ActiveTokens value) {
      return new Settings(address, registry, dispatch, value, orgs, tracing);
    }

    /** The same with a span per request through {@code value}. */
    public Settings withTracing(Tracing value) {
      return new Settings(address, registry, dispatch, tokens, orgs, value);
    }
  }

  /**
   * Binds and starts serving.
   *
   * @throws reactor.core.Exceptions a bind failure (port in use), as Reactor Netty reports it
   */
  public static HttpPort start(Settings settings) {
    Audit audit = new Audit(settings.registry());
    ApiRouter api =
        new ApiRouter(
            ApiRoutes.all(new ApiContext(settings.dispatch(), settings.orgs())),
            settings.tokens(),
            settings.orgs(),
            audit);
    TaskDataSse taskData = new TaskDataSse(settings.dispatch(), settings.tokens(), audit);
    ConsoleAssets console = new ConsoleAssets();
    DisposableServer server =
        HttpServer.create()
            .bindAddress(settings::address)
            .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
            // a request that upgrades to h2c carries its body in the upgrade: without this, any
            // body there (a POST from a client that prefers HTTP/2) is refused with a 413
            .httpRequestDecoder(spec -> spec.h2cMaxContentLength(MAX_BODY))
            .handle(
                (request, response) ->
                    traced(
                        settings.tracing(),
                        request,
                        response,
                        () ->
                            serve(request, response, settings.registry(), api, taskData, console)))
            .bindNow(Duration.ofSeconds(30));
    return new HttpPort(server, taskData);
  }

  /** The address it listens on (the real port when bound to port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.address();
  }

  /** The port it listens on (the real one when bound to port 0). */
  public int port() {
    return ((InetSocketAddress) server.address()).getPort();
  }

  private static Publisher<Void> serve(
      HttpServerRequest request,
      HttpServerResponse response,
      PrometheusMeterRegistry registry,
      ApiRouter api,
      TaskDataSse taskData,
      ConsoleAssets console) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    String method = request.method().name();
    if (path.equals("/metrics") || path.equals("/_/metrics")) {
      return scrape(method, response, registry);
    }
    if (path.equals("/_/health")) {
      return json(response, 200, ApiJson.MAPPER.createObjectNode().put("status", "UP"));
    }
    if (path.equals(TaskDataSse.PATH)) {
      return taskData.serve(request, response, uri.parameters());
    }
    if (path.equals(OpenApiDocument.PATH) || path.equals("/api/docs")) {
      return OpenApiDocument.serve(method, path, response);
    }
    if (path.equals("/api") || path.startsWith("/api/")) {
      return api(request, response, api, method, path, uri.parameters());
    }
    if (path.equals("/")) {
      return response
          .status(HttpResponseStatus.FOUND)
          .header(HttpHeaderNames.LOCATION, "/console/")
          .send();
    }
    if (path.equals("/console") || path.startsWith("/console/")) {
      return console.serve(method, path, response);
    }
    return json(response, 404, ApiJson.error("not found"));
  }

  /**
   * With tracing on, serves the request under a SERVER span (a child of its {@code traceparent}
   * header when it has one), current while the handler assembles and in the Reactor context of what
   * it returns; off, the handler's answer itself.
   */
  private static Publisher<Void> traced(
      Tracing tracing,
      HttpServerRequest request,
      HttpServerResponse response,
      Supplier<Publisher<Void>> serve) {
    if (!tracing.on()) {
      return serve.get();
    }
    SpanContext remote = Tracing.remote(request.requestHeaders().get("traceparent"));
    Context parent = remote.isValid() ? Context.root().with(Span.wrap(remote)) : Context.root();
    String method = request.method().name();
    String path = new QueryStringDecoder(request.uri()).path();
    Span span =
        tracing
            .tracer()
            .spanBuilder(method + " " + area(path))
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .startSpan();
    if (span.isRecording()) {
      span.setAttribute("http.request.method", method);
      span.setAttribute("url.path", path);
    }
    Context otel = parent.with(span);
    Publisher<Void> served;
    try (Scope scope = otel.makeCurrent()) {
      served = serve.get();
    }
    return Mono.from(served)
        .doFinally(
            signal -> {
              if (span.isRecording()) {
                int status = response.status().code();
                span.setAttribute("http.response.status_code", status);
                if (status >= 500) {
                  span.setStatus(StatusCode.ERROR);
                }
              }
              span.end();
            })
        .contextWrite(Tracing.within(otel));
  }

  /** The part of the port a path is in: a span name of few values, whatever the ids in it. */
  private static String area(String path) {
    for (String area : AREAS) {
      if (path.equals(area) || path.startsWith(area + "/")) {
        return area;
      }
    }
    return "/";
  }

  private static final List<String> AREAS =
      List.of("/api", "/console", "/metrics", "/_/metrics", "/_/health", TaskDataSse.PATH);

  private static Publisher<Void> scrape(
      String method, HttpServerResponse response, PrometheusMeterRegistry registry) {
    if (!"GET".equals(method)) {
      return json(response, 405, ApiJson.error("only GET"));
    }
    return response
        .status(200)
        .header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .sendString(Mono.fromSupplier(registry::scrape));
  }

  private static Publisher<Void> api(
      HttpServerRequest request,
      HttpServerResponse response,
      ApiRouter api,
      String method,
      String path,
      Map<String, List<String>> query) {
    String remote = String.valueOf(request.remoteAddress());
    return body(request)
        .flatMap(body -> api.call(method, path, query, request.requestHeaders(), body, remote))
        .onErrorResume(
            error -> !(error instanceof HttpProblem),
            error -> {
              log.error("API call {} {} failed", method, ApiJson.shown(path, 200), error);
              return Mono.error(HttpProblem.of(500, "internal error"));
            })
        .flatMap(answer -> Mono.from(write(response, answer)))
        .onErrorResume(
            HttpProblem.class,
            problem -> {
              if (problem.status() == 401) {
                response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
              }
              return Mono.from(
                  json(response, problem.status(), ApiJson.error(problem.getMessage())));
            });
  }

  /** The request body, at most {@link #MAX_BODY} bytes (a 413 beyond). */
  private static Mono<byte[]> body(HttpServerRequest request) {
    String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_BODY) {
          return Mono.error(HttpProblem.tooLarge(MAX_BODY));
        }
      } catch (NumberFormatException e) {
        return Mono.error(HttpProblem.badRequest("content-length is not a number"));
      }
    }
    return request
        .receive()
        .reduce(
            new java.io.ByteArrayOutputStream(),
            (out, chunk) -> {
              if (out.size() + chunk.readableBytes() > MAX_BODY) {
                throw HttpProblem.tooLarge(MAX_BODY);
              }
              byte[] bytes = new byte[chunk.readableBytes()];
              chunk.getBytes(chunk.readerIndex(), bytes);
              out.writeBytes(bytes);
              return out;
            })
        .map(java.io.ByteArrayOutputStream::toByteArray)
        .defaultIfEmpty(new byte[0]);
  }

  private static Publisher<Void> write(HttpServerResponse response, ApiResponse answer) {
    if (answer.events() != null) {
      return sse(response, answer.events());
    }
    if (answer.body() == null) {
      return response.status(answer.status()).send();
    }
    return json(response, answer.status(), answer.body());
  }

  static Publisher<Void> json(
      HttpServerResponse response, int status, com.fasterxml.jackson.databind.JsonNode body) {
    byte[] bytes = ApiJson.bytes(body);
    return response
        .status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(bytes.length))
        .sendByteArray(Mono.just(bytes));
  }

  /**
   * Sends {@code events} as text/event-stream, one flush per event, with a keep-alive comment every
   * {@link #KEEPALIVE}; ends with the events, or when the client goes away (which cancels them).
   */
  static Publisher<Void> sse(HttpServerResponse response, Flux<ApiResponse.SseEvent> events) {
    Flux<String> keepalive = Flux.interval(KEEPALIVE).map(tick -> ": keep-alive\n\n");
    Flux<String> lines =
        Flux.merge(events.map(ApiResponse.SseEvent::wire).concatWith(Mono.just(END)), keepalive)
            .takeWhile(line -> !END.equals(line));
    return response
        .status(200)
        .header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .send(
            ByteBufFlux.fromString(
                Flux.concat(Mono.just(": open\n\n"), lines),
                StandardCharsets.UTF_8,
                response.alloc()),
            buffer -> true);
  }

  private static final String END = "\u0000end";

  @Override
  public void close() {
    taskData.close();
    server.disposeNow(Duration.ofSeconds(5));
  }
}
