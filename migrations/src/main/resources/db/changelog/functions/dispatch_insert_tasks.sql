--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_insert_tasks runOnChange:true splitStatements:false
--comment: the task insert of a command batch as a function, for the same reason as the claims: the driver tokenised its 840 characters on every batch (with the event append and the workflow update, most of the 10% of a one-command batch's server CPU that tokenising took in load/profile.sh). Inserts the tasks in one statement, locked in id order (overlapping concurrent batches cannot deadlock), skipping ids that already exist or that a concurrent transaction committed first; returns the ids it inserted.
CREATE OR REPLACE FUNCTION dispatch_insert_tasks(
    p_ids uuid[], p_tenants text[], p_workflows uuid[], p_task_types text[], p_inputs text[],
    p_queues text[], p_max_retries int[], p_timeouts_ms bigint[], p_priorities int[],
    p_traceparents text[], p_idempotency_keys text[], p_metadata text[], p_pools text[])
RETURNS TABLE (id uuid)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH ins AS (
        INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input, queue,
                                     max_retries, timeout_ms, priority_seconds, status,
                                     traceparent, idempotency_key, metadata, worker_pool_id,
                                     order_key, visible_at)
        SELECT t.id, t.tenant_id, t.workflow_id, t.task_type, decode(t.input, 'base64'), t.queue,
               t.max_retries, t.timeout_ms, t.priority, 'PENDING', t.traceparent, t.idem,
               COALESCE(t.metadata::jsonb, '{}'::jsonb), t.pool,
               now() - make_interval(secs => t.priority), now()
          FROM unnest(p_ids, p_tenants, p_workflows, p_task_types, p_inputs, p_queues,
                      p_max_retries, p_timeouts_ms, p_priorities, p_traceparents,
                      p_idempotency_keys, p_metadata, p_pools)
               AS t(id, tenant_id, workflow_id, task_type, input, queue, max_retries, timeout_ms,
                    priority, traceparent, idem, metadata, pool)
         ORDER BY t.id
        ON CONFLICT (id) DO NOTHING
        RETURNING task_executions.id)
    SELECT ins.id FROM ins;
END
$fn$;
