package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server's HTTP API as the verbs call it: one blocking call at a time over java.net.http (a
 * command line has nothing else to do meanwhile), the bearer token on each, the organization's path
 * resolved once. Every failure is a {@link CliFailure}: the API's {@code error} message for a 4xx
 * or 5xx answer, what went wrong for the network.
 */
final class Api {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final URI server;
  private final String token;
  private final String org;
  private final HttpClient client;
  private String orgPath;

  /** One answer: its text as the API sent it and that text parsed. */
  record Answer(String raw, JsonNode json) {}

  private Api(URI server, String token, String org) {
    this.server = server;
    this.token = token;
    this.org = org;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /**
   * The API of the server {@code options} and the environment name; a bad address is a usage error.
   */
  static Api connect(ApiOptions options, CliContext context) {
    String address = options.server(context);
    URI uri;
    try {
      uri = new URI(address.endsWith("/") ? address.substring(0, address.length() - 1) : address);
    } catch (URISyntaxException e) {
      throw CliFailure.usage("--server: not a URL: '" + address + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw CliFailure.usage("--server must be an http:// or https:// URL, got '" + address + "'");
    }
    return new Api(uri, options.token(context), options.org(context));
  }

  /**
   * {@code /api/orgs/{org}}: the organization given, else the token's as {@code GET /api/whoami}
   * names it; a usage error when neither names one (authentication off and no --org).
   */
  String orgPath() {
    if (orgPath == null) {
      String name = org;
      if (name == null) {
        JsonNode whoami = get("/api/whoami", Query.none()).json();
        JsonNode id = whoami.path("orgId");
        if (!id.isTextual() || id.asText().isEmpty()) {
          throw CliFailure.usage(
              "--org (or DISPATCH_ORG) is needed: the server has authentication off, so no token"
                  + " names the organization");
        }
        name = id.asText();
      }
      orgPath = "/api/orgs/" + segment(name);
    }
    return orgPath;
  }

  /** {@code GET path?query}. */
  Answer get(String path, Query query) {
    return send(HttpRequest.newBuilder(uri(path + query.text())).GET());
  }

  /** {@code POST path} with a JSON body. */
  Answer post(String path, JsonNode body) {
    String text;
    try {
      text = MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)));
  }

  /** A path segment, percent-encoded. */
  static String segment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private URI uri(String pathAndQuery) {
    return URI.create(server + pathAndQuery);
  }

  private Answer send(HttpRequest.Builder request) {
    request.timeout(CALL_TIMEOUT).header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw CliFailure.failed("cannot reach " + server + ": " + reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.failed("interrupted while calling " + server);
    }
    String body = response.body() == null ? "" : response.body();
    JsonNode json = parse(body);
    if (response.statusCode() >= 400) {
      String message =
          json != null && json.path("error").isTextual()
              ? json.path("error").asText()
              : "the server answered HTTP " + response.statusCode();
      throw CliFailure.failed(oneLine(message) + " (HTTP " + response.statusCode() + ")");
    }
    if (json == null) {
      throw CliFailure.failed(
          "the server's answer is not JSON (HTTP "
              + response.statusCode()
              + "): is --server the"
              + " dispatch server's HTTP port?");
    }
    return new Answer(body, json);
  }

  private static JsonNode parse(String body) {
    if (body.isBlank()) {
      return MAPPER.createObjectNode();
    }
    try {
      return MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String reason(IOException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = e.getCause();
      message = cause != null && cause.getMessage() != null ? cause.getMessage() : "";
    }
    if (message.isBlank() && e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String kind = e.getClass().getSimpleName();
    return message.isBlank() ? kind : kind + ": " + oneLine(message);
  }

  static String oneLine(String text) {
    String line = text.replaceAll("[\\r\\n]+", " ").trim();
    return line.length() > 500 ? line.substring(0, 500) + "..." : line;
  }

  /** Query parameters in order, each value percent-encoded; repeated names allowed. */
  static final class Query {
    private final List<String> pairs = new ArrayList<>();

    static Query none() {
      return new Query();
    }

    /** Adds {@code name=value} when the value is not null. */
    Query add(String name, Object value) {
      if (value != null) {
        pairs.add(segment(name) + "=" + segment(value.toString()));
      }
      return this;
    }

    /** Adds {@code name=value} for each value. */
    Query addAll(String name, List<String> values) {
      if (values != null) {
        values.forEach(value -> add(name, value));
      }
      return this;
    }

    String text() {
      return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
    }
  }
}
