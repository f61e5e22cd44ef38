package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BOOLEAN;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BOOLEAN_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BYTEA;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.UUID_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL over {@code workflow_executions}. */
public final class WorkflowStore {
  private static final String LOCK =
      "SELECT id, tenant_id, kind, queue, status, traceparent, current_sequence, resume_pending,"
          + " last_batch_digest, last_batch_sequence, parent_workflow_execution_id,"
          + " child_execution_name, history_bytes, releases"
          + " FROM workflow_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 2)
          + " FOR UPDATE";

  private static final String INSERT_STARTED =
      "WITH wf AS (INSERT INTO workflow_executions (id, tenant_id, kind, input, queue,"
          + " priority_seconds, status, traceparent, metadata, workflow_definition_id,"
          + " workflow_version, parent_workflow_execution_id, current_sequence, order_key,"
          + " history_bytes, child_execution_name)"
          + " VALUES ($1, $2, $3, decode($4, 'base64'), $5, $6, 'PENDING', $7, $8::jsonb, $9, $10,"
          + " $11, 1, now() - make_interval(secs => $6),"
          + " octet_length($12) + octet_length('WORKFLOW_STARTED') + "
          + EventStore.EVENT_OVERHEAD_BYTES
          + ", $13) RETURNING id)"
          + " INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
          + " event_data) SELECT id, 1, 'WORKFLOW_STARTED', $12 FROM wf";

  private static final String INSERT_CHILDREN =
      "WITH c AS (SELECT * FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[],"
          + " $8::int[], $9::text[], $10::text[], $11::text[])"
          + " AS c(id, kind, input, queue, priority, definition, name, started)),"
          + " wf AS (INSERT INTO workflow_executions (id, tenant_id, kind, input, queue,"
          + " priority_seconds, status, traceparent, workflow_definition_id,"
          + " parent_workflow_execution_id, child_execution_name, current_sequence, order_key,"
          + " history_bytes)"
          + " SELECT c.id, $1, c.kind, decode(c.input, 'base64'), c.queue, c.priority, 'PENDING',"
          + " $2, c.definition, $3, c.name, 1, now() - make_interval(secs => c.priority),"
          + " octet_length(c.started) + octet_length('WORKFLOW_STARTED') + "
          + EventStore.EVENT_OVERHEAD_BYTES
          + " FROM c ORDER BY c.id ON CONFLICT (id) DO NOTHING RETURNING id),"
          + " ev AS (INSERT INTO workflow_events (workflow_execution_id, sequence_number,"
          + " event_type, event_data) SELECT c.id, 1, 'WORKFLOW_STARTED', c.started"
          + " FROM c JOIN wf ON wf.id = c.id)"
          + " SELECT id FROM wf";

  private static final String OWNERS =
      "SELECT id, parent_workflow_execution_id, kind, tenant_id FROM workflow_executions"
          + " WHERE id = ANY($1::uuid[])";

  // The state a batch leaves on its workflow; the lease is renewed only when half used up, so that
  // the update stays HOT.
  private static final SqlFunction FINISH_BATCH =
      SqlFunction.of(
          "dispatch_finish_batch",
          param("p_workflow", SqlFunction.Type.UUID),
          param("p_status", TEXT),
          param("p_sequence", INTEGER),
          param("p_resume", BOOLEAN),
          param("p_output", TEXT),
          param("p_error", TEXT),
          param("p_digest", BYTEA),
          param("p_terminal", BOOLEAN),
          param("p_lease_ms", BIGINT),
          param("p_added_history_bytes", BIGINT));

  // dispatch_apply_batch for each batch of a group, in one call: each batch's tasks and events are
  // a slice (first index, count) of the flattened arrays.
  private static final SqlFunction APPLY_BATCHES =
      SqlFunction.of(
          "dispatch_apply_batches",
          param("p_workflows", UUID_ARRAY),
          param("p_tenants", TEXT_ARRAY),
          param("p_digests", TEXT_ARRAY),
          param("p_projected_bytes", BIGINT_ARRAY),
          param("p_max_history_bytes", BIGINT),
          param("p_task_from", INTEGER_ARRAY),
          param("p_task_count", INTEGER_ARRAY),
          param("p_task_ids", UUID_ARRAY),
          param("p_task_types", TEXT_ARRAY),
          param("p_inputs", TEXT_ARRAY),
          param("p_queues", TEXT_ARRAY),
          param("p_max_retries", INTEGER_ARRAY),
          param("p_timeouts_ms", BIGINT_ARRAY),
          param("p_priorities", INTEGER_ARRAY),
          param("p_idempotency_keys", TEXT_ARRAY),
          param("p_event_from", INTEGER_ARRAY),
          param("p_event_count", INTEGER_ARRAY),
          param("p_event_types", TEXT_ARRAY),
          param("p_event_data", TEXT_ARRAY),
          param("p_identities", TEXT_ARRAY),
          param("p_event_overhead_bytes", INTEGER),
          param("p_statuses_if_resume", TEXT_ARRAY),
          param("p_statuses_otherwise", TEXT_ARRAY),
          param("p_keep_resume", BOOLEAN_ARRAY),
          param("p_terminal", BOOLEAN_ARRAY),
          param("p_outputs", TEXT_ARRAY),
          param("p_errors", TEXT_ARRAY),
          param("p_lease_ms", BIGINT));

  // Cancels children of one parent that have not finished, and their tasks nobody runs yet.
  private static final String CANCEL_CHILDREN =
      cancelling(" AND parent_workflow_execution_id = $2");

  // Cancels workflows of a tenant ($2, any when null) that have not finished, as CANCEL_CHILDREN
  // does: an operator's cancel ends a workflow exactly as its parent's would.
  private static final String CANCEL_WORKFLOWS = cancelling(Sql.tenantIs("tenant_id", 2));

  // The unfinished children of the given workflows, locked in id order (no deadlocks between two
  // cascades): the next level an operator's cascading cancel ends.
  private static final String UNFINISHED_CHILDREN =
      "SELECT id FROM workflow_executions WHERE parent_workflow_execution_id = ANY($1::uuid[])"
          + Sql.tenantIs("tenant_id", 2)
          + " AND status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED') ORDER BY id FOR UPDATE";

  private static final String SUMMARY =
      "SELECT id, tenant_id, status, queue, traceparent, output, error FROM workflow_executions"
          + " WHERE id = $1"
          + Sql.tenantIs("tenant_id", 2);

  private static final String TENANT_OF =
      "SELECT tenant_id, queue, traceparent FROM workflow_executions WHERE id = $1"
          + Sql.tenantIs("tenant_id", 2);

  // Sets the workflows $1 that pass {@code which} and have not finished CANCELLED (reason $3), and
  // their tasks nobody runs yet; returns the workflows it cancelled.
  private static String cancelling(String which) {
    return "WITH c AS (UPDATE workflow_executions SET status = 'CANCELLED', cancel_requested = true,"
        + " error = $3, completed_at = now(), updated_at = now(), lease_expires_at = NULL,"
        + " worker_id = NULL WHERE id = ANY($1::uuid[])"
        + which
        + " AND status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')"
        + " RETURNING id, child_execution_name),"
        + " t AS (UPDATE task_executions SET status = 'CANCELLED', cancel_requested = true,"
        + " completed_at = now(), updated_at = now()"
        + " WHERE workflow_execution_id IN (SELECT id FROM c) AND status = 'PENDING')"
        + " SELECT id, child_execution_name FROM c";
  }

  private final Connection connection;

  WorkflowStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Emits the workflow read under a row lock held until the transaction ends; empty if none, or if
   * it is not of {@code tenant} (any when null): another tenant's row is neither read nor locked.
   */
  public Mono<WorkflowRow> lock(String tenant, UUID id) {
    return Sql.query(connection, LOCK, WorkflowStore::toRow, id, Sql.text(tenant)).next();
  }

  /**
   * Locks the workflow and, when the batch's guards hold, writes the whole batch in the same call
   * (see {@link BatchWrite}); empty if the workflow does not exist in the batch's tenant. Not
   * applied, nothing is written and the row stays locked until the transaction ends.
   */
  public Mono<BatchWritten> applyBatch(BatchWrite batch) {
    return applyBatches(List.of(batch)).mapNotNull(written -> written[0]);
  }

  /**
   * {@link #applyBatch} for each of {@code batches} in one call, in their order (lock them in a
   * stable order: by workflow id); emits what each did, at its index, null where the workflow does
   * not exist in the batch's tenant. They share a lease length and history limit.
   */
  public Mono<BatchWritten[]> applyBatches(List<BatchWrite> batches) {
    List<NewTask> tasks = new ArrayList<>();
    List<String> eventTypes = new ArrayList<>();
    List<String> eventData = new ArrayList<>();
    List<String> identities = new ArrayList<>();
    Integer[] taskFrom = new Integer[batches.size()];
    Integer[] taskCount = new Integer[batches.size()];
    Integer[] eventFrom = new Integer[batches.size()];
    Integer[] eventCount = new Integer[batches.size()];
    for (int i = 0; i < batches.size(); i++) {
      BatchWrite batch = batches.get(i);
      taskFrom[i] = tasks.size() + 1;
      taskCount[i] = batch.tasks().size();
      tasks.addAll(batch.tasks());
      eventFrom[i] = eventTypes.size() + 1;
      eventCount[i] = batch.eventTypes().length;
      eventTypes.addAll(Arrays.asList(batch.eventTypes()));
      eventData.addAll(Arrays.asList(batch.eventData()));
      identities.addAll(Arrays.asList(batch.eventIdentities()));
    }
    BatchWritten[] written = new BatchWritten[batches.size()];
    return Sql.call(
            connection,
            APPLY_BATCHES,
            row -> {
              written[row.get("batch", Integer.class) - 1] = toWritten(row);
              return true;
            },
            Sql.column(batches, BatchWrite::workflowId, UUID[]::new),
            Sql.column(batches, BatchWrite::tenant, String[]::new),
            Sql.column(batches, batch -> Sql.base64(batch.digest()), String[]::new),
            Sql.column(batches, BatchWrite::projectedBytes, Long[]::new),
            batches.get(0).maxHistoryBytes(),
            taskFrom,
            taskCount,
            Sql.column(tasks, NewTask::id, UUID[]::new),
            Sql.column(tasks, NewTask::taskType, String[]::new),
            Sql.column(tasks, task -> Sql.base64(task.input()), String[]::new),
            Sql.column(tasks, NewTask::queue, String[]::new),
            Sql.column(tasks, NewTask::maxRetries, Integer[]::new),
            Sql.column(tasks, NewTask::timeoutMs, Long[]::new),
            Sql.column(tasks, NewTask::prioritySeconds, Integer[]::new),
            Sql.column(tasks, NewTask::idempotencyKey, String[]::new),
            eventFrom,
            eventCount,
            eventTypes.toArray(String[]::new),
            eventData.toArray(String[]::new),
            identities.toArray(String[]::new),
            EventStore.EVENT_OVERHEAD_BYTES,
            Sql.column(batches, batch -> batch.statusIfResume().name(), String[]::new),
            Sql.column(batches, batch -> batch.statusOtherwise().name(), String[]::new),
            Sql.column(batches, BatchWrite::keepResume, Boolean[]::new),
            Sql.column(batches, BatchWrite::terminal, Boolean[]::new),
            Sql.column(batches, batch -> Sql.base64(batch.output()), String[]::new),
            Sql.column(batches, BatchWrite::error, String[]::new),
            batches.get(0).leaseMs())
        .then(Mono.fromSupplier(() -> written));
  }

  private static BatchWritten toWritten(Readable row) {
    boolean applied = Boolean.TRUE.equals(row.get("applied", Boolean.class));
    UUID[] inserted = row.get("inserted", UUID[].class);
    return new BatchWritten(
        toRow(row),
        applied,
        inserted == null ? Set.of() : Set.of(inserted),
        row.get("appended", Integer.class),
        row.get("appended_bytes", Long.class),
        applied ? WorkflowStatus.valueOf(row.get("next_status", String.class)) : null);
  }

  /** Inserts a started workflow and its WORKFLOW_STARTED event. */
  public Mono<Void> insertStarted(NewWorkflow workflow) {
    return Sql.update(
            connection,
            INSERT_STARTED,
            workflow.id(),
            workflow.tenantId(),
            workflow.kind(),
            Sql.base64(workflow.input()),
            workflow.queue(),
            workflow.prioritySeconds(),
            Sql.text(workflow.traceparent()),
            workflow.metadataJson(),
            Sql.text(workflow.workflowDefinitionId()),
            Sql.text(workflow.workflowVersion()),
            Sql.uuid(workflow.parentId()),
            workflow.startedEventJson(),
            Sql.text(workflow.childExecutionName()))
        .then();
  }

  /**
   * Inserts child workflows of one parent (tenant and traceparent inherited) with their
   * WORKFLOW_STARTED events, skipping ids that exist; emits the ids it inserted.
   */
  public Mono<Set<UUID>> insertChildren(
      String tenantId, String traceparent, UUID parentId, List<NewWorkflow> children) {
    if (children.isEmpty()) {
      return Mono.just(Set.of());
    }
    return Sql.query(
            connection,
            INSERT_CHILDREN,
            row -> row.get("id", UUID.class),
            tenantId,
            Sql.text(traceparent),
            parentId,
            Sql.column(children, NewWorkflow::id, UUID[]::new),
            Sql.column(children, NewWorkflow::kind, String[]::new),
            Sql.column(children, child -> Sql.base64(child.input()), String[]::new),
            Sql.column(children, NewWorkflow::queue, String[]::new),
            Sql.column(children, NewWorkflow::prioritySeconds, Integer[]::new),
            Sql.column(children, NewWorkflow::workflowDefinitionId, String[]::new),
            Sql.column(children, NewWorkflow::childExecutionName, String[]::new),
            Sql.column(children, NewWorkflow::startedEventJson, String[]::new))
        .collect(HashSet::new, Set::add);
  }

  /** Emits the parent and kind of each of the given workflows that exists. */
  public Flux<Owner> owners(UUID[] ids) {
    return Sql.query(
        connection,
        OWNERS,
        row ->
            new Owner(
                row.get("id", UUID.class),
                row.get("parent_workflow_execution_id", UUID.class),
                row.get("kind", String.class)),
        (Object) ids);
  }

  /**
   * Writes the outcome of a command batch onto the locked workflow row; a workflow still RUNNING
   * gets its lease renewed by {@code leaseMs}.
   */
  public Mono<Void> finishBatch(
      UUID id,
      WorkflowStatus status,
      int currentSequence,
      boolean resumePending,
      byte[] output,
      String error,
      byte[] digest,
      long leaseMs,
      long addedHistoryBytes) {
    return Sql.call(
            connection,
            FINISH_BATCH,
            row -> true,
            id,
            status.name(),
            currentSequence,
            resumePending,
            Sql.text(Sql.base64(output)),
            Sql.text(error),
            ByteBuffer.wrap(digest),
            status.isTerminal(),
            leaseMs,
            addedHistoryBytes)
        .then();
  }

  /** A child workflow that was cancelled, with the name its parent gave it. */
  public record CancelledChild(UUID id, String name) {}

  /**
   * Cancels the given children of {@code parentId} that have not finished (their PENDING tasks
   * too); emits those it cancelled.
   */
  public Flux<CancelledChild> cancelChildren(UUID parentId, UUID[] childIds, String reason) {
    return Sql.query(
        connection,
        CANCEL_CHILDREN,
        row ->
            new CancelledChild(
                row.get("id", UUID.class), row.get("child_execution_name", String.class)),
        childIds,
        parentId,
        reason);
  }

  /**
   * Cancels the given workflows of {@code tenant} (any when null) that have not finished, and their
   * PENDING tasks, as {@link #cancelChildren} cancels a parent's children; emits those it
   * cancelled.
   */
  public Flux<CancelledChild> cancelWorkflows(String tenant, UUID[] ids, String reason) {
    return Sql.query(
        connection,
        CANCEL_WORKFLOWS,
        row ->
            new CancelledChild(
                row.get("id", UUID.class), row.get("child_execution_name", String.class)),
        ids,
        Sql.text(tenant),
        reason);
  }

  /**
   * Emits the unfinished children of {@code parentIds} of {@code tenant} (any when null), each
   * locked until the transaction ends.
   */
  public Flux<UUID> lockUnfinishedChildren(String tenant, UUID[] parentIds) {
    return Sql.query(
        connection,
        UNFINISHED_CHILDREN,
        row -> row.get("id", UUID.class),
        parentIds,
        Sql.text(tenant));
  }

  /** A workflow's tenant, status and outcome, as queries and signals need them. */
  public record Summary(
      UUID id,
      String tenantId,
      WorkflowStatus status,
      String queue,
      String traceparent,
      byte[] output,
      String error) {}

  /** Emits the workflow's summary (no lock); empty if none. */
  public Mono<Summary> summary(UUID id) {
    return summary(null, id);
  }

  /** Emits the workflow's summary (no lock); empty if none of {@code tenant} (any when null). */
  public Mono<Summary> summary(String tenant, UUID id) {
    return Sql.query(
            connection,
            SUMMARY,
            row ->
                new Summary(
                    row.get("id", UUID.class),
                    row.get("tenant_id", String.class),
                    WorkflowStatus.valueOf(row.get("status", String.class)),
                    row.get("queue", String.class),
                    row.get("traceparent", String.class),
                    row.get("output", ByteBuffer.class) == null ? null : Sql.bytes(row, "output"),
                    row.get("error", String.class)),
            id,
            Sql.text(tenant))
        .next();
  }

  /** Emits the tenant, queue and traceparent of a workflow; empty if none. */
  public Mono<String[]> tenantQueueTrace(UUID id) {
    return tenantQueueTrace(null, id);
  }

  /**
   * Emits the tenant, queue and traceparent of a workflow; empty if none of {@code tenant} (any
   * when null).
   */
  public Mono<String[]> tenantQueueTrace(String tenant, UUID id) {
    return Sql.query(
            connection,
            TENANT_OF,
            row ->
                new String[] {
                  row.get("tenant_id", String.class),
                  row.get("queue", String.class),
                  row.get("traceparent", String.class)
                },
            id,
            Sql.text(tenant))
        .next();
  }

  private static WorkflowRow toRow(Readable row) {
    ByteBuffer digest = row.get("last_batch_digest", ByteBuffer.class);
    byte[] digestBytes = null;
    if (digest != null) {
      digestBytes = new byte[digest.remaining()];
      digest.get(digestBytes);
    }
    return new WorkflowRow(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("kind", String.class),
        row.get("queue", String.class),
        WorkflowStatus.valueOf(row.get("status", String.class)),
        row.get("traceparent", String.class),
        row.get("current_sequence", Integer.class),
        Boolean.TRUE.equals(row.get("resume_pending", Boolean.class)),
        digestBytes,
        row.get("last_batch_sequence", Integer.class),
        row.get("parent_workflow_execution_id", UUID.class),
        row.get("child_execution_name", String.class),
        row.get("history_bytes", Long.class),
        row.get("releases", Integer.class));
  }
}
