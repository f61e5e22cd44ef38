package ai.flovyn.dispatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organizations named by slug ({@code tokens create --slug}) or by tenant id on the HTTP port,
 * through the token snapshot's slugs, with bearer tokens required.
 */
class OrgSlugsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TENANT = "tenant-" + UUID.randomUUID();
  private static final String OTHER = "other-" + UUID.randomUUID();
  private static final String PLAIN = "plain-" + UUID.randomUUID();

  private static TestDatabase db;
  private static GrpcTestServer grpc;
  private static ActiveTokens snapshot;
  private static HttpPort http;
  private static Tokens tokens;
  private static ApiClient tenant;
  private static ApiClient plain;
  private static String workflowId;
  private static String otherWorkflowId;

  @BeforeAll
  static void startServers() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
    tokens = Tokens.over(db.connectionFactory());
    tokens.setSlug(TENANT, "acme").block(WAIT);
    tokens.setSlug(OTHER, "globex").block(WAIT);
    IssuedToken tenantToken = tokens.create(TENANT, TokenRole.ADMIN, "ops").block(WAIT);
    IssuedToken plainToken = tokens.create(PLAIN, TokenRole.ADMIN, "ops").block(WAIT);
    snapshot =
        ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
            .block(WAIT);
    http =
        HttpPort.start(
            new HttpPort.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                grpc.registry(),
                grpc.dispatch(),
                snapshot,
                SlugOrgs.over(snapshot)));
    tenant = new ApiClient(http.port(), tenantToken.text());
    plain = new ApiClient(http.port(), plainToken.text());
    workflowId =
        grpc.workflows()
            .startWorkflow(Commands.start(TENANT, "q-" + UUID.randomUUID()))
            .getWorkflowExecutionId();
    otherWorkflowId =
        grpc.workflows()
            .startWorkflow(Commands.start(OTHER, "q-" + UUID.randomUUID()))
            .getWorkflowExecutionId();
  }

  @AfterAll
  static void stopServers() {
    http.close();
    snapshot.close();
    grpc.close();
    db.close();
  }

  @Test
  void theSlugAndTheTenantIdReachTheSameWorkflow() {
    ApiClient.Answer bySlug = tenant.get("/api/orgs/acme/workflow-executions/" + workflowId);
    ApiClient.Answer byId =
        tenant.get("/api/orgs/" + TENANT + "/workflow-executions/" + workflowId);
    assertEquals(200, bySlug.status(), bySlug.raw().body());
    assertEquals(200, byId.status(), byId.raw().body());
    assertEquals(workflowId, bySlug.json().path("id").asText());
    assertEquals(bySlug.json().path("id"), byId.json().path("id"));
  }

  @Test
  void anotherTenantsSlugWithThisTokenIsNotFound() {
    ApiClient.Answer theirs = tenant.get("/api/orgs/globex/workflow-executions/" + otherWorkflowId);
    assertEquals(404, theirs.status());
    assertEquals("organization not found", theirs.error());
    ApiClient.Answer theirsHere =
        tenant.get("/api/orgs/acme/workflow-executions/" + otherWorkflowId);
    assertEquals(404, theirsHere.status());
  }

  @Test
  void whoamiAndTheOrganizationNameTheSlug() {
    ApiClient.Answer whoami = tenant.get("/api/whoami");
    assertEquals(TENANT, whoami.json().path("orgId").asText());
    assertEquals("acme", whoami.json().path("orgSlug").asText());
    ApiClient.Answer org = tenant.get("/api/orgs/" + TENANT);
    assertEquals(200, org.status());
    assertEquals(TENANT, org.json().path("id").asText());
    assertEquals("acme", org.json().path("slug").asText());
  }

  @Test
  void aTenantWithoutSlugHasANullSlugAndIsNamedByItsId() {
    ApiClient.Answer whoami = plain.get("/api/whoami");
    assertTrue(whoami.json().path("orgSlug").isNull(), whoami.raw().body());
    ApiClient.Answer org = plain.get("/api/orgs/" + PLAIN);
    assertEquals(200, org.status());
    assertTrue(org.json().path("slug").isNull(), org.raw().body());
  }

  @Test
  void aSlugSetWhileServingNamesItsTenantAfterTheReload() throws InterruptedException {
    String tenantId = "late-" + UUID.randomUUID();
    IssuedToken late = tokens.create(tenantId, TokenRole.ADMIN, "late").block(WAIT);
    tokens.setSlug(tenantId, "late-co").block(WAIT);
    ApiClient client = new ApiClient(http.port(), late.text());
    Await.until(
        () -> client.get("/api/orgs/late-co").status() == 200, "the new slug names its tenant");
    assertEquals(tenantId, client.get("/api/orgs/late-co").json().path("id").asText());
    assertEquals("late-co", client.get("/api/whoami").json().path("orgSlug").asText());
  }
}
