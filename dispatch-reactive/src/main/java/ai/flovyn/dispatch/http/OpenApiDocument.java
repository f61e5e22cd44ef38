package ai.flovyn.dispatch.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The API's OpenAPI 3.1 document, {@code GET /api/docs/openapi.json}, served without a token (as
 * Flovyn serves its own): a hand-written file in the jar that OpenApiIT checks against {@link
 * ApiRoutes} and against real answers, so it cannot drift from the routes.
 */
final class OpenApiDocument {
  static final String PATH = "/api/docs/openapi.json";
  static final String RESOURCE = "ai/flovyn/dispatch/http/openapi.json";
  private static final byte[] BYTES = load();

  private OpenApiDocument() {}

  static Publisher<Void> serve(String method, String path, HttpServerResponse response) {
    if (!"GET".equals(method)) {
      return HttpPort.json(response, 405, ApiJson.error("only GET"));
    }
    if (!path.equals(PATH)) {
      return response
          .status(HttpResponseStatus.FOUND)
          .header(HttpHeaderNames.LOCATION, PATH)
          .send();
    }
    return response
        .status(200)
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .sendByteArray(Mono.just(BYTES));
  }

  static byte[] bytes() {
    return BYTES.clone();
  }

  private static byte[] load() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
