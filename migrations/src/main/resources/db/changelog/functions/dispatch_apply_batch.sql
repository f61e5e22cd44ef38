--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

-- A command batch in one call. Before it, a batch was four statements inside its group's
-- transaction (lock the workflow, insert the tasks, append the events, update the workflow), and
-- load/profile.sh put most of a one-command batch's server CPU in the per-statement plumbing of
-- those exchanges. This function does the four for the common batch: only tasks, operations and the
-- workflow's own ending (no timers, promises, state, children). The server decides what a batch
-- means; the function only locks, checks that the common case applies, and writes. When it does
-- not apply (the workflow is not RUNNING, the batch is a replay of the last one, the history would
-- pass its limit, or a finished child must report to its parent), it writes nothing and returns the
-- locked row, and the server goes on as before with the lock already held.

--changeset dispatch:function-dispatch_apply_batch runOnChange:true splitStatements:false
--comment: lock workflow p_workflow (of tenant p_tenant, any when null); when it is RUNNING, the batch is not a replay (digest p_digest at the current sequence) and its events (p_projected_bytes) keep the history within p_max_history_bytes, and it does not end a child that reports to its parent (p_terminal), insert its tasks (tenant, workflow, traceparent and the default queue from the row), append its events (dispatch_append_events) and finish it (p_status_if_resume when a resume is pending, else p_status_otherwise; the pending resume kept only when p_keep_resume); returns the row as locked, whether the batch was applied, the task ids inserted, the events appended, their bytes and the status left. Called by dispatch_apply_batches.
CREATE OR REPLACE FUNCTION dispatch_apply_batch(
    p_workflow uuid, p_tenant text, p_digest bytea, p_projected_bytes bigint,
    p_max_history_bytes bigint, p_task_ids uuid[], p_task_types text[], p_inputs text[],
    p_queues text[], p_max_retries int[], p_timeouts_ms bigint[], p_priorities int[],
    p_idempotency_keys text[], p_event_types text[], p_event_data text[], p_identities text[],
    p_event_overhead_bytes int, p_status_if_resume text, p_status_otherwise text,
    p_keep_resume boolean, p_terminal boolean, p_output text, p_error text, p_lease_ms bigint)
RETURNS TABLE (
    id uuid, tenant_id text, kind text, queue text, status text, traceparent text,
    current_sequence int, resume_pending boolean, last_batch_digest bytea,
    last_batch_sequence int, parent_workflow_execution_id uuid, child_execution_name text,
    history_bytes bigint, releases int, applied boolean, inserted uuid[], appended int,
    appended_bytes bigint, next_status text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    w record;
    tasks int := coalesce(cardinality(p_task_ids), 0);
    events int := coalesce(cardinality(p_event_types), 0);
    ins uuid[] := '{}';
    added int := 0;
    added_bytes bigint := 0;
    next text;
BEGIN
    SELECT x.id, x.tenant_id, x.kind, x.queue, x.status, x.traceparent, x.current_sequence,
           x.resume_pending, x.last_batch_digest, x.last_batch_sequence,
           x.parent_workflow_execution_id, x.child_execution_name, x.history_bytes, x.releases
      INTO w
      FROM workflow_executions x
     WHERE x.id = p_workflow AND (p_tenant IS NULL OR x.tenant_id = p_tenant)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF w.status <> 'RUNNING'
       OR (w.last_batch_digest = p_digest AND w.last_batch_sequence = w.current_sequence)
       OR w.history_bytes + p_projected_bytes > p_max_history_bytes
       OR (p_terminal AND w.parent_workflow_execution_id IS NOT NULL
                      AND w.child_execution_name IS NOT NULL) THEN
        RETURN QUERY SELECT w.id, w.tenant_id::text, w.kind::text, w.queue::text, w.status::text,
                            w.traceparent::text, w.current_sequence, w.resume_pending,
                            w.last_batch_digest, w.last_batch_sequence,
                            w.parent_workflow_execution_id, w.child_execution_name::text,
                            w.history_bytes, w.releases, false, NULL::uuid[], 0, 0::bigint,
                            NULL::text;
        RETURN;
    END IF;
    IF tasks > 0 THEN
        SELECT coalesce(array_agg(t.id), '{}') INTO ins
          FROM dispatch_insert_tasks(
                   p_task_ids, array_fill(w.tenant_id::text, ARRAY[tasks]),
                   array_fill(p_workflow, ARRAY[tasks]), p_task_types, p_inputs,
                   ARRAY(SELECT coalesce(u.name, w.queue)
                           FROM unnest(p_queues) WITH ORDINALITY AS u(name, ord)
                          ORDER BY u.ord),
                   p_max_retries, p_timeouts_ms, p_priorities,
                   array_fill(w.traceparent::text, ARRAY[tasks]), p_idempotency_keys,
                   array_fill(NULL::text, ARRAY[tasks]), array_fill(NULL::text, ARRAY[tasks])) t;
    END IF;
    IF events > 0 THEN
        -- the history limit was checked above, on the projected bytes: no room given here
        SELECT a.appended, a.bytes INTO added, added_bytes
          FROM dispatch_append_events(
                   ARRAY[p_workflow], ARRAY[w.current_sequence], NULL,
                   array_fill(p_workflow, ARRAY[events]), p_event_types, p_event_data,
                   p_identities, NULL, false, p_event_overhead_bytes) a;
    END IF;
    next := CASE WHEN w.resume_pending THEN p_status_if_resume ELSE p_status_otherwise END;
    PERFORM dispatch_finish_batch(p_workflow, next, w.current_sequence + added,
                                  w.resume_pending AND p_keep_resume, p_output, p_error,
                                  p_digest, p_terminal, p_lease_ms, added_bytes);
    RETURN QUERY SELECT w.id, w.tenant_id::text, w.kind::text, w.queue::text, w.status::text,
                        w.traceparent::text, w.current_sequence, w.resume_pending,
                        w.last_batch_digest, w.last_batch_sequence,
                        w.parent_workflow_execution_id, w.child_execution_name::text,
                        w.history_bytes, w.releases, true, ins, added, added_bytes, next;
END
$fn$;
