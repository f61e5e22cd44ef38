package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@link ReleaseStore} against the real schema: a workflow released past the limit fails with its
 * WORKFLOW_EXECUTION_FAILED event numbered after its last and counted in its history's bytes, like
 * every event {@code dispatch_append_events} appends; one released within the limit gets no event.
 */
class ReleaseStoreIT {
  private static final String FAILED_EVENT =
      "{\"error\":\"abandonné\",\"failureType\":\"ABANDONED\"}";
  private static final ReleaseStore.Policy POLICY =
      new ReleaseStore.Policy(2, 20, 200, "abandoned", FAILED_EVENT);
  private static TestDatabase db;
  private static Transactor transactor;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    transactor = new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory()));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  // a RUNNING workflow with its WORKFLOW_STARTED event, released {@code releases} times before,
  // whose lease ends at {@code leaseEnds} (null: none)
  private static UUID running(int releases, String leaseEnds) {
    UUID id = UUID.randomUUID();
    NewWorkflow workflow =
        NewWorkflow.builder(id, "kind")
            .tenant("t")
            .queue("q")
            .traceparent("00-trace")
            .startedEventJson("{}")
            .build();
    transactor
        .inTransaction(tx -> tx.workflows().insertStarted(workflow).thenReturn(true))
        .block(Duration.ofSeconds(30));
    db.execute(
        "UPDATE workflow_executions SET status = 'RUNNING', worker_id = 'w', releases = ?,"
            + " lease_expires_at = now() + "
            + (leaseEnds == null ? "NULL" : "interval '" + leaseEnds + "'")
            + " WHERE id = ?",
        releases,
        id);
    return id;
  }

  // a second event in the log, recorded as every append records one
  private static void scheduled(UUID id) {
    db.execute(
        "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
            + " event_data) VALUES (?, 2, 'TASK_SCHEDULED', '{\"taskId\":\"x\"}')",
        id);
    db.execute(
        "UPDATE workflow_executions SET current_sequence = 2, history_bytes = history_bytes"
            + " + octet_length('{\"taskId\":\"x\"}') + octet_length('TASK_SCHEDULED') + ?"
            + " WHERE id = ?",
        EventStore.EVENT_OVERHEAD_BYTES,
        id);
  }

  private static Map<UUID, ReleaseStore.Released> release(
      Function<ReleaseStore, Flux<ReleaseStore.Released>> call) {
    return transactor
        .inTransaction(tx -> call.apply(tx.releases()).collectList())
        .block(Duration.ofSeconds(30))
        .stream()
        .collect(Collectors.toMap(ReleaseStore.Released::id, Function.identity()));
  }

  private static Map<String, Object> row(UUID id) {
    return db.rows(
            "SELECT status, releases, current_sequence, history_bytes, error, worker_id"
                + " FROM workflow_executions WHERE id = ?",
            id)
        .get(0);
  }

  private static List<Map<String, Object>> events(UUID id) {
    return db.rows(
        "SELECT sequence_number, event_type, event_data FROM workflow_events"
            + " WHERE workflow_execution_id = ? ORDER BY sequence_number",
        id);
  }

  // the history's size as the log itself gives it (migration 012's formula)
  private static long logBytes(UUID id) {
    return db.scalar(
        "SELECT sum(octet_length(event_data) + octet_length(event_type) + ?)"
            + " FROM workflow_events WHERE workflow_execution_id = ?",
        EventStore.EVENT_OVERHEAD_BYTES,
        id);
  }

  private static long failedEventBytes() {
    return FAILED_EVENT.getBytes(StandardCharsets.UTF_8).length
        + "WORKFLOW_EXECUTION_FAILED".length()
        + EventStore.EVENT_OVERHEAD_BYTES;
  }

  private static void assertFailedAt(UUID id, int sequence, long bytesBefore) {
    Map<String, Object> row = row(id);
    assertEquals("FAILED", row.get("status"));
    assertEquals("abandoned", row.get("error"));
    assertNull(row.get("worker_id"));
    assertEquals(sequence, ((Number) row.get("current_sequence")).intValue());
    List<Map<String, Object>> events = events(id);
    assertEquals(sequence, events.size(), "gapless: " + events);
    Map<String, Object> last = events.get(events.size() - 1);
    assertEquals(sequence, ((Number) last.get("sequence_number")).intValue());
    assertEquals("WORKFLOW_EXECUTION_FAILED", last.get("event_type"));
    assertEquals(FAILED_EVENT, last.get("event_data"));
    long bytes = ((Number) row.get("history_bytes")).longValue();
    assertEquals(bytesBefore + failedEventBytes(), bytes, "the event's bytes are counted");
    assertEquals(logBytes(id), bytes, "history_bytes is the log's size");
  }

  @Test
  void expiredClaimsAreReleasedOrFailedWithTheirEventNumberedAndCounted() {
    UUID failsAfterTwo = running(2, "-1 minute");
    scheduled(failsAfterTwo);
    UUID failsAfterOne = running(2, "-2 minutes");
    UUID released = running(0, "-1 minute");
    UUID stillLeased = running(2, "1 hour");
    long before2 = ((Number) row(failsAfterTwo).get("history_bytes")).longValue();
    long before1 = ((Number) row(failsAfterOne).get("history_bytes")).longValue();
    long beforeReleased = ((Number) row(released).get("history_bytes")).longValue();

    Map<UUID, ReleaseStore.Released> out =
        release(store -> store.releaseExpired(Instant.now(), 10, POLICY));

    assertEquals(
        Map.of(failsAfterTwo, true, failsAfterOne, true, released, false),
        out.values().stream()
            .collect(
                Collectors.toMap(
                    ReleaseStore.Released::id, r -> r.status() == WorkflowStatus.FAILED)));
    ReleaseStore.Released failed = out.get(failsAfterTwo);
    assertEquals("abandoned", failed.error());
    assertEquals("t", failed.tenantId());
    assertEquals("q", failed.queue());
    assertNull(failed.visibleAt());
    assertNotNull(out.get(released).visibleAt(), "back after a backoff");
    assertFailedAt(failsAfterTwo, 3, before2);
    assertFailedAt(failsAfterOne, 2, before1);

    Map<String, Object> back = row(released);
    assertEquals("PENDING", back.get("status"));
    assertEquals(1, ((Number) back.get("releases")).intValue());
    assertEquals(1, ((Number) back.get("current_sequence")).intValue());
    assertEquals(beforeReleased, ((Number) back.get("history_bytes")).longValue());
    assertEquals(1, events(released).size(), "no event for a release within the limit");
    assertEquals("RUNNING", row(stillLeased).get("status"));
  }

  @Test
  void aRejectedClaimPastTheLimitFailsWithItsEventNumberedAndCounted() {
    UUID workflow = running(2, null);
    scheduled(workflow);
    long before = ((Number) row(workflow).get("history_bytes")).longValue();

    Map<UUID, ReleaseStore.Released> out = release(store -> store.releaseOne(workflow, POLICY));

    assertEquals(WorkflowStatus.FAILED, out.get(workflow).status());
    assertFailedAt(workflow, 3, before);
    assertEquals(
        Map.of(), release(store -> store.releaseOne(workflow, POLICY)), "only RUNNING ones");
    assertEquals(3, events(workflow).size());
  }
}
