package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@code dispatch_apply_batch} through {@link WorkflowStore#applyBatch}, against
 * the real function: the common batch is written whole in one call; each guard the general path
 * checks first makes it write nothing and hand back the locked row. About the call alone, it has no
 * statement-by-statement run: BatchPathsEquivalenceIT compares the two paths.
 */
class ApplyBatchIT {
  private static final byte[] DIGEST = {1, 2, 3};
  private static final long LIMIT = 1_000_000;
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

  // a RUNNING workflow of tenant "t" on queue "q" with its WORKFLOW_STARTED event (sequence 1)
  private static UUID running() {
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
    db.execute("UPDATE workflow_executions SET status = 'RUNNING' WHERE id = ?", id);
    return id;
  }

  private static NewTask task(UUID id, String queue) {
    return NewTask.builder(id, "type").input(new byte[] {7}).queue(queue).build();
  }

  private static BatchWrite write(UUID workflow, List<NewTask> tasks, WorkflowStatus otherwise) {
    return write(workflow, null, LIMIT, tasks, otherwise);
  }

  private static BatchWrite write(
      UUID workflow, String tenant, long limit, List<NewTask> tasks, WorkflowStatus otherwise) {
    return new BatchWrite(
        workflow,
        tenant,
        DIGEST,
        10,
        limit,
        tasks,
        new String[] {"TASK_SCHEDULED"},
        new String[] {"{\"a\":1}"},
        new String[] {"task:" + workflow},
        WorkflowStatus.PENDING,
        otherwise,
        false,
        otherwise.isTerminal(),
        null,
        null,
        60_000);
  }

  private static BatchWritten apply(BatchWrite write) {
    return transactor
        .inTransaction(tx -> tx.workflows().applyBatch(write))
        .block(Duration.ofSeconds(30));
  }

  private static Map<String, Object> row(UUID id) {
    return db.rows(
            "SELECT status, current_sequence, resume_pending,"
                + " encode(last_batch_digest, 'hex') AS digest, history_bytes, updated_at"
                + " FROM workflow_executions WHERE id = ?",
            id)
        .get(0);
  }

  private static long count(String table, UUID workflow) {
    return db.scalar(
        "SELECT count(*) FROM " + table + " WHERE workflow_execution_id = ?", workflow);
  }

  @Test
  void theCommonBatchIsWrittenWholeWithTheRowsDefaultsFromTheWorkflow() {
    UUID workflow = running();
    UUID ownQueue = UUID.randomUUID();
    UUID defaultQueue = UUID.randomUUID();
    BatchWritten written =
        apply(
            write(
                workflow,
                List.of(task(ownQueue, "other"), task(defaultQueue, null)),
                WorkflowStatus.WAITING));

    assertTrue(written.applied());
    assertEquals(Set.of(ownQueue, defaultQueue), written.inserted());
    assertEquals(1, written.appended());
    assertEquals(WorkflowStatus.WAITING, written.nextStatus());
    assertEquals(WorkflowStatus.RUNNING, written.workflow().status(), "the row as it was locked");
    assertEquals(1, written.workflow().currentSequence());
    assertEquals(
        List.of(
            Map.of("queue", "other", "tenant_id", "t", "traceparent", "00-trace"),
            Map.of("queue", "q", "tenant_id", "t", "traceparent", "00-trace")),
        db.rows(
            "SELECT queue, tenant_id, traceparent FROM task_executions WHERE id IN (?, ?)"
                + " ORDER BY id = ? DESC",
            ownQueue,
            defaultQueue,
            ownQueue));
    assertEquals(
        List.of(Map.of("sequence_number", 2, "event_type", "TASK_SCHEDULED")),
        db.rows(
            "SELECT sequence_number, event_type FROM workflow_events"
                + " WHERE workflow_execution_id = ? AND sequence_number > 1",
            workflow));
    Map<String, Object> after = row(workflow);
    assertEquals("WAITING", after.get("status"));
    assertEquals(2, after.get("current_sequence"));
    assertEquals(
        (Long) written.workflow().historyBytes() + written.appendedBytes(),
        after.get("history_bytes"));
  }

  @Test
  void anIdThatExistsIsSkippedAndItsEventNotAppendedTwice() {
    UUID workflow = running();
    UUID id = UUID.randomUUID();
    assertTrue(apply(write(workflow, List.of(task(id, null)), WorkflowStatus.RUNNING)).applied());
    BatchWritten again =
        apply(
            new BatchWrite(
                workflow,
                null,
                new byte[] {9},
                10,
                LIMIT,
                List.of(task(id, null)),
                new String[] {"TASK_SCHEDULED"},
                new String[] {"{\"a\":1}"},
                new String[] {"task:" + workflow},
                WorkflowStatus.PENDING,
                WorkflowStatus.RUNNING,
                false,
                false,
                null,
                null,
                60_000));
    assertTrue(again.applied());
    assertEquals(Set.of(), again.inserted());
    assertEquals(0, again.appended());
    assertEquals(1, count("task_executions", workflow));
    assertEquals(2, count("workflow_events", workflow));
  }

  @Test
  void aPendingResumeTakesItsStatusAndIsKeptOnlyWhenAsked() {
    UUID workflow = running();
    db.execute("UPDATE workflow_executions SET resume_pending = true WHERE id = ?", workflow);
    BatchWritten written = apply(write(workflow, List.of(), WorkflowStatus.WAITING));
    assertEquals(WorkflowStatus.PENDING, written.nextStatus());
    assertEquals("PENDING", row(workflow).get("status"));
    assertEquals(false, row(workflow).get("resume_pending"));
  }

  @Test
  void aWorkflowOfAnotherTenantIsNotFound() {
    UUID workflow = running();
    BatchWrite otherTenant =
        write(workflow, "u", LIMIT, List.of(task(UUID.randomUUID(), null)), WorkflowStatus.RUNNING);
    assertNull(apply(otherTenant));
    assertEquals(0, count("task_executions", workflow));
  }

  @Test
  void aWorkflowNotRunningIsHandedBackUnwritten() {
    unapplied(
        id -> db.execute("UPDATE workflow_executions SET status = 'WAITING' WHERE id = ?", id),
        WorkflowStatus.RUNNING,
        LIMIT);
  }

  @Test
  void theSameBatchAtTheSameSequenceIsHandedBackUnwritten() {
    unapplied(
        id ->
            db.execute(
                "UPDATE workflow_executions SET last_batch_digest = ?, last_batch_sequence = 1"
                    + " WHERE id = ?",
                DIGEST,
                id),
        WorkflowStatus.RUNNING,
        LIMIT);
  }

  @Test
  void aBatchPastTheHistoryLimitIsHandedBackUnwritten() {
    unapplied(id -> {}, WorkflowStatus.RUNNING, 5);
  }

  @Test
  void aChildThatWouldFinishIsHandedBackUnwrittenToReportToItsParent() {
    UUID parent = running();
    unapplied(
        id ->
            db.execute(
                "UPDATE workflow_executions SET parent_workflow_execution_id = ?,"
                    + " child_execution_name = 'child' WHERE id = ?",
                parent,
                id),
        WorkflowStatus.COMPLETED,
        LIMIT);
  }

  @Test
  void aGroupIsOneCallEachBatchWithItsOwnSliceAndOutcome() {
    UUID twoTasks = running();
    UUID missing = UUID.randomUUID();
    UUID waiting = running();
    db.execute("UPDATE workflow_executions SET status = 'WAITING' WHERE id = ?", waiting);
    UUID eventsOnly = running();
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    BatchWrite first =
        write(twoTasks, List.of(task(a, null), task(b, "other")), WorkflowStatus.WAITING);
    BatchWrite last =
        new BatchWrite(
            eventsOnly,
            null,
            DIGEST,
            10,
            LIMIT,
            List.of(),
            new String[] {"OPERATION_COMPLETED", "OPERATION_COMPLETED"},
            new String[] {"{\"n\":1}", "{\"n\":2}"},
            new String[] {null, null},
            WorkflowStatus.PENDING,
            WorkflowStatus.COMPLETED,
            false,
            true,
            new byte[] {5},
            null,
            60_000);

    BatchWritten[] written =
        transactor
            .inTransaction(
                tx ->
                    tx.workflows()
                        .applyBatches(
                            List.of(
                                first,
                                write(
                                    missing,
                                    List.of(task(UUID.randomUUID(), null)),
                                    WorkflowStatus.RUNNING),
                                write(
                                    waiting,
                                    List.of(task(UUID.randomUUID(), null)),
                                    WorkflowStatus.RUNNING),
                                last)))
            .block(Duration.ofSeconds(30));

    assertEquals(4, written.length);
    assertTrue(written[0].applied());
    assertEquals(Set.of(a, b), written[0].inserted());
    assertEquals(1, written[0].appended());
    assertNull(written[1], "no row for a workflow that does not exist");
    assertFalse(written[2].applied());
    assertEquals(WorkflowStatus.WAITING, written[2].workflow().status());
    assertTrue(written[3].applied());
    assertEquals(Set.of(), written[3].inserted());
    assertEquals(2, written[3].appended());
    assertEquals(WorkflowStatus.COMPLETED, written[3].nextStatus());

    assertEquals(2, count("task_executions", twoTasks));
    assertEquals(0, count("task_executions", waiting));
    assertEquals(
        List.of(
            Map.of("event_type", "OPERATION_COMPLETED", "sequence_number", 2),
            Map.of("event_type", "OPERATION_COMPLETED", "sequence_number", 3)),
        db.rows(
            "SELECT event_type, sequence_number FROM workflow_events"
                + " WHERE workflow_execution_id = ? AND sequence_number > 1 ORDER BY 2",
            eventsOnly));
    assertEquals("COMPLETED", row(eventsOnly).get("status"));
    assertEquals(
        1L,
        db.scalar(
            "SELECT count(*) FROM workflow_executions WHERE id = ? AND output = '\\x05'",
            eventsOnly));
  }

  private static void unapplied(Consumer<UUID> setUp, WorkflowStatus otherwise, long limit) {
    UUID workflow = running();
    setUp.accept(workflow);
    Map<String, Object> before = row(workflow);
    BatchWritten written =
        apply(write(workflow, null, limit, List.of(task(UUID.randomUUID(), null)), otherwise));
    assertFalse(written.applied());
    assertEquals(workflow, written.workflow().id());
    assertEquals(Set.of(), written.inserted());
    assertEquals(0, count("task_executions", workflow), "no task written");
    assertEquals(1, count("workflow_events", workflow), "no event written");
    assertEquals(before.toString(), row(workflow).toString(), "the workflow row unchanged");
  }
}
