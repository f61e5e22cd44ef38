--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_finish_batch runOnChange:true splitStatements:false
--comment: the workflow update that ends a command batch as a function (see dispatch_insert_tasks): the status, sequence, resume flag, outcome and batch digest the batch leaves. The lease is renewed only when half used up (p_lease_ms): an unchanged indexed column keeps the update HOT.
CREATE OR REPLACE FUNCTION dispatch_finish_batch(
    p_workflow uuid, p_status text, p_sequence int, p_resume boolean, p_output text,
    p_error text, p_digest bytea, p_terminal boolean, p_lease_ms bigint,
    p_added_history_bytes bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    UPDATE workflow_executions w
       SET status = p_status,
           current_sequence = p_sequence,
           resume_pending = p_resume,
           output = COALESCE(decode(p_output, 'base64'), w.output),
           error = COALESCE(p_error, w.error),
           last_batch_digest = p_digest,
           last_batch_sequence = p_sequence,
           updated_at = now(),
           history_bytes = w.history_bytes + p_added_history_bytes,
           releases = 0,
           completed_at = CASE WHEN p_terminal THEN now() ELSE w.completed_at END,
           lease_expires_at = CASE WHEN p_status <> 'RUNNING' THEN NULL
                                   WHEN w.lease_expires_at IS NULL
                                     OR w.lease_expires_at
                                        < now() + p_lease_ms * interval '500 microseconds'
                                   THEN now() + p_lease_ms * interval '1 millisecond'
                                   ELSE w.lease_expires_at END
     WHERE w.id = p_workflow;
END
$fn$;
