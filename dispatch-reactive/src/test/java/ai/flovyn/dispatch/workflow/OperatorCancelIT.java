package ai.flovyn.dispatch.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.CancelResult;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The library's operator cancel: {@link Dispatch#cancelWorkflow} and {@link
 * Dispatch#cancelWorkflows} as an embedder calls them, with the caller's scope.
 */
class OperatorCancelIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Scope A = Scope.tenant("a");
  private static final Scope B = Scope.tenant("b");

  private static TestDatabase db;
  private static Dispatch dispatch;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
    dispatch = Dispatch.create(db.connectionFactory());
  }

  @AfterAll
  static void drop() {
    dispatch.close();
    db.close();
  }

  @Test
  void aWorkflowCancelledWithoutAReasonRecordsTheDefaultOne() {
    UUID id = started("a");

    CancelResult result = dispatch.cancelWorkflow(A, id, null, true).block(WAIT);

    assertEquals(new CancelResult(CancelResult.Status.CANCELLED, 0), result);
    assertEquals("CANCELLED", status(id));
    assertTrue(lastEvent(id).contains("\"reason\":\"cancelled by an operator\""), lastEvent(id));
  }

  @Test
  void aSecondCancelIsAlreadyTerminalAndAppendsNothing() {
    UUID id = started("a");
    dispatch.cancelWorkflow(A, id, "first", true).block(WAIT);
    long events = events(id);

    CancelResult again = dispatch.cancelWorkflow(A, id, "second", true).block(WAIT);

    assertEquals(new CancelResult(CancelResult.Status.ALREADY_TERMINAL, 0), again);
    assertEquals(events, events(id));
    assertTrue(lastEvent(id).contains("\"reason\":\"first\""), lastEvent(id));
  }

  @Test
  void anotherTenantsWorkflowIsNotFoundAndLeftPendingButTheUnrestrictedScopeCancelsIt() {
    UUID theirs = started("b");

    DispatchException missing = errorOf(dispatch.cancelWorkflow(A, theirs, "no", true));
    DispatchException unknown = errorOf(dispatch.cancelWorkflow(A, UUID.randomUUID(), "no", true));

    assertEquals(ErrorKind.NOT_FOUND, missing.kind());
    assertEquals(ErrorKind.NOT_FOUND, unknown.kind());
    assertEquals("PENDING", status(theirs));
    assertEquals(
        CancelResult.Status.CANCELLED,
        dispatch.cancelWorkflow(Scope.unrestricted(), theirs, "ops", true).block(WAIT).status());
  }

  @Test
  void missingArgumentsAndAnOverlongReasonAreInvalidArguments() {
    UUID id = started("a");

    assertEquals(
        ErrorKind.INVALID_ARGUMENT, errorOf(dispatch.cancelWorkflow(A, null, "x", true)).kind());
    assertEquals(
        ErrorKind.INVALID_ARGUMENT, errorOf(dispatch.cancelWorkflow(null, id, "x", true)).kind());
    DispatchException overlong = errorOf(dispatch.cancelWorkflow(A, id, "x".repeat(40_000), true));
    assertEquals(ErrorKind.INVALID_ARGUMENT, overlong.kind());
    assertTrue(overlong.getMessage().startsWith("reason"), overlong.getMessage());
    assertEquals(
        ErrorKind.INVALID_ARGUMENT, errorOf(dispatch.cancelWorkflows(A, null, "x")).kind());
    assertEquals("PENDING", status(id));
  }

  @Test
  void cancelWorkflowsCountsOnlyTheUnfinishedWorkflowsOfTheScopeItCancelled() {
    UUID first = started("a");
    UUID second = started("a");
    UUID finished = started("a");
    dispatch.cancelWorkflow(A, finished, "before", true).block(WAIT);
    UUID theirs = started("b");
    List<UUID> ids = List.of(first, second, first, finished, theirs, UUID.randomUUID());

    Integer cancelled = dispatch.cancelWorkflows(A, ids, "bulk").block(WAIT);

    assertEquals(2, cancelled);
    assertEquals("CANCELLED", status(first));
    assertEquals("CANCELLED", status(second));
    assertTrue(lastEvent(first).contains("\"reason\":\"bulk\""), lastEvent(first));
    assertTrue(lastEvent(finished).contains("\"reason\":\"before\""), lastEvent(finished));
    assertEquals("PENDING", status(theirs));
    assertEquals(0, dispatch.cancelWorkflows(B, List.of(), null).block(WAIT));
  }

  @Test
  void moreThan10000IdsAreAnInvalidArgumentAndCancelNothing() {
    UUID id = started("a");
    List<UUID> ids = new ArrayList<>(Collections.nCopies(10_000, UUID.randomUUID()));
    ids.add(id);

    DispatchException refused = errorOf(dispatch.cancelWorkflows(A, ids, "too many"));

    assertEquals(ErrorKind.INVALID_ARGUMENT, refused.kind());
    assertTrue(refused.getMessage().contains("10000"), refused.getMessage());
    assertEquals("PENDING", status(id));
  }

  private static UUID started(String tenant) {
    StartWorkflow start =
        new StartWorkflow(
            tenant,
            "checkout",
            "{}".getBytes(StandardCharsets.UTF_8),
            Map.of(),
            "q-" + UUID.randomUUID(),
            0,
            null,
            null,
            null,
            null,
            null,
            null);
    return dispatch.startWorkflow(Scope.tenant(tenant), start).block(WAIT).workflowExecutionId();
  }

  private static DispatchException errorOf(Mono<?> call) {
    return assertThrows(DispatchException.class, () -> call.block(WAIT));
  }

  private static String status(UUID id) {
    return (String)
        db.rows("SELECT status FROM workflow_executions WHERE id = ?", id).get(0).get("status");
  }

  private static long events(UUID id) {
    return db.scalar("SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?", id);
  }

  private static String lastEvent(UUID id) {
    return (String)
        db.rows(
                "SELECT event_type || ' ' || event_data AS e FROM workflow_events"
                    + " WHERE workflow_execution_id = ? ORDER BY sequence_number DESC LIMIT 1",
                id)
            .get(0)
            .get("e");
  }
}
