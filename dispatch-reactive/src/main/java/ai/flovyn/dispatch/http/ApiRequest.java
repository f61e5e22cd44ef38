package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.domain.Caller;
import ai.flovyn.dispatch.domain.Scope;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One API call as a handler sees it: path and query parameters, the JSON body, and the tenant the
 * call acts in (already authenticated and resolved from {@code {org}}).
 *
 * @param method the HTTP method
 * @param path the decoded path
 * @param pathParams the template's {@code {name}} segments, decoded
 * @param query every query parameter with all its values, decoded
 * @param body the raw body (empty when none)
 * @param headers the request headers
 * @param scope the tenant's scope ({@link Scope#unrestricted()} only on unscoped routes without
 *     authentication)
 * @param caller the authenticated caller, or null when authentication is off
 */
record ApiRequest(
    String method,
    String path,
    Map<String, String> pathParams,
    Map<String, List<String>> query,
    byte[] body,
    HttpHeaders headers,
    Scope scope,
    Caller caller) {

  /** The tenant the call acts in (null only on unscoped routes without authentication). */
  String tenantId() {
    return scope.tenantId();
  }

  String path(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalStateException("no path parameter " + name);
    }
    return value;
  }

  /** A path parameter that must be a UUID; anything else is a 400 naming it. */
  UUID uuidPath(String name) {
    return uuid(name, path(name));
  }

  /** The single value of a query parameter, if given (a repeated one is a 400). */
  Optional<String> query(String name) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw HttpProblem.badParameter(name, "given more than once");
    }
    return Optional.of(values.get(0));
  }

  /** Every value of a query parameter, each also split at commas ({@code status=A,B&status=C}). */
  List<String> queryAll(String name) {
    List<String> values = query.get(name);
    if (values == null) {
      return List.of();
    }
    return values.stream()
        .flatMap(value -> java.util.Arrays.stream(value.split(",")))
        .map(String::trim)
        .filter(value -> !value.isEmpty())
        .toList();
  }

  /** An integer query parameter within [min, max], or {@code fallback} when absent. */
  int intQuery(String name, int fallback, int min, int max) {
    Optional<String> raw = query(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(raw.get().trim());
    } catch (NumberFormatException e) {
      throw HttpProblem.badParameter(
          name, "must be a whole number, got '" + ApiJson.shown(raw.get(), 32) + "'");
    }
    if (value < min || value > max) {
      throw HttpProblem.badParameter(name, "must be between " + min + " and " + max);
    }
    return value;
  }

  /** A boolean query parameter ({@code true}/{@code false}), or {@code fallback} when absent. */
  boolean boolQuery(String name, boolean fallback) {
    Optional<String> raw = query(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    return switch (raw.get().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw HttpProblem.badParameter(name, "must be true or false");
    };
  }

  /**
   * The body as a JSON object; an empty body is an empty object, anything else not an object is a
   * 400.
   */
  ObjectNode json() {
    if (body.length == 0) {
      return ApiJson.object();
    }
    JsonNode node;
    try {
      node = ApiJson.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw HttpProblem.badRequest("the request body is not valid JSON");
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return ApiJson.object();
    }
    if (!(node instanceof ObjectNode object)) {
      throw HttpProblem.badRequest("the request body must be a JSON object");
    }
    return object;
  }

  /** {@code text} as a UUID, or a 400 naming {@code name}. */
  static UUID uuid(String name, String text) {
    if (text != null && text.length() == 36) {
      try {
        return UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw HttpProblem.badParameter(name, "must be a UUID, got '" + ApiJson.shown(text, 40) + "'");
  }
}
