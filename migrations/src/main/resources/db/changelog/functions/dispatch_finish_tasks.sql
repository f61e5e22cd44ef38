--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_finish_tasks runOnChange:true splitStatements:false
--comment: a group of task outcomes (CompleteTask, FailTask) finished in one call of one function, for the same reason as dispatch_claim_tasks: the statement is 4,000 characters that the driver would tokenise on every call. Each task completes, fails for good, or (failed with attempts left) returns to PENDING after its backoff (dispatch_backoff_ms); every finished attempt is kept. The outcomes of tasks finished for good (event type, data and identity from the caller) go to their workflows through dispatch_append_and_wake, in input order: gapless per workflow, each workflow woken once. The history limit (p_max_history_bytes) applies to completions in input order, as if they ran one after another (failures, server-made and small, are never refused but count): when the first completion of a workflow that would pass it is found, the call writes nothing and returns, for each such workflow, that first refused task, so that the caller runs the group again without it. Tasks are locked in id order (each found by its primary key), then workflows in id order. A task of another tenant (p_tenants, NULL for any) is not found. Times come back as epoch milliseconds.
CREATE OR REPLACE FUNCTION dispatch_finish_tasks(
    p_ids uuid[], p_tenants text[], p_outcomes text[], p_outputs text[], p_errors text[],
    p_event_types text[], p_event_data text[], p_identities text[],
    p_backoff_base_ms double precision, p_backoff_max_ms double precision,
    p_max_history_bytes bigint, p_event_overhead_bytes int)
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
        SELECT * FROM unnest(p_ids, p_tenants, p_outcomes, p_outputs, p_errors, p_event_types,
                             p_event_data, p_identities) WITH ORDINALITY
            AS i(id, tenant, outcome, output, error, type, data, identity, ord)),
    -- Each task is found by its primary key, locked in id order. Written as a join, the plan kept
    -- by the session may instead read every RUNNING task through the partial lease index, with a
    -- bitmap scan, which cannot mark dead index entries: every completion would then read all the
    -- entries the loop's claims left behind since the last vacuum.
    target AS (
        SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
               t.visible_at, t.wf, i.outcome,
               i.outcome = 'FAILED' AND t.execution_count <= t.max_retries AS retry,
               i.output, i.error, i.type, i.data, i.identity, i.ord
          FROM (SELECT * FROM input ORDER BY input.id) i
         CROSS JOIN LATERAL (
               SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
                      t.visible_at, t.workflow_execution_id AS wf, t.max_retries
                 FROM task_executions t
                WHERE t.id = i.id AND t.status = 'RUNNING'
                  -- another tenant's task is not found by the same statement
                  AND (i.tenant IS NULL OR t.tenant_id = i.tenant)
                  FOR UPDATE) t),
    -- the outcomes of tasks finished for good, at their positions in the append's arrays
    events AS (
        SELECT g.id, g.wf, g.type, g.data, g.identity, g.outcome = 'COMPLETED' AS refusable,
               (row_number() OVER (ORDER BY g.ord))::int AS pos
          FROM target g
         WHERE g.wf IS NOT NULL AND NOT g.retry),
    -- one call for the whole group (none when no outcome has a workflow to tell)
    woken AS (
        SELECT k.*
          FROM (SELECT array_agg(e.wf ORDER BY e.pos) AS workflows,
                       array_agg(e.type ORDER BY e.pos) AS types,
                       array_agg(e.data ORDER BY e.pos) AS data,
                       array_agg(e.identity ORDER BY e.pos) AS identities,
                       array_agg(e.refusable ORDER BY e.pos) AS refusable
                  FROM events e
                HAVING count(*) > 0) a
         CROSS JOIN LATERAL dispatch_append_and_wake(
               a.workflows, a.types, a.data, a.identities, a.refusable, true,
               p_max_history_bytes, p_event_overhead_bytes) k),
    refused AS (
        SELECT e.id FROM events e JOIN woken k ON k.refused_at = e.pos),
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
        ON CONFLICT DO NOTHING)
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
