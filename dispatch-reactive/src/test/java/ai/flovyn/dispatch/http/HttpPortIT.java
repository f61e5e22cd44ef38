package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP port's own rules: health, JSON errors for unknown routes and methods, HTTP/2. */
class HttpPortIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static HttpPort http;
  private static ApiClient api;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    http = HttpPort.start(HttpPort.Settings.local(grpc.registry(), grpc.dispatch()));
    api = new ApiClient(http.port(), null);
  }

  @AfterAll
  static void stopServers() {
    http.close();
    grpc.close();
    db.close();
  }

  @Test
  void healthAnswersUpWithoutAToken() {
    ApiClient.Answer health = api.get("/_/health");
    assertEquals(200, health.status());
    assertEquals("UP", health.json().path("status").asText());
  }

  @Test
  void anUnknownRouteIsAJson404AndAWrongMethodA405() {
    ApiClient.Answer missing = api.get("/api/orgs/acme/nothing-here");
    assertEquals(404, missing.status());
    assertEquals("no such API route", missing.error());
    ApiClient.Answer method = api.send("PUT", "/api/whoami");
    assertEquals(405, method.status());
    assertTrue(method.error().contains("PUT"), method.error());
  }

  @Test
  void whoamiSaysAuthenticationIsOff() {
    ApiClient.Answer whoami = api.get("/api/whoami");
    assertEquals(200, whoami.status());
    assertEquals("off", whoami.json().path("authentication").asText());
  }

  @Test
  void http2WithoutTlsIsServed() {
    ApiClient h2 = new ApiClient(http.port(), null, HttpClient.Version.HTTP_2);
    ApiClient.Answer health = h2.get("/_/health");
    assertEquals(200, health.status());
    assertEquals(HttpClient.Version.HTTP_2, health.raw().version());
  }

  @Test
  void metricsAreStillScraped() {
    ApiClient.Answer metrics = api.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.raw().body().contains("# TYPE"), "a Prometheus text body");
  }

  @Test
  void anOversizedBodyIsRefusedWith413() {
    ApiClient.Answer big = api.post("/api/orgs/acme/workflow-executions", "x".repeat(2 << 20));
    assertEquals(413, big.status());
  }
}
