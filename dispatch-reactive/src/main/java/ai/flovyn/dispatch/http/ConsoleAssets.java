package ai.flovyn.dispatch.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The web console's files, served from the jar ({@code ai/flovyn/dispatch/console/} on the class
 * path) under {@code /console/}, with a Content-Security-Policy that allows nothing but this
 * origin: the console makes no external request and runs no inline script.
 */
final class ConsoleAssets {
  static final String ROOT = "ai/flovyn/dispatch/console/";
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "json", "application/json");

  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  Publisher<Void> serve(String method, String path, HttpServerResponse response) {
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return HttpPort.json(response, 405, ApiJson.error("only GET"));
    }
    String name =
        path.equals("/console") || path.equals("/console/")
            ? "index.html"
            : path.substring("/console/".length());
    // every page of the single-page console is index.html; files have an extension
    if (!name.contains(".")) {
      name = "index.html";
    }
    if (name.contains("..") || name.startsWith("/") || name.contains("\\")) {
      return HttpPort.json(response, 404, ApiJson.error("not found"));
    }
    byte[] bytes = load(name);
    if (bytes == null) {
      return HttpPort.json(response, 404, ApiJson.error("not found"));
    }
    String extension = name.substring(name.lastIndexOf('.') + 1);
    return response
        .status(200)
        .header(
            HttpHeaderNames.CONTENT_TYPE, TYPES.getOrDefault(extension, "application/octet-stream"))
        .header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .sendByteArray(Mono.just(bytes));
  }

  private byte[] load(String name) {
    byte[] cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readAllBytes();
      cache.put(name, bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
