--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_claim_workflows runOnChange:true splitStatements:false
--comment: the workflow claim of the dispatch loop as a function, for the same reason as dispatch_claim_tasks (a 2,000-character statement tokenised by the driver on every call). One call serves several waiting workers (p_workers, one worker id per slot) of the kinds in p_kinds (any when empty) and the pool p_pool; a released claim waits out its backoff (visible_at). A new activation may send the very batch the last one did (an FFI SDK's empty suspend): it is new work, not a network retry of the old one, so the batch digest is cleared. Times come back as epoch milliseconds, the claim time also as text (the exact value a release compares), and the old values as text so that a claim whose worker has gone can be undone exactly.
CREATE OR REPLACE FUNCTION dispatch_claim_workflows(
    p_tenant text, p_queue text, p_kinds text[], p_pool text, p_workers text[],
    p_lease_ms bigint)
RETURNS TABLE (
    slot                      int,
    id                        uuid,
    kind                      varchar,
    tenant_id                 varchar,
    input                     bytea,
    queue                     varchar,
    priority_seconds          int,
    created_ms                bigint,
    current_sequence          int,
    workflow_definition_id    varchar,
    worker_pool_id            varchar,
    workflow_version          varchar,
    traceparent               varchar,
    lease_expires_ms          bigint,
    claimed_ms                bigint,
    worker_id                 varchar,
    claimed_at_text           text,
    previous_worker_id        varchar,
    previous_visible_at       text,
    previous_claimed_at       text,
    previous_resume_pending   boolean,
    previous_batch_digest     text,
    previous_lease_expires_at text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH locked AS (
        SELECT w.id, w.order_key, w.worker_id, w.visible_at, w.claimed_at, w.resume_pending,
               w.last_batch_digest, w.lease_expires_at
          FROM workflow_executions w
         WHERE w.status = 'PENDING' AND w.tenant_id = p_tenant AND w.queue = p_queue
           AND (cardinality(p_kinds) = 0 OR w.kind = ANY(p_kinds))
           AND (w.worker_pool_id IS NULL OR w.worker_pool_id = p_pool)
           AND (w.visible_at IS NULL OR w.visible_at <= now())
         ORDER BY w.order_key
         LIMIT cardinality(p_workers)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE workflow_executions w
       SET status = 'RUNNING',
           worker_id = p_workers[next.n],
           visible_at = NULL,
           claimed_at = now(),
           updated_at = now(),
           resume_pending = false,
           last_batch_digest = NULL,
           lease_expires_at = now() + p_lease_ms * interval '1 millisecond'
      FROM next
     WHERE w.id = next.id
    RETURNING next.n, w.id, w.kind, w.tenant_id, w.input, w.queue, w.priority_seconds,
              (extract(epoch FROM w.created_at) * 1000)::bigint,
              w.current_sequence, w.workflow_definition_id, w.worker_pool_id,
              w.workflow_version, w.traceparent,
              (extract(epoch FROM w.lease_expires_at) * 1000)::bigint,
              (extract(epoch FROM w.claimed_at) * 1000)::bigint,
              w.worker_id,
              w.claimed_at::text,
              COALESCE(next.worker_id, '')::varchar,
              COALESCE(next.visible_at::text, ''),
              COALESCE(next.claimed_at::text, ''),
              next.resume_pending,
              COALESCE(encode(next.last_batch_digest, 'base64'), ''),
              COALESCE(next.lease_expires_at::text, '');
END
$fn$;
