--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_apply_batches runOnChange:true splitStatements:false
--comment: the command batches of one group (group commit) in one call: dispatch_apply_batch for each, in the order given (the server sorts a group by workflow id, the lock order), each batch's tasks and events a slice of the flattened arrays (p_task_from/p_task_count and p_event_from/p_event_count: first index and count); digests and outputs as base64 text. Returns dispatch_apply_batch's row for each batch whose workflow exists, with its 1-based position in the group.
CREATE OR REPLACE FUNCTION dispatch_apply_batches(
    p_workflows uuid[], p_tenants text[], p_digests text[], p_projected_bytes bigint[],
    p_max_history_bytes bigint, p_task_from int[], p_task_count int[], p_task_ids uuid[],
    p_task_types text[], p_inputs text[], p_queues text[], p_max_retries int[],
    p_timeouts_ms bigint[], p_priorities int[], p_idempotency_keys text[], p_event_from int[],
    p_event_count int[], p_event_types text[], p_event_data text[], p_identities text[],
    p_event_overhead_bytes int, p_statuses_if_resume text[], p_statuses_otherwise text[],
    p_keep_resume boolean[], p_terminal boolean[], p_outputs text[], p_errors text[],
    p_lease_ms bigint)
RETURNS TABLE (
    batch int, id uuid, tenant_id text, kind text, queue text, status text, traceparent text,
    current_sequence int, resume_pending boolean, last_batch_digest bytea,
    last_batch_sequence int, parent_workflow_execution_id uuid, child_execution_name text,
    history_bytes bigint, releases int, applied boolean, inserted uuid[], appended int,
    appended_bytes bigint, next_status text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    i int;
    t_first int;
    t_last int;
    e_first int;
    e_last int;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_workflows), 0) LOOP
        t_first := p_task_from[i];
        t_last := p_task_from[i] + p_task_count[i] - 1;
        e_first := p_event_from[i];
        e_last := p_event_from[i] + p_event_count[i] - 1;
        RETURN QUERY
        SELECT i, b.*
          FROM dispatch_apply_batch(
                   p_workflows[i], p_tenants[i], decode(p_digests[i], 'base64'),
                   p_projected_bytes[i], p_max_history_bytes,
                   p_task_ids[t_first:t_last], p_task_types[t_first:t_last],
                   p_inputs[t_first:t_last], p_queues[t_first:t_last],
                   p_max_retries[t_first:t_last], p_timeouts_ms[t_first:t_last],
                   p_priorities[t_first:t_last], p_idempotency_keys[t_first:t_last],
                   p_event_types[e_first:e_last], p_event_data[e_first:e_last],
                   p_identities[e_first:e_last], p_event_overhead_bytes,
                   p_statuses_if_resume[i], p_statuses_otherwise[i], p_keep_resume[i],
                   p_terminal[i], p_outputs[i], p_errors[i], p_lease_ms) b;
    END LOOP;
END
$fn$;
