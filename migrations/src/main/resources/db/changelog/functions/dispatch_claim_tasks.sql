--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_claim_tasks runOnChange:true splitStatements:false
--comment: the task claim of the dispatch loop as a function, so that the server sends a short call instead of a 1,500-character statement: r2dbc-postgresql tokenises the text of every statement it creates, with no cache, and that was a tenth to a fifth of the server's CPU in the task loop (docs/performance.md). PL/pgSQL keeps the plan between calls of a session. One statement serves several waiting workers (p_workers holds one worker id per slot): the n-th ready task goes to the n-th worker. Tasks with a timeout_ms get it as a hard lease, others the renewable default lease (p_lease_ms), clamped to p_max_lease_ms so that no stored row can make the claim fail for everyone else. The lease comes back as epoch milliseconds (no timestamp text to parse per row), and the old values as text, so that a claim whose worker has gone can be undone exactly.
CREATE OR REPLACE FUNCTION dispatch_claim_tasks(
    p_tenant text, p_queue text, p_pool text, p_workers text[], p_lease_ms bigint,
    p_max_lease_ms bigint)
RETURNS TABLE (
    slot                      int,
    id                        uuid,
    task_type                 varchar,
    input                     bytea,
    workflow_execution_id     uuid,
    execution_count           int,
    queue                     varchar,
    worker_pool_id            varchar,
    traceparent               varchar,
    lease_expires_ms          bigint,
    worker_id                 varchar,
    previous_worker_id        varchar,
    previous_started_at       text,
    previous_heartbeat_at     text,
    previous_lease_expires_at text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH locked AS (
        SELECT t.id, t.order_key, t.worker_id, t.started_at, t.last_heartbeat_at,
               t.lease_expires_at
          FROM task_executions t
         WHERE t.status = 'PENDING' AND t.tenant_id = p_tenant AND t.queue = p_queue
           AND t.visible_at <= now()
           -- an agent task past its deadline is the deadline chore's to fail, not a worker's to run
           AND (t.deadline_at IS NULL OR t.deadline_at > now())
           AND (t.worker_pool_id IS NULL OR t.worker_pool_id = p_pool)
         ORDER BY t.order_key
         LIMIT cardinality(p_workers)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE task_executions t
       SET status = 'RUNNING',
           worker_id = p_workers[next.n],
           execution_count = t.execution_count + 1,
           started_at = now(),
           last_heartbeat_at = now(),
           updated_at = now(),
           lease_expires_at = now()
               + LEAST(GREATEST(COALESCE(t.timeout_ms, p_lease_ms), 1), p_max_lease_ms)
                 * interval '1 millisecond'
      FROM next
     WHERE t.id = next.id
    RETURNING next.n, t.id, t.task_type, t.input, t.workflow_execution_id, t.execution_count,
              t.queue, t.worker_pool_id, t.traceparent,
              (extract(epoch FROM t.lease_expires_at) * 1000)::bigint,
              t.worker_id,
              COALESCE(next.worker_id, '')::varchar,
              COALESCE(next.started_at::text, ''),
              COALESCE(next.last_heartbeat_at::text, ''),
              COALESCE(next.lease_expires_at::text, '');
END
$fn$;
