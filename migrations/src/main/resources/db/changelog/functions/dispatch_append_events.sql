--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_append_events runOnChange:true splitStatements:false
--comment: the one place events enter a workflow's log. For each workflow of p_workflows (locked by the caller, its last sequence number in p_after_sequences, its history's room in p_rooms: bytes it may still grow by, NULL for no limit), appends its events of the flattened arrays (p_event_workflows names each event's workflow) whose identity its log does not hold yet, numbered gaplessly in input order, and counts the bytes they add to the history (each event's data and type, plus p_event_overhead_bytes). The identity check and the insert are one statement, each identity one index probe (LATERAL ... LIMIT 1; as NOT EXISTS the planner may hash every event of the workflow instead, a cost that grows with the log). A workflow is refused, nothing appended to it, when one of its refusable events (p_refusable, NULL for all) passes its room counting every fresh event before it; with p_all_or_nothing, one refused workflow means nothing is appended at all. Does not touch the workflows' rows: the caller adds what comes back (dispatch_append_and_wake wakes them; a batch's own update records it). Returns one row per workflow: the events and bytes appended, and the position in the event arrays of the event that refused it.
CREATE OR REPLACE FUNCTION dispatch_append_events(
    p_workflows uuid[], p_after_sequences int[], p_rooms bigint[], p_event_workflows uuid[],
    p_types text[], p_data text[], p_identities text[], p_refusable boolean[],
    p_all_or_nothing boolean, p_event_overhead_bytes int)
RETURNS TABLE (workflow uuid, appended int, bytes bigint, refused_at int)
LANGUAGE plpgsql VOLATILE
-- With the default plan_cache_mode the session chose a custom plan on every call: planning this
-- statement cost two thirds of each call, 0.3 ms instead of 0.1 (track_functions on the unary
-- one-task submit of load/profile.sh), and command batches of 1 and 10 lost a third to half of
-- their throughput. Its plan does not depend on the arrays' contents: one generic plan serves all.
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH target AS (
        SELECT * FROM unnest(p_workflows, p_after_sequences, p_rooms)
            AS t(wf, after_sequence, room)),
    input AS (
        SELECT * FROM unnest(p_event_workflows, p_types, p_data, p_identities, p_refusable)
            WITH ORDINALITY AS e(wf, type, data, identity, refusable, ord)),
    fresh AS (
        SELECT e.wf, e.type, e.data, e.identity, e.refusable, e.ord, t.after_sequence, t.room,
               row_number() OVER w AS n,
               sum(octet_length(e.data) + octet_length(e.type) + p_event_overhead_bytes)
                   OVER w AS upto
          FROM input e
          JOIN target t ON t.wf = e.wf
          LEFT JOIN LATERAL (
              SELECT 1 AS found FROM workflow_events x
               WHERE x.workflow_execution_id = e.wf AND x.identity = e.identity
               LIMIT 1) x ON true
         WHERE x.found IS NULL
        WINDOW w AS (PARTITION BY e.wf ORDER BY e.ord)),
    decided AS (
        SELECT t.wf, count(f.ord)::int AS k, COALESCE(max(f.upto), 0)::bigint AS total,
               (min(f.ord) FILTER (WHERE f.refusable IS NOT FALSE AND f.upto > f.room))::int
                   AS refused_at
          FROM target t LEFT JOIN fresh f ON f.wf = t.wf
         GROUP BY t.wf),
    go AS (
        SELECT NOT (p_all_or_nothing
                    AND EXISTS (SELECT 1 FROM decided d WHERE d.refused_at IS NOT NULL)) AS ok),
    ins AS (
        INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,
                                     event_data, identity)
        SELECT f.wf, f.after_sequence + f.n, f.type, f.data, f.identity
          FROM fresh f JOIN decided d ON d.wf = f.wf, go
         WHERE go.ok AND d.refused_at IS NULL)
    SELECT d.wf,
           CASE WHEN go.ok AND d.refused_at IS NULL THEN d.k ELSE 0 END,
           CASE WHEN go.ok AND d.refused_at IS NULL THEN d.total ELSE 0 END,
           d.refused_at
      FROM decided d, go;
END
$fn$;
