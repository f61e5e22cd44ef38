package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the real route table: every route described under its method, path
 * and operation id with its path parameters and a success answer, nothing described that is not a
 * route, and the document served without a token.
 */
class OpenApiRoutesIT {
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
  }

  @AfterAll
  static void stop() {
    http.close();
    grpc.close();
    db.close();
  }

  private static Map<String, String> documented(JsonNode document) {
    Map<String, String> operations = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fields()
          .forEachRemaining(
              op ->
                  operations.put(
                      op.getKey().toUpperCase() + " " + path.getKey(),
                      op.getValue().path("operationId").asText()));
    }
    return operations;
  }

  @Test
  void everyRouteIsDescribedAndEveryDescriptionIsARoute() {
    JsonNode document = new OpenApiSchemas().document;
    Map<String, String> routes = new TreeMap<>();
    for (Route route : ApiRoutes.all(new ApiContext(grpc.dispatch()))) {
      routes.put(route.method() + " " + route.template(), route.operationId());
    }
    assertEquals(routes, documented(document));
  }

  @Test
  void everyOperationDeclaresItsPathParametersAndASuccessAnswer() {
    JsonNode document = new OpenApiSchemas().document;
    List<String> problems = new ArrayList<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        op -> {
                          List<String> declared = new ArrayList<>();
                          op.getValue()
                              .path("parameters")
                              .forEach(
                                  p -> {
                                    if ("path".equals(p.path("in").asText())) {
                                      declared.add(p.path("name").asText());
                                    }
                                  });
                          Matcher matcher = PARAM.matcher(path.getKey());
                          List<String> needed = new ArrayList<>();
                          while (matcher.find()) {
                            needed.add(matcher.group(1));
                          }
                          if (!declared.equals(needed)) {
                            problems.add(path.getKey() + " declares " + declared);
                          }
                          JsonNode responses = op.getValue().path("responses");
                          if (!responses.has("200") && !responses.has("201")) {
                            problems.add(path.getKey() + " has no success answer");
                          }
                        }));
    assertTrue(problems.isEmpty(), problems.toString());
  }

  @Test
  void theDocumentIsServedWithoutAToken() {
    ApiClient.Answer answer = new ApiClient(http.port(), null).get(OpenApiDocument.PATH);
    assertEquals(200, answer.status());
    assertEquals("3.1.0", answer.json().path("openapi").asText());
    assertFalse(answer.json().path("paths").isEmpty());
  }
}
