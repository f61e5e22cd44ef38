--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_append_and_wake runOnChange:true splitStatements:false
--comment: the one place a workflow is woken by events from outside its own batch (signals, task outcomes, children's endings, cancels): locks the workflows of p_workflows (one per event) that have not finished, in id order (no deadlocks), appends the events through dispatch_append_events (identity check, gapless numbering and history bytes, within p_max_history_bytes, NULL for no limit; p_refusable and p_all_or_nothing as there), and wakes each workflow that got an event: WAITING becomes PENDING, RUNNING remembers to resume. Returns the workflows woken, with their status and last sequence number afterwards, and those refused (nothing appended), with the position of the event that refused them; workflows that got no new event (finished, or every identity already recorded) are not returned.
CREATE OR REPLACE FUNCTION dispatch_append_and_wake(
    p_workflows uuid[], p_types text[], p_data text[], p_identities text[],
    p_refusable boolean[], p_all_or_nothing boolean, p_max_history_bytes bigint,
    p_event_overhead_bytes int)
RETURNS TABLE (
    id               uuid,
    status           varchar,
    tenant_id        varchar,
    queue            varchar,
    current_sequence int,
    refused_at       int)
LANGUAGE plpgsql VOLATILE
-- The lock below (w.id = ANY(p_workflows)) was planned afresh on every call with the default
-- plan_cache_mode: 0.11 ms of planning per task completion, for a plan (the primary key) that
-- never changes (pg_stat_statements with track = all and track_planning in the task loop of
-- load/profile.sh: 12,196 plans for 12,190 calls).
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
DECLARE
    locked_ids uuid[];
    locked_sequences int[];
    locked_rooms bigint[];
BEGIN
    SELECT array_agg(l.id ORDER BY l.id), array_agg(l.current_sequence ORDER BY l.id),
           array_agg(p_max_history_bytes - l.history_bytes ORDER BY l.id)
      INTO locked_ids, locked_sequences, locked_rooms
      FROM (SELECT w.id, w.current_sequence, w.history_bytes
              FROM workflow_executions w
             WHERE w.id = ANY(p_workflows)
               AND w.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')
             ORDER BY w.id
               FOR UPDATE OF w) l;
    IF locked_ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH appends AS (
        SELECT * FROM dispatch_append_events(
            locked_ids, locked_sequences, locked_rooms, p_workflows, p_types, p_data,
            p_identities, p_refusable, p_all_or_nothing, p_event_overhead_bytes)),
    woken AS (
        UPDATE workflow_executions w
           SET current_sequence = w.current_sequence + a.appended,
               history_bytes = w.history_bytes + a.bytes,
               status = CASE WHEN w.status = 'WAITING' THEN 'PENDING' ELSE w.status END,
               resume_pending = w.resume_pending OR w.status = 'RUNNING',
               updated_at = now()
          FROM appends a
         WHERE w.id = a.workflow AND a.appended > 0
        RETURNING w.id, w.status, w.tenant_id, w.queue, w.current_sequence)
    SELECT k.id, k.status, k.tenant_id, k.queue, k.current_sequence, NULL::int
      FROM woken k
    UNION ALL
    SELECT w.id, w.status, w.tenant_id, w.queue, w.current_sequence, a.refused_at
      FROM appends a JOIN workflow_executions w ON w.id = a.workflow
     WHERE a.refused_at IS NOT NULL;
END
$fn$;
