--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_wake_agents runOnChange:true splitStatements:false
--comment: re-evaluates the wait condition of the WAITING agents among p_agents after something that may satisfy it committed (a task of theirs ended, a signal or a child's outcome arrived; p_sender is the child agent whose signal this is, or NULL) and makes those satisfied PENDING, condition cleared, at the end of the poll order. The agents are locked first, in id order, and the condition is read by a later statement (a new snapshot): against a suspend that evaluated before the change committed, either the suspend commits first and this sees it WAITING, or this runs first and the suspend, reading after it, sees the change. Returns the agents made PENDING with their tenant and queue, to wake their pollers.
CREATE OR REPLACE FUNCTION dispatch_wake_agents(p_agents uuid[], p_sender uuid)
RETURNS TABLE (woken_id uuid, woken_tenant varchar, woken_queue varchar)
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    PERFORM 1 FROM agent_executions a WHERE a.id = ANY(p_agents) ORDER BY a.id FOR UPDATE;
    RETURN QUERY
    UPDATE agent_executions a
       SET status = 'PENDING', wait_kind = NULL, wait_signal = NULL, wait_ids = NULL,
           wait_reason = NULL, order_key = now(), updated_at = now()
     WHERE a.id = ANY(p_agents) AND a.status = 'WAITING'
       AND (dispatch_agent_wait_met(a.id, a.wait_kind, a.wait_signal, a.wait_ids)
            OR (a.wait_kind = 'CHILD_ANY' AND p_sender IS NOT NULL
                AND p_sender = ANY(a.wait_ids)))
    RETURNING a.id, a.tenant_id, a.queue;
END
$fn$;
