package ai.flovyn.dispatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.query.AgentFilter;
import ai.flovyn.dispatch.query.Cursor;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's reads of agents (AgentViews through Dispatch): lists filtered and paged by cursor
 * and offset, counts by status, entries paged by position, tenancy; and that reading a RUNNING
 * agent, unlike its worker's calls, never renews its lease.
 */
class AgentViewsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "views-tenant";
  private static final Scope SCOPE = Scope.tenant(TENANT);

  private static TestDatabase db;
  private static Dispatch dispatch;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    dispatch = Dispatch.builder(db.connectionFactory()).build();
  }

  @AfterAll
  static void stop() {
    dispatch.close();
    db.close();
  }

  private static UUID create(String kind, String queue) {
    return dispatch
        .createAgent(SCOPE, StartAgent.builder(TENANT, kind).queue(queue).build())
        .block(WAIT)
        .id();
  }

  private static UUID claimed(String queue) {
    UUID id = create("worker-run", queue);
    AgentExecution claimed =
        dispatch.pollAgent(SCOPE, TENANT, queue, List.of(), null, "w", Duration.ZERO).block(WAIT);
    assertEquals(id, claimed.id());
    return id;
  }

  @Test
  void theListFiltersAndPagesByCursorAndOffsetAndTheCountsSplitByStatus() {
    String queue = "list-" + UUID.randomUUID();
    UUID a = create("alpha", queue);
    UUID b = create("alpha", queue);
    UUID c = create("beta", queue);
    dispatch.cancelAgent(SCOPE, a, "test").block(WAIT);
    AgentFilter ofQueue = new AgentFilter(null, null, List.of(queue), null);

    ListPage<AgentExecution> first = dispatch.listAgents(SCOPE, ofQueue, Page.first(2)).block(WAIT);
    assertEquals(List.of(c, b), first.items().stream().map(AgentExecution::id).toList());
    assertEquals(3, first.total());
    assertNotNull(first.nextCursor());
    assertNull(first.items().get(0).input(), "lists carry no payloads");
    ListPage<AgentExecution> second =
        dispatch
            .listAgents(SCOPE, ofQueue, new Page(2, 0, Cursor.decode(first.nextCursor())))
            .block(WAIT);
    assertEquals(List.of(a), second.items().stream().map(AgentExecution::id).toList());
    assertNull(second.nextCursor());
    assertEquals(
        List.of(a),
        dispatch.listAgents(SCOPE, ofQueue, new Page(2, 2, null)).block(WAIT).items().stream()
            .map(AgentExecution::id)
            .toList());

    AgentFilter cancelledAlpha =
        new AgentFilter(Set.of(AgentStatus.CANCELLED), List.of("alpha"), List.of(queue), null);
    assertEquals(1, dispatch.listAgents(SCOPE, cancelledAlpha, Page.first(10)).block(WAIT).total());

    var counts = dispatch.countAgents(SCOPE, cancelledAlpha).block(WAIT);
    assertEquals(1L, counts.counts().get("PENDING"), "the filter's statuses are not applied");
    assertEquals(1L, counts.counts().get("CANCELLED"));
    assertEquals(0L, counts.counts().get("RUNNING"));
    assertEquals(2, counts.total());

    assertEquals(
        0,
        dispatch
            .listAgents(Scope.tenant("someone-else"), ofQueue, Page.first(10))
            .block(WAIT)
            .total());
  }

  @Test
  void entriesArePagedByPosition() {
    UUID agent = claimed("entries-" + UUID.randomUUID());
    for (int i = 1; i <= 5; i++) {
      dispatch
          .agents()
          .appendEntry(
              SCOPE,
              new NewAgentEntry(
                  agent,
                  null,
                  "message",
                  "user",
                  ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                  null,
                  null,
                  null))
          .block(WAIT);
    }
    var page = dispatch.agentEntries(SCOPE, agent, 0, 2).block(WAIT);
    assertEquals(List.of(1, 2), page.stream().map(e -> e.position()).toList());
    var rest = dispatch.agentEntries(SCOPE, agent, 2, 10).block(WAIT);
    assertEquals(List.of(3, 4, 5), rest.stream().map(e -> e.position()).toList());
    assertEquals("{\"n\":5}", new String(rest.get(2).entry().content(), StandardCharsets.UTF_8));
  }

  @Test
  void readingARunningAgentNeverRenewsItsLease() {
    UUID agent = claimed("lease-" + UUID.randomUUID());
    db.execute(
        "UPDATE agent_executions SET last_activity_at = now() - interval '10 minutes',"
            + " lease_expires_at = now() + interval '1 hour' WHERE id = ?::uuid",
        agent.toString());
    String before = lease(agent);

    dispatch.agent(SCOPE, agent).block(WAIT);
    dispatch.agentCheckpoints(SCOPE, agent).block(WAIT);
    dispatch.agentEntries(SCOPE, agent, 0, 10).block(WAIT);
    dispatch.agentTasks(SCOPE, agent).block(WAIT);
    dispatch.agentSignals(SCOPE, agent).block(WAIT);
    dispatch.listAgents(SCOPE, AgentFilter.all(), Page.first(10)).block(WAIT);

    assertEquals(before, lease(agent));
    // the worker's own call does renew it
    dispatch.agents().latestCheckpoint(SCOPE, agent).block(WAIT);
    assertTrue(!before.equals(lease(agent)), "a worker call renews the lease");
  }

  @Test
  void anotherTenantsAgentIsNotFoundByEveryRead() {
    UUID agent = create("private", "private-" + UUID.randomUUID());
    Scope other = Scope.tenant("other-tenant");
    for (var read :
        List.of(
            dispatch.agentCheckpoints(other, agent),
            dispatch.agentEntries(other, agent, 0, 10),
            dispatch.agentTasks(other, agent),
            dispatch.agentSignals(other, agent))) {
      DispatchException error = assertThrows(DispatchException.class, () -> read.block(WAIT));
      assertEquals(ErrorKind.NOT_FOUND, error.kind());
    }
  }

  private static String lease(UUID agent) {
    return db.rows(
            "SELECT last_activity_at::text || '/' || lease_expires_at::text AS lease"
                + " FROM agent_executions WHERE id = ?::uuid",
            agent.toString())
        .get(0)
        .get("lease")
        .toString();
  }
}
