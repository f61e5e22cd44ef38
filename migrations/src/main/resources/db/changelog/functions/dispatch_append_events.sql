--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_append_events runOnChange:true splitStatements:false
--comment: the event append of a command batch as a function (see dispatch_insert_tasks). Appends to the locked workflow p_workflow the events whose identity its log does not hold yet, numbering them gaplessly after p_after_sequence in input order: the identity check and the insert are one round trip, each identity one index probe (LATERAL ... LIMIT 1; as NOT EXISTS the planner may hash every event of the workflow instead, a cost that grows with the log). Returns how many it appended and how many bytes they add to the history (p_event_overhead_bytes bytes of overhead per event).
CREATE OR REPLACE FUNCTION dispatch_append_events(
    p_workflow uuid, p_types text[], p_data text[], p_identities text[], p_after_sequence int,
    p_event_overhead_bytes int)
RETURNS TABLE (appended int, bytes bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest(p_types, p_data, p_identities) WITH ORDINALITY
            AS e(type, data, identity, ord)),
    fresh AS (
        SELECT e.*, row_number() OVER (ORDER BY e.ord) AS n
          FROM input e
          LEFT JOIN LATERAL (
              SELECT 1 AS found FROM workflow_events w
               WHERE w.workflow_execution_id = p_workflow AND w.identity = e.identity
               LIMIT 1) x ON true
         WHERE x.found IS NULL),
    ins AS (
        INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,
                                     event_data, identity)
        SELECT p_workflow, p_after_sequence + f.n, f.type, f.data, f.identity FROM fresh f
        RETURNING octet_length(event_data) + octet_length(event_type) AS size)
    SELECT count(*)::int, (coalesce(sum(ins.size), 0) + count(*) * p_event_overhead_bytes)::bigint
      FROM ins;
END
$fn$;
