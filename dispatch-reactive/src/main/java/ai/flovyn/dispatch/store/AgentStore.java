package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.UUID_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

import ai.flovyn.dispatch.domain.AgentCheckpoint;
import ai.flovyn.dispatch.domain.AgentEntry;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentSignal;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTaskResult;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.ChildEvent;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.TokenUsage;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The statements of durable agents (migration 025, docs/agents.md): agent rows, their entries,
 * checkpoints, signals and tasks. Writers that must see what committed before them lock the agent
 * row first ({@link #lock}); the wait condition is then read by a later statement.
 */
public final class AgentStore {
  /** An agent as the calls on it need it, after the tenant check. */
  public record AgentRow(
      UUID id,
      String tenantId,
      String queue,
      AgentStatus status,
      UUID parentExecutionId,
      int entryCount,
      byte[] metadata) {}

  /** An agent one claim statement took for the worker at {@code slot} (0-based). */
  public record AgentClaim(int slot, AgentExecution agent) {}

  /** An agent made PENDING (woken or reclaimed), to announce to its pollers. */
  public record Ready(UUID id, String tenantId, String queue) {}

  /** An agent a lease expiry changed: PENDING again, or FAILED after too many expiries. */
  public record Reclaimed(
      UUID id, AgentStatus status, String tenantId, String queue, UUID parentExecutionId) {}

  /** A task of an agent that timed out. */
  public record TimedOut(UUID taskId, UUID agentExecutionId) {}

  private static final String COLUMNS =
      "a.id, a.tenant_id, a.kind, a.queue, a.worker_pool_id, a.input, a.metadata,"
          + " a.persistence_mode, a.parent_execution_id, a.status, a.current_checkpoint_seq,"
          + " a.worker_id, a.output, a.error, a.failure_type, a.traceparent,"
          + " (extract(epoch FROM a.created_at) * 1000)::bigint AS created_ms,"
          + " (extract(epoch FROM a.started_at) * 1000)::bigint AS started_ms,"
          + " (extract(epoch FROM a.updated_at) * 1000)::bigint AS updated_ms,"
          + " (extract(epoch FROM a.completed_at) * 1000)::bigint AS completed_ms";

  private static final String INSERT =
      "INSERT INTO agent_executions (id, tenant_id, kind, queue, worker_pool_id, input, metadata,"
          + " persistence_mode, parent_execution_id, status, max_budget_tokens, template_slug,"
          + " traceparent, order_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10,"
          + " $11, $12, now())";

  private static final String ROW =
      "a.id, a.tenant_id, a.queue, a.status, a.parent_execution_id, a.entry_count, a.metadata";

  // A RUNNING agent's own call renews its lease, at most once every 5 s unless half of it is used
  // (a write per call otherwise).
  private static final String FIND =
      "WITH a AS (SELECT "
          + ROW
          + " FROM agent_executions a WHERE a.id = $1"
          + Sql.tenantIs("a.tenant_id", 2)
          + "), touch AS (UPDATE agent_executions t SET last_activity_at = now(),"
          + " lease_expires_at = now() + $3 * interval '1 millisecond'"
          + " FROM a WHERE t.id = a.id AND t.status = 'RUNNING'"
          + " AND (t.last_activity_at < now() - interval '5 seconds'"
          + " OR t.lease_expires_at < now() + $3 * interval '500 microseconds'))"
          + " SELECT * FROM a";

  // Locks the row for the transaction; a RUNNING agent's own call renews its lease.
  private static final String LOCK =
      "UPDATE agent_executions a SET"
          + " last_activity_at = CASE WHEN a.status = 'RUNNING' THEN now() ELSE a.last_activity_at"
          + " END, lease_expires_at = CASE WHEN a.status = 'RUNNING'"
          + " THEN now() + $3 * interval '1 millisecond' ELSE a.lease_expires_at END"
          + " WHERE a.id = $1"
          + Sql.tenantIs("a.tenant_id", 2)
          + " RETURNING "
          + ROW;

  private static final String RESUME =
      "UPDATE agent_executions a SET status = 'RUNNING', worker_id = $3, claims = a.claims + 1,"
          + " wait_kind = NULL, wait_signal = NULL, wait_ids = NULL, wait_reason = NULL,"
          + " started_at = COALESCE(a.started_at, now()), last_activity_at = now(),"
          + " lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = now()"
          + " WHERE a.id = $1 AND a.status = 'WAITING'"
          + Sql.tenantIs("a.tenant_id", 2)
          + " RETURNING a.id, a.kind, a.tenant_id, a.input, a.queue,"
          + " (extract(epoch FROM a.created_at) * 1000)::bigint AS created_ms,"
          + " a.current_checkpoint_seq, a.persistence_mode, a.worker_pool_id, a.metadata,"
          + " a.parent_execution_id, a.traceparent, a.worker_id";

  private static final String DETAIL =
      "SELECT "
          + COLUMNS
          + " FROM agent_executions a WHERE a.id = $1"
          + Sql.tenantIs("a.tenant_id", 2);

  // One call serves several waiting workers (p_workers, one per slot) of the kinds in p_kinds.
  private static final SqlFunction CLAIM =
      SqlFunction.of(
          "dispatch_claim_agents",
          param("p_tenant", TEXT),
          param("p_queue", TEXT),
          param("p_kinds", TEXT_ARRAY),
          param("p_pool", TEXT),
          param("p_workers", TEXT_ARRAY),
          param("p_lease_ms", BIGINT));

  // Locks the agents, then re-evaluates the WAITING ones in a new snapshot.
  private static final SqlFunction WAKE =
      SqlFunction.of(
          "dispatch_wake_agents",
          param("p_agents", UUID_ARRAY),
          param("p_sender", SqlFunction.Type.UUID));

  // Whether a wait condition holds, in the calling statement's snapshot.
  private static final SqlFunction WAIT_MET =
      SqlFunction.of(
          "dispatch_agent_wait_met",
          param("p_agent", SqlFunction.Type.UUID),
          param("p_wait_kind", TEXT),
          param("p_awaited", TEXT),
          param("p_ids", UUID_ARRAY));

  private static final String RELEASE =
      "UPDATE agent_executions SET status = 'PENDING', worker_id = NULL, lease_expires_at = NULL,"
          + " claims = claims - 1, updated_at = now()"
          + " WHERE id = ANY($1::uuid[]) AND status = 'RUNNING'";

  private static final String ENTRY_BY_ID =
      "SELECT id FROM agent_entries WHERE agent_execution_id = $1 AND id = $2";

  private static final String ENTRY_BY_KEY =
      "SELECT id FROM agent_entries WHERE agent_execution_id = $1 AND idempotency_key = $2";

  private static final String INSERT_ENTRY =
      "WITH bump AS (UPDATE agent_executions SET entry_count = entry_count + 1, updated_at = now()"
          + " WHERE id = $1 RETURNING entry_count)"
          + " INSERT INTO agent_entries (agent_execution_id, position, id, idempotency_key,"
          + " parent_id, entry_type, role, content, turn_id, input_tokens, output_tokens,"
          + " cache_read_tokens, cache_write_tokens)"
          + " SELECT $1, bump.entry_count, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM bump";

  private static final String ENTRIES =
      "SELECT id, parent_id, entry_type, role, content, turn_id, input_tokens, output_tokens,"
          + " cache_read_tokens, cache_write_tokens,"
          + " (extract(epoch FROM created_at) * 1000)::bigint AS created_ms"
          + " FROM agent_entries WHERE agent_execution_id = $1 AND position > $2"
          + " ORDER BY position";

  private static final String ENTRY_POSITION =
      "SELECT position FROM agent_entries WHERE agent_execution_id = $1 AND id = $2";

  private static final String INSERT_CHECKPOINT =
      "WITH seq AS (UPDATE agent_executions SET current_checkpoint_seq ="
          + " GREATEST(current_checkpoint_seq, 0) + 1, reclaims = 0, updated_at = now()"
          + " WHERE id = $2 RETURNING current_checkpoint_seq)"
          + " INSERT INTO agent_checkpoints (id, agent_execution_id, sequence, leaf_entry_id, state,"
          + " input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)"
          + " SELECT $1, $2, seq.current_checkpoint_seq, $3, $4, $5, $6, $7, $8 FROM seq"
          + " RETURNING sequence";

  private static final String CHECKPOINT_COLUMNS =
      "SELECT id, agent_execution_id, sequence, leaf_entry_id, state, input_tokens,"
          + " output_tokens, cache_read_tokens, cache_write_tokens,"
          + " (extract(epoch FROM created_at) * 1000)::bigint AS created_ms FROM agent_checkpoints"
          + " WHERE agent_execution_id = $1";

  private static final String LATEST_CHECKPOINT =
      CHECKPOINT_COLUMNS + " ORDER BY sequence DESC LIMIT 1";

  private static final String CHECKPOINTS = CHECKPOINT_COLUMNS + " ORDER BY sequence";

  private static final String INSERT_TASK =
      "INSERT INTO task_executions (id, tenant_id, agent_execution_id, task_type, input, queue,"
          + " max_retries, timeout_ms, deadline_at, status, traceparent, idempotency_key,"
          + " order_key, visible_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
          + " now() + $8 * interval '1 millisecond', 'PENDING', $9, $10, now(), now())"
          + " ON CONFLICT (id) DO NOTHING RETURNING id";

  private static final String TASK_OWNER =
      "SELECT agent_execution_id, tenant_id FROM task_executions WHERE id = $1";

  // One row per requested id, in request order (an id twice: twice); a task of another agent is
  // not joined. A task between attempts is PENDING; the error of a final failure is the row's.
  private static final String TASK_RESULTS =
      "SELECT u.id AS requested, t.id, t.status, t.output, t.error"
          + " FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, ord)"
          + " LEFT JOIN task_executions t ON t.id = u.id AND t.agent_execution_id = $1"
          + " ORDER BY u.ord";

  private static final String TASK_COUNT =
      "SELECT count(*) AS n FROM task_executions WHERE agent_execution_id = $1";

  private static final String OWN_TASKS =
      "SELECT count(DISTINCT id) AS n FROM task_executions"
          + " WHERE agent_execution_id = $1 AND id = ANY($2::uuid[])";

  private static final String OWN_CHILDREN =
      "SELECT count(DISTINCT id) AS n FROM agent_executions"
          + " WHERE parent_execution_id = $1 AND id = ANY($2::uuid[])";

  // Run after the agent is locked: the condition reads what committed before the lock.
  private static final String MET = WAIT_MET.call("a.id", "$2::text", "$3::text", "$4::uuid[]");
  private static final String SUSPEND =
      "UPDATE agent_executions a SET"
          + (" status = CASE WHEN " + MET + " THEN 'PENDING' ELSE 'WAITING' END,")
          + (" wait_kind = CASE WHEN " + MET + " THEN NULL ELSE $2 END,")
          + (" wait_signal = CASE WHEN " + MET + " THEN NULL ELSE $3 END,")
          + (" wait_ids = CASE WHEN " + MET + " THEN NULL ELSE $4::uuid[] END,")
          + " wait_reason = $5, worker_id = NULL, lease_expires_at = NULL, order_key = now(),"
          + " updated_at = now()"
          + " WHERE a.id = $1 RETURNING a.status";

  private static final String FINISH =
      "UPDATE agent_executions SET status = $2, output = $3, error = $4, stack_trace = $5,"
          + " failure_type = $6, completed_at = now(), updated_at = now(), wait_kind = NULL,"
          + " wait_signal = NULL, wait_ids = NULL, wait_reason = NULL, lease_expires_at = NULL"
          + " WHERE id = $1 AND status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')";

  private static final String CANCEL_PENDING_TASKS =
      "UPDATE task_executions SET status = 'CANCELLED', cancel_requested = true,"
          + " error = 'Agent finished', completed_at = now(), updated_at = now()"
          + " WHERE agent_execution_id = ANY($1::uuid[]) AND status = 'PENDING'";

  private static final String INSERT_SIGNAL =
      "INSERT INTO agent_signals (id, agent_execution_id, name, value, sender_execution_id)"
          + " VALUES ($1, $2, $3, $4, $5)";

  private static final String QUEUED_SIGNALS =
      "SELECT count(*) AS n FROM agent_signals"
          + " WHERE agent_execution_id = $1 AND consumed_at IS NULL";

  private static final String UNCONSUMED =
      "SELECT id, name, value, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms"
          + " FROM agent_signals WHERE agent_execution_id = $1 AND consumed_at IS NULL"
          + " AND ($2::text IS NULL OR name = $2) ORDER BY position LIMIT $3";

  private static final String CONSUME =
      "UPDATE agent_signals SET consumed_at = now() WHERE id = ANY($1::uuid[])";

  private static final String HAS_SIGNAL =
      "SELECT EXISTS (SELECT 1 FROM agent_signals WHERE agent_execution_id = $1"
          + " AND consumed_at IS NULL AND name = $2) AS found";

  private static final String CHILDREN =
      "SELECT u.id AS requested, c.id, c.status, c.output, c.error"
          + " FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, ord)"
          + " LEFT JOIN agent_executions c ON c.id = u.id AND c.parent_execution_id = $1"
          + " ORDER BY u.ord";

  private static final String WAKE_FOR_TASKS =
      "SELECT * FROM "
          + WAKE.call(
              "ARRAY(SELECT DISTINCT agent_execution_id FROM task_executions"
                  + " WHERE id = ANY($1::uuid[]) AND agent_execution_id IS NOT NULL)",
              "NULL::uuid");

  private static final String TIME_OUT_TASKS =
      "WITH doomed AS (SELECT id, status, worker_id, started_at, execution_count"
          + " FROM task_executions WHERE deadline_at <= $1 AND status IN ('PENDING', 'RUNNING')"
          + " ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED),"
          + " upd AS (UPDATE task_executions t SET status = 'FAILED',"
          + " error = 'Task timed out after ' || t.timeout_ms || ' ms', worker_id = NULL,"
          + " lease_expires_at = NULL, completed_at = now(), updated_at = now()"
          + " FROM doomed WHERE t.id = doomed.id RETURNING t.id, t.agent_execution_id),"
          + " att AS (INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome,"
          + " error, started_at) SELECT d.id, d.execution_count, d.worker_id, 'TIMED_OUT',"
          + " 'timed out', d.started_at FROM doomed d WHERE d.status = 'RUNNING'"
          + " ON CONFLICT DO NOTHING)"
          + " SELECT id, agent_execution_id FROM upd";

  private static final String NEXT_DEADLINE =
      "SELECT deadline_at AS due FROM task_executions"
          + " WHERE deadline_at IS NOT NULL AND status IN ('PENDING', 'RUNNING')"
          + " ORDER BY deadline_at LIMIT 1";

  // (a) idle past the lease, or (b) its registered worker unseen for the heartbeat limit and no
  // call of the agent meanwhile; after too many expiries without a checkpoint, FAILED.
  private static final String RECLAIM =
      "WITH doomed AS (SELECT a.id FROM agent_executions a WHERE a.status = 'RUNNING' AND"
          + " (a.lease_expires_at <= $1 OR (a.last_activity_at <= $1 - $2 * interval '1 millisecond'"
          + " AND EXISTS (SELECT 1 FROM workers w WHERE w.id::text = a.worker_id"
          + " AND w.tenant_id = a.tenant_id"
          + " AND w.last_seen_at <= $1 - $2 * interval '1 millisecond')))"
          + " ORDER BY a.lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)"
          + " UPDATE agent_executions a SET reclaims = a.reclaims + 1,"
          + " status = CASE WHEN a.reclaims + 1 >= $4 THEN 'FAILED' ELSE 'PENDING' END,"
          + " error = CASE WHEN a.reclaims + 1 >= $4"
          + " THEN 'agent lease expired ' || $4 || ' times' ELSE a.error END,"
          + " completed_at = CASE WHEN a.reclaims + 1 >= $4 THEN now() ELSE NULL END,"
          + " worker_id = NULL, lease_expires_at = NULL, order_key = now(), updated_at = now()"
          + " FROM doomed WHERE a.id = doomed.id"
          + " RETURNING a.id, a.status, a.tenant_id, a.queue, a.parent_execution_id";

  private static final String WAITING =
      "SELECT count(*) AS n FROM agent_executions WHERE status = 'WAITING'";

  private static final String NEXT_LEASE =
      "SELECT lease_expires_at AS due FROM agent_executions WHERE status = 'RUNNING'"
          + " ORDER BY lease_expires_at LIMIT 1";

  private static final String DELETE_FINISHED =
      "WITH doomed AS (SELECT x.id FROM agent_executions x"
          + " LEFT JOIN unnest($3::text[], $4::bigint[]) AS o(tenant, ms) ON o.tenant = x.tenant_id"
          + " WHERE x.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND x.completed_at < $6"
          + " AND x.completed_at < $1 - COALESCE(o.ms, $2) * interval '1 millisecond'"
          + " AND NOT EXISTS (SELECT 1 FROM agent_executions c WHERE c.parent_execution_id = x.id)"
          + " AND NOT EXISTS (SELECT 1 FROM task_executions r"
          + " WHERE r.agent_execution_id = x.id AND r.status = 'RUNNING')"
          + " ORDER BY x.completed_at LIMIT $5 FOR UPDATE OF x SKIP LOCKED),"
          + " doomed_tasks AS (SELECT t.id FROM task_executions t JOIN doomed d"
          + " ON t.agent_execution_id = d.id),"
          + " attempts AS (DELETE FROM task_attempts a USING doomed_tasks d"
          + " WHERE a.task_execution_id = d.id RETURNING 1),"
          + " tasks AS (DELETE FROM task_executions t USING doomed_tasks d WHERE t.id = d.id"
          + " RETURNING 1),"
          + " agents AS (DELETE FROM agent_executions a USING doomed d WHERE a.id = d.id"
          + " RETURNING 1)"
          + " SELECT (SELECT count(*) FROM agents) AS agent_executions,"
          + " (SELECT count(*) FROM tasks) AS task_executions,"
          + " (SELECT count(*) FROM attempts) AS task_attempts";

  private final Connection connection;

  AgentStore(Connection connection) {
    this.connection = connection;
  }

  /** Creates a PENDING agent under {@code id} with the request's (already valid) values. */
  public Mono<Void> insert(UUID id, StartAgent start, String queue, String persistenceMode) {
    return Sql.update(
            connection,
            INSERT,
            id,
            start.tenantId(),
            start.kind(),
            queue,
            Sql.text(start.workerPoolId()),
            start.input(),
            start.metadata(),
            persistenceMode,
            Sql.uuid(start.parentExecutionId()),
            Sql.bigint(start.maxBudgetTokens()),
            Sql.text(start.templateSlug()),
            Sql.text(start.traceparent()))
        .then();
  }

  /**
   * The agent of {@code tenant} (any when null), renewing the lease of a RUNNING one by {@code
   * leaseMs}; empty when there is none.
   */
  public Mono<AgentRow> find(String tenant, UUID id, long leaseMs) {
    return Sql.query(connection, FIND, AgentStore::toRow, id, Sql.text(tenant), leaseMs).next();
  }

  /**
   * The agent of {@code tenant} (any when null), locked for the transaction, renewing the lease of
   * a RUNNING one by {@code leaseMs}; empty if none.
   */
  public Mono<AgentRow> lock(String tenant, UUID id, long leaseMs) {
    return Sql.query(connection, LOCK, AgentStore::toRow, id, Sql.text(tenant), leaseMs).next();
  }

  /** Claims a WAITING agent for {@code workerId} (ResumeAgent); empty when it is not WAITING. */
  public Mono<AgentExecution> resume(String tenant, UUID id, String workerId, long leaseMs) {
    return Sql.query(
            connection, RESUME, AgentStore::toClaimed, id, Sql.text(tenant), workerId, leaseMs)
        .next();
  }

  /** The agent with every field; empty if none. */
  public Mono<AgentExecution> detail(String tenant, UUID id) {
    return Sql.query(connection, DETAIL, AgentStore::toExecution, id, Sql.text(tenant)).next();
  }

  /** Claims up to one PENDING agent for each of {@code workers}, in one statement. */
  public Flux<AgentClaim> claim(
      String tenant, String queue, String[] kinds, String pool, String[] workers, long leaseMs) {
    return Sql.query(
        connection,
        CLAIM.select(),
        row -> new AgentClaim(row.get("slot", Integer.class) - 1, toClaimed(row)),
        CLAIM.bind(tenant, queue, kinds, Sql.text(pool), workers, leaseMs));
  }

  /** Hands claims whose poll has gone back to PENDING. */
  public Mono<Long> release(List<AgentClaim> claims) {
    return Sql.update(
        connection,
        RELEASE,
        (Object) claims.stream().map(claim -> claim.agent().id()).toArray(UUID[]::new));
  }

  /** The id of the agent's entry with id {@code entryId}, or empty. */
  public Mono<UUID> entryById(UUID agent, UUID entryId) {
    return Sql.query(connection, ENTRY_BY_ID, row -> row.get("id", UUID.class), agent, entryId)
        .next();
  }

  /** The id of the agent's entry appended under the non-UUID key, or empty. */
  public Mono<UUID> entryByKey(UUID agent, String key) {
    return Sql.query(connection, ENTRY_BY_KEY, row -> row.get("id", UUID.class), agent, key).next();
  }

  /** Appends an entry at the agent's next position (the agent is locked). */
  public Mono<Void> insertEntry(NewAgentEntry entry, UUID id, String mappedKey) {
    TokenUsage usage = entry.tokenUsage();
    return Sql.update(
            connection,
            INSERT_ENTRY,
            entry.agentExecutionId(),
            id,
            Sql.text(mappedKey),
            Sql.text(entry.parentId()),
            entry.entryType(),
            Sql.text(entry.role()),
            entry.content(),
            Sql.text(entry.turnId()),
            usage == null ? Sql.NULL_LONG : usage.inputTokens(),
            usage == null ? Sql.NULL_LONG : usage.outputTokens(),
            usage == null ? Sql.NULL_LONG : Sql.bigint(usage.cacheReadTokens()),
            usage == null ? Sql.NULL_LONG : Sql.bigint(usage.cacheWriteTokens()))
        .then();
  }

  /** The agent's entries after position {@code after} (0: all), in append order. */
  public Flux<AgentEntry> entries(UUID agent, int after) {
    return Sql.query(connection, ENTRIES, AgentStore::toEntry, agent, after);
  }

  /** The position of the agent's entry {@code entryId}, or empty. */
  public Mono<Integer> entryPosition(UUID agent, UUID entryId) {
    return Sql.query(
            connection, ENTRY_POSITION, row -> row.get("position", Integer.class), agent, entryId)
        .next();
  }

  /** Adds a checkpoint at the agent's next sequence (the agent is locked); emits the sequence. */
  public Mono<Integer> insertCheckpoint(
      UUID id, UUID agent, String leafEntryId, byte[] state, TokenUsage usage) {
    return Sql.query(
            connection,
            INSERT_CHECKPOINT,
            row -> row.get("sequence", Integer.class),
            id,
            agent,
            Sql.text(leafEntryId),
            state,
            usage == null ? Sql.NULL_LONG : usage.inputTokens(),
            usage == null ? Sql.NULL_LONG : usage.outputTokens(),
            usage == null ? Sql.NULL_LONG : Sql.bigint(usage.cacheReadTokens()),
            usage == null ? Sql.NULL_LONG : Sql.bigint(usage.cacheWriteTokens()))
        .next();
  }

  /** The agent's highest checkpoint, or empty. */
  public Mono<AgentCheckpoint> latestCheckpoint(UUID agent) {
    return Sql.query(connection, LATEST_CHECKPOINT, AgentStore::toCheckpoint, agent).next();
  }

  /** Every checkpoint of the agent, ascending. */
  public Flux<AgentCheckpoint> checkpoints(UUID agent) {
    return Sql.query(connection, CHECKPOINTS, AgentStore::toCheckpoint, agent);
  }

  /**
   * Inserts a PENDING task of the agent unless {@code id} exists; emits whether it inserted.
   * Concurrent inserts of one id create one row.
   */
  public Mono<Boolean> insertTask(
      UUID id,
      String tenant,
      UUID agent,
      String kind,
      byte[] input,
      String queue,
      int maxRetries,
      Long timeoutMs,
      String traceparent,
      String key) {
    return Sql.query(
            connection,
            INSERT_TASK,
            row -> true,
            id,
            tenant,
            agent,
            kind,
            input,
            queue,
            maxRetries,
            Sql.bigint(timeoutMs),
            Sql.text(traceparent),
            Sql.text(key))
        .next()
        .defaultIfEmpty(false);
  }

  /** Whether task {@code id} belongs to the agent of the tenant (a foreign one says no). */
  public Mono<Boolean> taskOf(UUID id, UUID agent, String tenant) {
    return Sql.query(
            connection,
            TASK_OWNER,
            row ->
                agent.equals(row.get("agent_execution_id", UUID.class))
                    && tenant.equals(row.get("tenant_id", String.class)),
            id)
        .next()
        .defaultIfEmpty(false);
  }

  /** One result per requested id in order; null where the id is not a task of the agent. */
  public Mono<List<AgentTaskResult>> taskResults(UUID agent, List<UUID> ids) {
    return Sql.query(
            connection,
            TASK_RESULTS,
            row -> {
              UUID id = row.get("id", UUID.class);
              if (id == null) {
                return new AgentTaskResult(row.get("requested", UUID.class), null, null, null);
              }
              TaskStatus status = TaskStatus.valueOf(row.get("status", String.class));
              return new AgentTaskResult(
                  id,
                  status,
                  status == TaskStatus.COMPLETED ? Sql.bytes(row, "output") : null,
                  switch (status) {
                    case FAILED -> {
                      String error = row.get("error", String.class);
                      yield error == null ? "Task failed" : error;
                    }
                    case CANCELLED -> "Task cancelled";
                    default -> null;
                  });
            },
            agent,
            ids.toArray(UUID[]::new))
        .collectList();
  }

  /** How many tasks the agent has. */
  public Mono<Long> taskCount(UUID agent) {
    return Sql.query(connection, TASK_COUNT, row -> row.get("n", Long.class), agent).next();
  }

  /** How many of the distinct {@code ids} are tasks of the agent. */
  public Mono<Long> ownTasks(UUID agent, UUID[] ids) {
    return Sql.query(connection, OWN_TASKS, row -> row.get("n", Long.class), agent, ids).next();
  }

  /** How many of the distinct {@code ids} are children of the agent. */
  public Mono<Long> ownChildren(UUID agent, UUID[] ids) {
    return Sql.query(connection, OWN_CHILDREN, row -> row.get("n", Long.class), agent, ids).next();
  }

  /**
   * Stores the wait condition and evaluates it at once (the agent is locked): PENDING when it
   * already holds, else WAITING; emits the status.
   */
  public Mono<AgentStatus> suspend(UUID agent, AgentWait wait) {
    return Sql.query(
            connection,
            SUSPEND,
            row -> AgentStatus.valueOf(row.get("status", String.class)),
            agent,
            wait.kind().name(),
            Sql.text(wait.signalName()),
            wait.ids().toArray(UUID[]::new),
            Sql.text(wait.reason()))
        .next();
  }

  /** Ends a non-terminal agent; emits whether it changed. */
  public Mono<Boolean> finish(
      UUID agent,
      AgentStatus status,
      byte[] output,
      String error,
      String stackTrace,
      String failureType) {
    return Sql.update(
            connection,
            FINISH,
            agent,
            status.name(),
            output == null ? new Sql.Null(java.nio.ByteBuffer.class) : output,
            Sql.text(error),
            Sql.text(stackTrace),
            Sql.text(failureType))
        .map(count -> count > 0);
  }

  /** Cancels the PENDING tasks of finished agents ("Agent finished"). */
  public Mono<Long> cancelPendingTasks(List<UUID> agents) {
    return Sql.update(connection, CANCEL_PENDING_TASKS, (Object) agents.toArray(UUID[]::new));
  }

  /** Queues a signal for the agent. */
  public Mono<Void> insertSignal(UUID id, UUID agent, String name, byte[] value, UUID sender) {
    return Sql.update(connection, INSERT_SIGNAL, id, agent, name, value, Sql.uuid(sender)).then();
  }

  /** How many signals the agent has not consumed. */
  public Mono<Long> queuedSignals(UUID agent) {
    return Sql.query(connection, QUEUED_SIGNALS, row -> row.get("n", Long.class), agent).next();
  }

  /** The agent's unconsumed signals, oldest first, of {@code name} (any when null), at most n. */
  public Flux<AgentSignal> unconsumed(UUID agent, String name, int limit) {
    return Sql.query(
        connection,
        UNCONSUMED,
        row ->
            new AgentSignal(
                row.get("id", UUID.class),
                row.get("name", String.class),
                Sql.bytes(row, "value"),
                Sql.millis(row, "created_ms")),
        agent,
        Sql.text(name),
        limit);
  }

  /** Marks signals consumed. */
  public Mono<Long> consume(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Mono.just(0L);
    }
    return Sql.update(connection, CONSUME, (Object) ids.toArray(UUID[]::new));
  }

  /** Whether an unconsumed signal named {@code name} is queued. */
  public Mono<Boolean> hasSignal(UUID agent, String name) {
    return Sql.query(connection, HAS_SIGNAL, row -> row.get("found", Boolean.class), agent, name)
        .next();
  }

  /**
   * One row per requested id in order: the child's event when it is terminal, an event with a null
   * id when it is not a child of the parent, and null (skipped) when it is still running.
   */
  public Flux<ChildEvent> childEvents(UUID parent, List<UUID> ids) {
    return Sql.query(
        connection,
        CHILDREN,
        row -> {
          UUID id = row.get("id", UUID.class);
          if (id == null) {
            return new ChildEvent(null, false, null, row.get("requested", UUID.class).toString());
          }
          AgentStatus status = AgentStatus.valueOf(row.get("status", String.class));
          return switch (status) {
            case COMPLETED -> new ChildEvent(id, true, Sql.bytes(row, "output"), null);
            case FAILED -> {
              String error = row.get("error", String.class);
              yield new ChildEvent(id, false, null, error == null ? "Failed" : error);
            }
            case CANCELLED -> new ChildEvent(id, false, null, "Cancelled");
            default -> new ChildEvent(id, false, null, null);
          };
        },
        parent,
        ids.toArray(UUID[]::new));
  }

  /**
   * Re-evaluates the WAITING agents among {@code agents} under their locks ({@code sender}: the
   * child whose signal arrived, or null); emits those made PENDING.
   */
  public Flux<Ready> wake(List<UUID> agents, UUID sender) {
    if (agents.isEmpty()) {
      return Flux.empty();
    }
    return Sql.query(
        connection,
        WAKE.select(),
        AgentStore::toReady,
        WAKE.bind(agents.toArray(UUID[]::new), Sql.uuid(sender)));
  }

  /**
   * Re-evaluates the WAITING agents that own any of {@code tasks} (which just ended); emits those
   * made PENDING. Tasks of workflows own no agent: callers pass only tasks without a workflow.
   */
  public Flux<Ready> wakeForTasks(List<UUID> tasks) {
    if (tasks.isEmpty()) {
      return Flux.empty();
    }
    return Sql.query(
        connection, WAKE_FOR_TASKS, AgentStore::toReady, (Object) tasks.toArray(UUID[]::new));
  }

  /** Fails agent tasks whose deadline passed by {@code now}, at most {@code limit}. */
  public Flux<TimedOut> timeOutTasks(Instant now, int limit) {
    return Sql.query(
        connection,
        TIME_OUT_TASKS,
        row -> new TimedOut(row.get("id", UUID.class), row.get("agent_execution_id", UUID.class)),
        SweepStore.at(now),
        limit);
  }

  /** The earliest deadline of an unfinished agent task, or empty. */
  public Mono<Instant> nextTaskDeadline() {
    return Sql.query(connection, NEXT_DEADLINE, row -> ClaimStore.instant(row, "due")).next();
  }

  /** Reclaims RUNNING agents whose lease expired or whose worker went silent. */
  public Flux<Reclaimed> reclaim(Instant now, long heartbeatMs, int limit, int maxReclaims) {
    return Sql.query(
        connection,
        RECLAIM,
        row ->
            new Reclaimed(
                row.get("id", UUID.class),
                AgentStatus.valueOf(row.get("status", String.class)),
                row.get("tenant_id", String.class),
                row.get("queue", String.class),
                row.get("parent_execution_id", UUID.class)),
        SweepStore.at(now),
        heartbeatMs,
        limit,
        maxReclaims);
  }

  /** How many agents are WAITING. */
  public Mono<Long> countWaiting() {
    return Sql.query(connection, WAITING, row -> row.get("n", Long.class)).next();
  }

  /** The earliest lease end of a RUNNING agent, or empty. */
  public Mono<Instant> nextLease() {
    return Sql.query(connection, NEXT_LEASE, row -> ClaimStore.instant(row, "due")).next();
  }

  /**
   * Deletes at most {@code limit} finished agents past their period (once their children are gone),
   * with their tasks, attempts, entries, checkpoints and signals; emits rows per table.
   */
  public Mono<java.util.Map<String, Long>> deleteFinished(
      Instant now, RetentionStore.Periods periods, int limit) {
    return Sql.query(
            connection,
            DELETE_FINISHED,
            row -> {
              java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
              for (String table :
                  new String[] {"agent_executions", "task_executions", "task_attempts"}) {
                counts.put(table, row.get(table, Long.class));
              }
              return counts;
            },
            SweepStore.at(now),
            periods.defaultMs(),
            periods.tenants(),
            periods.tenantMs(),
            limit,
            SweepStore.at(now.minusMillis(periods.shortestMs())))
        .next();
  }

  private static Ready toReady(Readable row) {
    return new Ready(
        row.get("woken_id", UUID.class),
        row.get("woken_tenant", String.class),
        row.get("woken_queue", String.class));
  }

  private static AgentRow toRow(Readable row) {
    return new AgentRow(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("queue", String.class),
        AgentStatus.valueOf(row.get("status", String.class)),
        row.get("parent_execution_id", UUID.class),
        row.get("entry_count", Integer.class),
        Sql.bytes(row, "metadata"));
  }

  private static AgentExecution toClaimed(Readable row) {
    return new AgentExecution(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("kind", String.class),
        row.get("queue", String.class),
        row.get("worker_pool_id", String.class),
        Sql.bytes(row, "input"),
        Sql.bytes(row, "metadata"),
        row.get("persistence_mode", String.class),
        row.get("parent_execution_id", UUID.class),
        AgentStatus.RUNNING,
        row.get("current_checkpoint_seq", Integer.class),
        row.get("worker_id", String.class),
        null,
        null,
        null,
        row.get("traceparent", String.class),
        Sql.millis(row, "created_ms"),
        null,
        null,
        null);
  }

  private static AgentExecution toExecution(Readable row) {
    java.nio.ByteBuffer output = row.get("output", java.nio.ByteBuffer.class);
    return new AgentExecution(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("kind", String.class),
        row.get("queue", String.class),
        row.get("worker_pool_id", String.class),
        Sql.bytes(row, "input"),
        Sql.bytes(row, "metadata"),
        row.get("persistence_mode", String.class),
        row.get("parent_execution_id", UUID.class),
        AgentStatus.valueOf(row.get("status", String.class)),
        row.get("current_checkpoint_seq", Integer.class),
        row.get("worker_id", String.class),
        output == null ? null : Sql.bytes(row, "output"),
        row.get("error", String.class),
        row.get("failure_type", String.class),
        row.get("traceparent", String.class),
        Sql.millis(row, "created_ms"),
        Sql.millis(row, "started_ms"),
        Sql.millis(row, "updated_ms"),
        Sql.millis(row, "completed_ms"));
  }

  private static AgentEntry toEntry(Readable row) {
    return new AgentEntry(
        row.get("id", UUID.class),
        row.get("parent_id", String.class),
        row.get("entry_type", String.class),
        row.get("role", String.class),
        Sql.bytes(row, "content"),
        row.get("turn_id", String.class),
        usage(row),
        Sql.millis(row, "created_ms"));
  }

  private static AgentCheckpoint toCheckpoint(Readable row) {
    return new AgentCheckpoint(
        row.get("id", UUID.class),
        row.get("agent_execution_id", UUID.class),
        row.get("sequence", Integer.class),
        row.get("leaf_entry_id", String.class),
        Sql.bytes(row, "state"),
        usage(row),
        Sql.millis(row, "created_ms"));
  }

  private static TokenUsage usage(Readable row) {
    Long input = row.get("input_tokens", Long.class);
    if (input == null) {
      return null;
    }
    Long output = row.get("output_tokens", Long.class);
    return new TokenUsage(
        input,
        output == null ? 0 : output,
        row.get("cache_read_tokens", Long.class),
        row.get("cache_write_tokens", Long.class));
  }
}
