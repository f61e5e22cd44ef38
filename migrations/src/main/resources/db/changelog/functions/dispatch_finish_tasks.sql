--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_finish_tasks runOnChange:true splitStatements:false
--comment: a group of task outcomes (CompleteTask, FailTask) finished in one call of one function, for the same reason as dispatch_claim_tasks: the statement is 4,000 characters that the driver would tokenise on every call. Each task completes, fails for good, or (failed with attempts left) returns to PENDING after its backoff (dispatch_backoff_ms); every finished attempt is kept. The outcomes of tasks finished for good are appended to their workflows at the next sequence numbers, in input order, gapless per workflow, and each workflow is woken once. The history limit (p_max_history_bytes; p_event_overhead_bytes bytes of overhead per event) applies to completions in input order, as if they ran one after another (failures, server-made and small, are never refused but count): when the first completion of a workflow that would pass it is found, the call writes nothing and returns, for each such workflow, that first refused task, so that the caller runs the group again without it. Tasks are locked in id order (each found by its primary key), then workflows in id order. A task of another tenant (p_tenants, NULL for any) is not found. Times come back as epoch milliseconds.
CREATE OR REPLACE FUNCTION dispatch_finish_tasks(
    p_ids uuid[], p_outcomes text[], p_outputs text[], p_errors text[], p_types text[],
    p_data text[], p_backoff_base_ms double precision, p_backoff_max_ms double precision,
    p_max_history_bytes bigint, p_tenants text[], p_event_overhead_bytes int)
RETURNS TABLE (
    id                    uuid,
    status                varchar,
    workflow_execution_id uuid,
    tenant_id             varchar,
    queue                 varchar,
    visible_at_ms         bigint,
    refused               boolean,
    wf_status             varchar,
    wf_tenant             varchar,
    wf_queue              varchar,
    wf_sequence           int)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest(p_ids, p_outcomes, p_outputs, p_errors, p_types, p_data, p_tenants)
            WITH ORDINALITY AS i(id, outcome, output, error, type, data, tenant, ord)),
    -- Each task is found by its primary key, locked in id order. Written as a join, the plan kept
    -- by the session may instead read every RUNNING task through the partial lease index, with a
    -- bitmap scan, which cannot mark dead index entries: every completion would then read all the
    -- entries the loop's claims left behind since the last vacuum.
    target AS (
        SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
               t.visible_at, t.wf, i.outcome,
               i.outcome = 'FAILED' AND t.execution_count <= t.max_retries AS retry,
               i.output, i.error, i.type, i.data, i.ord
          FROM (SELECT * FROM input ORDER BY input.id) i
         CROSS JOIN LATERAL (
               SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
                      t.visible_at, t.workflow_execution_id AS wf, t.max_retries
                 FROM task_executions t
                WHERE t.id = i.id AND t.status = 'RUNNING'
                  -- another tenant's task is not found by the same statement
                  AND (i.tenant IS NULL OR t.tenant_id = i.tenant)
                  FOR UPDATE) t),
    -- LATERAL ... LIMIT 1: one index probe per event for the identity check
    fresh AS (
        SELECT g.id, g.wf, g.outcome, g.type, g.data, g.ord,
               row_number() OVER w AS n,
               sum(octet_length(g.data) + octet_length(g.type) + p_event_overhead_bytes)
                   OVER w AS upto
          FROM target g
          LEFT JOIN LATERAL (
              SELECT 1 AS found FROM workflow_events e
               WHERE e.workflow_execution_id = g.wf AND e.identity = 'TASK_FINISHED:' || g.id
               LIMIT 1) x ON true
         WHERE g.wf IS NOT NULL AND NOT g.retry AND x.found IS NULL
        WINDOW w AS (PARTITION BY g.wf ORDER BY g.ord)),
    locked AS (
        SELECT w.id, w.history_bytes FROM workflow_executions w
         WHERE w.id IN (SELECT f.wf FROM fresh f)
           AND w.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')
         ORDER BY w.id
           FOR UPDATE OF w),
    refused AS (
        SELECT DISTINCT ON (f.wf) f.id FROM fresh f JOIN locked l ON l.id = f.wf
         WHERE f.outcome = 'COMPLETED' AND l.history_bytes + f.upto > p_max_history_bytes
         ORDER BY f.wf, f.ord),
    go AS (SELECT NOT EXISTS (SELECT 1 FROM refused) AS ok),
    upd AS (
        UPDATE task_executions t
           SET status = CASE WHEN g.outcome = 'COMPLETED' THEN 'COMPLETED'
                             WHEN g.retry THEN 'PENDING' ELSE 'FAILED' END,
               output = CASE WHEN g.outcome = 'COMPLETED' THEN decode(g.output, 'base64')
                             ELSE t.output END,
               visible_at = CASE WHEN g.retry
                                 THEN now() + dispatch_backoff_ms(p_backoff_base_ms,
                                                                  p_backoff_max_ms,
                                                                  t.execution_count - 1)
                                              * interval '1 millisecond'
                                 ELSE t.visible_at END,
               completed_at = CASE WHEN g.retry THEN NULL ELSE now() END,
               error = CASE WHEN g.outcome = 'FAILED' THEN g.error ELSE t.error END,
               worker_id = CASE WHEN g.outcome = 'FAILED' THEN NULL ELSE t.worker_id END,
               lease_expires_at = NULL,
               updated_at = now()
          FROM target g, go
         WHERE t.id = g.id AND go.ok
        RETURNING t.id, t.status, t.workflow_execution_id, t.tenant_id, t.queue, t.visible_at),
    att AS (
        INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome, error, started_at)
        SELECT g.id, g.execution_count, g.worker_id, g.outcome, g.error, g.started_at
          FROM target g, go
         WHERE go.ok
        ON CONFLICT DO NOTHING),
    counts AS (
        SELECT f.wf, count(*)::int AS k, max(f.upto)::bigint AS bytes
          FROM fresh f JOIN locked l ON l.id = f.wf
         GROUP BY f.wf),
    woken AS (
        UPDATE workflow_executions w
           SET current_sequence = w.current_sequence + c.k,
               history_bytes = w.history_bytes + c.bytes,
               status = CASE WHEN w.status = 'WAITING' THEN 'PENDING' ELSE w.status END,
               resume_pending = w.resume_pending OR w.status = 'RUNNING',
               updated_at = now()
          FROM counts c, go
         WHERE w.id = c.wf AND go.ok
        RETURNING w.id, w.current_sequence, c.k, w.status, w.tenant_id, w.queue),
    ins AS (
        INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,
                                     event_data, identity)
        SELECT f.wf, k.current_sequence - k.k + f.n, f.type, f.data, 'TASK_FINISHED:' || f.id
          FROM fresh f JOIN woken k ON k.id = f.wf)
    SELECT u.id, u.status, u.workflow_execution_id, u.tenant_id, u.queue,
           (extract(epoch FROM u.visible_at) * 1000)::bigint,
           false, k.status, k.tenant_id, k.queue, k.current_sequence
      FROM upd u LEFT JOIN woken k ON k.id = u.workflow_execution_id
    UNION ALL
    SELECT g.id, 'RUNNING'::varchar, g.wf, g.tenant_id, g.queue,
           (extract(epoch FROM g.visible_at) * 1000)::bigint,
           true, NULL, NULL, NULL, NULL
      FROM target g JOIN refused r ON r.id = g.id;
END
$fn$;
