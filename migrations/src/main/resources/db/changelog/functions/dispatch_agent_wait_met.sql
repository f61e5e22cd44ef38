--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_agent_wait_met runOnChange:true splitStatements:false
--comment: whether a suspended agent's wait condition holds (docs/agents.md), read in the caller's snapshot: the callers lock the agent row first, so a change committed before the lock is seen. SIGNAL: an unconsumed signal of the awaited name; TASKS_ALL: every listed task terminal; TASKS_ANY: some listed task COMPLETED, or every one terminal; CHILD_ANY: some listed child terminal; CHILDREN_ALL: every listed child terminal. A child's signal wakes CHILD_ANY only as it arrives (dispatch_wake_agents), never from the queue: an old one would wake the parent again and again.
CREATE OR REPLACE FUNCTION dispatch_agent_wait_met(
    p_agent uuid, p_wait_kind text, p_awaited text, p_ids uuid[])
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT CASE p_wait_kind
        WHEN 'SIGNAL' THEN EXISTS (
            SELECT 1 FROM agent_signals s
             WHERE s.agent_execution_id = p_agent AND s.consumed_at IS NULL
               AND s.name = p_awaited)
        WHEN 'TASKS_ALL' THEN NOT EXISTS (
            SELECT 1 FROM task_executions t
             WHERE t.id = ANY(p_ids) AND t.status IN ('PENDING', 'RUNNING'))
        WHEN 'TASKS_ANY' THEN EXISTS (
            SELECT 1 FROM task_executions t WHERE t.id = ANY(p_ids) AND t.status = 'COMPLETED')
            OR NOT EXISTS (
            SELECT 1 FROM task_executions t
             WHERE t.id = ANY(p_ids) AND t.status IN ('PENDING', 'RUNNING'))
        WHEN 'CHILD_ANY' THEN EXISTS (
            SELECT 1 FROM agent_executions c
             WHERE c.id = ANY(p_ids) AND c.status IN ('COMPLETED', 'FAILED', 'CANCELLED'))
        WHEN 'CHILDREN_ALL' THEN NOT EXISTS (
            SELECT 1 FROM agent_executions c
             WHERE c.id = ANY(p_ids) AND c.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED'))
        ELSE false
    END
$fn$;
