package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.grpc.Audit;
import ai.flovyn.dispatch.pipeline.ActiveTokens;
import ai.flovyn.dispatch.pipeline.Dispatch;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the Prometheus text format on {@code GET /metrics}, and live task data as Server-Sent
 * Events on {@code GET /v1/task-data} (see {@link TaskDataSse}).
 */
final class MetricsHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final TaskDataSse taskData;

  private MetricsHttpServer(HttpServer server, ExecutorService executor, TaskDataSse taskData) {
    this.server = server;
    this.executor = executor;
    this.taskData = taskData;
  }

  /** Starts serving metrics and the task data stream, without authentication. */
  static MetricsHttpServer start(int port, PrometheusMeterRegistry registry, Dispatch dispatch)
      throws IOException {
    return start(new InetSocketAddress(port), registry, dispatch, null);
  }

  /**
   * Starts serving metrics and the task data stream on {@code address}; {@code tokens} (null when
   * authentication is off) guards the task data stream like the gRPC services.
   */
  static MetricsHttpServer start(
      InetSocketAddress address,
      PrometheusMeterRegistry registry,
      Dispatch dispatch,
      ActiveTokens tokens)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "metrics-http");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> scrape(exchange, registry));
    TaskDataSse taskData = TaskDataSse.attach(server, dispatch, tokens, new Audit(registry));
    server.start();
    return new MetricsHttpServer(server, executor, taskData);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void scrape(HttpExchange exchange, PrometheusMeterRegistry registry)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    taskData.close();
  }
}
