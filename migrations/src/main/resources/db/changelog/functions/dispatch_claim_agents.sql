--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_claim_agents runOnChange:true splitStatements:false
--comment: the agent claim of PollAgent, as the task and workflow claims: one call serves several waiting workers (p_workers, one worker id per slot) of the kinds in p_kinds (any when empty) and the pool p_pool, taking PENDING agents of the tenant and queue in the order they became PENDING; each gets its worker, a claim count and a lease of p_lease_ms that its own calls renew.
CREATE OR REPLACE FUNCTION dispatch_claim_agents(
    p_tenant text, p_queue text, p_kinds text[], p_pool text, p_workers text[],
    p_lease_ms bigint)
RETURNS TABLE (
    slot                   int,
    id                     uuid,
    kind                   varchar,
    tenant_id              varchar,
    input                  bytea,
    queue                  varchar,
    created_ms             bigint,
    current_checkpoint_seq int,
    persistence_mode       varchar,
    worker_pool_id         varchar,
    metadata               bytea,
    parent_execution_id    uuid,
    traceparent            varchar,
    worker_id              varchar)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH locked AS (
        SELECT a.id, a.order_key
          FROM agent_executions a
         WHERE a.status = 'PENDING' AND a.tenant_id = p_tenant AND a.queue = p_queue
           AND (cardinality(p_kinds) = 0 OR a.kind = ANY(p_kinds))
           AND (a.worker_pool_id IS NULL OR a.worker_pool_id = p_pool)
         ORDER BY a.order_key
         LIMIT cardinality(p_workers)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE agent_executions a
       SET status = 'RUNNING',
           worker_id = p_workers[next.n],
           claims = a.claims + 1,
           started_at = COALESCE(a.started_at, now()),
           last_activity_at = now(),
           lease_expires_at = now() + p_lease_ms * interval '1 millisecond',
           updated_at = now()
      FROM next
     WHERE a.id = next.id
    RETURNING next.n, a.id, a.kind, a.tenant_id, a.input, a.queue,
              (extract(epoch FROM a.created_at) * 1000)::bigint,
              a.current_checkpoint_seq, a.persistence_mode, a.worker_pool_id, a.metadata,
              a.parent_execution_id, a.traceparent, a.worker_id;
END
$fn$;
