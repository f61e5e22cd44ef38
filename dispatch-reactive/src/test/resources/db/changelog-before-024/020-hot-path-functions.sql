--liquibase formatted sql logicalFilePath:db/changelog/changes/020-hot-path-functions.sql

-- The hot paths' statements as PL/pgSQL functions: the server sends a short call (no text of
-- thousands of characters for r2dbc-postgresql to tokenise on every statement) and each session
-- keeps the plan. The Java store classes name what each call does; the statement is here. Like any
-- landed changeset this file is never edited: a changed function is a new changeset with
-- CREATE OR REPLACE FUNCTION (a new signature, a new function and a drop of the old one after the
-- servers that call it are gone).

--changeset dispatch:020-claim-tasks-function splitStatements:false
--comment: the task claim of the dispatch loop as a function, so that the server sends a short call instead of a 1,500-character statement: r2dbc-postgresql tokenises the text of every statement it creates, with no cache, and that was a tenth to a fifth of the server's CPU in the task loop (docs/performance.md). PL/pgSQL keeps the plan between calls of a session. One statement serves several waiting workers ($4 holds one worker id per slot): the n-th ready task goes to the n-th worker. Tasks with a timeout_ms get it as a hard lease, others the renewable default lease ($5), clamped to $6 ms so that no stored row can make the claim fail for everyone else. The lease comes back as epoch milliseconds (no timestamp text to parse per row), and the old values as text, so that a claim whose worker has gone can be undone exactly.
CREATE FUNCTION dispatch_claim_tasks(
    tenant text, queue_name text, pool text, workers text[], lease_ms bigint, max_lease_ms bigint)
RETURNS TABLE (
    slot                      int,
    id                        uuid,
    task_type                 varchar,
    input                     bytea,
    workflow_execution_id     uuid,
    execution_count           int,
    queue                     varchar,
    worker_pool_id            varchar,
    traceparent               varchar,
    lease_expires_ms          bigint,
    worker_id                 varchar,
    previous_worker_id        varchar,
    previous_started_at       text,
    previous_heartbeat_at     text,
    previous_lease_expires_at text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH locked AS (
        SELECT t.id, t.order_key, t.worker_id, t.started_at, t.last_heartbeat_at,
               t.lease_expires_at
          FROM task_executions t
         WHERE t.status = 'PENDING' AND t.tenant_id = $1 AND t.queue = $2
           AND t.visible_at <= now()
           AND (t.worker_pool_id IS NULL OR t.worker_pool_id = $3)
         ORDER BY t.order_key
         LIMIT cardinality($4)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE task_executions t
       SET status = 'RUNNING',
           worker_id = $4[next.n],
           execution_count = t.execution_count + 1,
           started_at = now(),
           last_heartbeat_at = now(),
           updated_at = now(),
           lease_expires_at = now()
               + LEAST(GREATEST(COALESCE(t.timeout_ms, $5), 1), $6) * interval '1 millisecond'
      FROM next
     WHERE t.id = next.id
    RETURNING next.n, t.id, t.task_type, t.input, t.workflow_execution_id, t.execution_count,
              t.queue, t.worker_pool_id, t.traceparent,
              (extract(epoch FROM t.lease_expires_at) * 1000)::bigint,
              t.worker_id,
              COALESCE(next.worker_id, '')::varchar,
              COALESCE(next.started_at::text, ''),
              COALESCE(next.last_heartbeat_at::text, ''),
              COALESCE(next.lease_expires_at::text, '');
END
$fn$;
--rollback DROP FUNCTION dispatch_claim_tasks(text, text, text, text[], bigint, bigint);

--changeset dispatch:020-finish-tasks-function splitStatements:false
--comment: a group of task outcomes (CompleteTask, FailTask) finished in one call of one function, for the same reason as dispatch_claim_tasks: the statement is 4,000 characters that the driver would tokenise on every call. Each task completes, fails for good, or (failed with attempts left) returns to PENDING after its backoff; every finished attempt is kept. The outcomes of tasks finished for good are appended to their workflows at the next sequence numbers, in input order, gapless per workflow, and each workflow is woken once. The history limit ($9 bytes; $11 bytes of overhead per event) applies to completions in input order, as if they ran one after another (failures, server-made and small, are never refused but count): when the first completion of a workflow that would pass it is found, the call writes nothing and returns, for each such workflow, that first refused task, so that the caller runs the group again without it. Tasks are locked in id order (each found by its primary key), then workflows in id order. A task of another tenant ($10, NULL for any) is not found. Times come back as epoch milliseconds.
CREATE FUNCTION dispatch_finish_tasks(
    ids uuid[], outcomes text[], outputs text[], errors text[], types text[], data text[],
    backoff_base_ms float8, backoff_max_ms float8, max_history_bytes bigint, tenants text[],
    event_overhead_bytes int)
RETURNS TABLE (
    id                    uuid,
    status                varchar,
    workflow_execution_id uuid,
    tenant_id             varchar,
    queue                 varchar,
    visible_at_ms         bigint,
    refused               boolean,
    wf_status             varchar,
    wf_tenant             varchar,
    wf_queue              varchar,
    wf_sequence           int)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $10) WITH ORDINALITY
            AS i(id, outcome, output, error, type, data, tenant, ord)),
    -- Each task is found by its primary key, locked in id order. Written as a join, the plan kept
    -- by the session may instead read every RUNNING task through the partial lease index, with a
    -- bitmap scan, which cannot mark dead index entries: every completion would then read all the
    -- entries the loop's claims left behind since the last vacuum.
    target AS (
        SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
               t.visible_at, t.wf, i.outcome,
               i.outcome = 'FAILED' AND t.execution_count <= t.max_retries AS retry,
               i.output, i.error, i.type, i.data, i.ord
          FROM (SELECT * FROM input ORDER BY input.id) i
         CROSS JOIN LATERAL (
               SELECT t.id, t.worker_id, t.started_at, t.execution_count, t.tenant_id, t.queue,
                      t.visible_at, t.workflow_execution_id AS wf, t.max_retries
                 FROM task_executions t
                WHERE t.id = i.id AND t.status = 'RUNNING'
                  -- another tenant's task is not found by the same statement
                  AND (i.tenant IS NULL OR t.tenant_id = i.tenant)
                  FOR UPDATE) t),
    -- LATERAL ... LIMIT 1: one index probe per event for the identity check
    fresh AS (
        SELECT g.id, g.wf, g.outcome, g.type, g.data, g.ord,
               row_number() OVER w AS n,
               sum(octet_length(g.data) + octet_length(g.type) + $11) OVER w AS upto
          FROM target g
          LEFT JOIN LATERAL (
              SELECT 1 AS found FROM workflow_events e
               WHERE e.workflow_execution_id = g.wf AND e.identity = 'TASK_FINISHED:' || g.id
               LIMIT 1) x ON true
         WHERE g.wf IS NOT NULL AND NOT g.retry AND x.found IS NULL
        WINDOW w AS (PARTITION BY g.wf ORDER BY g.ord)),
    locked AS (
        SELECT w.id, w.history_bytes FROM workflow_executions w
         WHERE w.id IN (SELECT f.wf FROM fresh f)
           AND w.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')
         ORDER BY w.id
           FOR UPDATE OF w),
    refused AS (
        SELECT DISTINCT ON (f.wf) f.id FROM fresh f JOIN locked l ON l.id = f.wf
         WHERE f.outcome = 'COMPLETED' AND l.history_bytes + f.upto > $9
         ORDER BY f.wf, f.ord),
    go AS (SELECT NOT EXISTS (SELECT 1 FROM refused) AS ok),
    upd AS (
        UPDATE task_executions t
           SET status = CASE WHEN g.outcome = 'COMPLETED' THEN 'COMPLETED'
                             WHEN g.retry THEN 'PENDING' ELSE 'FAILED' END,
               output = CASE WHEN g.outcome = 'COMPLETED' THEN decode(g.output, 'base64')
                             ELSE t.output END,
               visible_at = CASE WHEN g.retry
                                 THEN now() + LEAST($7 * power(2, LEAST(t.execution_count - 1, 62)), $8)
                                      * interval '1 millisecond'
                                 ELSE t.visible_at END,
               completed_at = CASE WHEN g.retry THEN NULL ELSE now() END,
               error = CASE WHEN g.outcome = 'FAILED' THEN g.error ELSE t.error END,
               worker_id = CASE WHEN g.outcome = 'FAILED' THEN NULL ELSE t.worker_id END,
               lease_expires_at = NULL,
               updated_at = now()
          FROM target g, go
         WHERE t.id = g.id AND go.ok
        RETURNING t.id, t.status, t.workflow_execution_id, t.tenant_id, t.queue, t.visible_at),
    att AS (
        INSERT INTO task_attempts (task_execution_id, attempt, worker_id, outcome, error, started_at)
        SELECT g.id, g.execution_count, g.worker_id, g.outcome, g.error, g.started_at
          FROM target g, go
         WHERE go.ok
        ON CONFLICT DO NOTHING),
    counts AS (
        SELECT f.wf, count(*)::int AS k, max(f.upto)::bigint AS bytes
          FROM fresh f JOIN locked l ON l.id = f.wf
         GROUP BY f.wf),
    woken AS (
        UPDATE workflow_executions w
           SET current_sequence = w.current_sequence + c.k,
               history_bytes = w.history_bytes + c.bytes,
               status = CASE WHEN w.status = 'WAITING' THEN 'PENDING' ELSE w.status END,
               resume_pending = w.resume_pending OR w.status = 'RUNNING',
               updated_at = now()
          FROM counts c, go
         WHERE w.id = c.wf AND go.ok
        RETURNING w.id, w.current_sequence, c.k, w.status, w.tenant_id, w.queue),
    ins AS (
        INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,
                                     event_data, identity)
        SELECT f.wf, k.current_sequence - k.k + f.n, f.type, f.data, 'TASK_FINISHED:' || f.id
          FROM fresh f JOIN woken k ON k.id = f.wf)
    SELECT u.id, u.status, u.workflow_execution_id, u.tenant_id, u.queue,
           (extract(epoch FROM u.visible_at) * 1000)::bigint,
           false, k.status, k.tenant_id, k.queue, k.current_sequence
      FROM upd u LEFT JOIN woken k ON k.id = u.workflow_execution_id
    UNION ALL
    SELECT g.id, 'RUNNING'::varchar, g.wf, g.tenant_id, g.queue,
           (extract(epoch FROM g.visible_at) * 1000)::bigint,
           true, NULL, NULL, NULL, NULL
      FROM target g JOIN refused r ON r.id = g.id;
END
$fn$;
--rollback DROP FUNCTION dispatch_finish_tasks(uuid[], text[], text[], text[], text[], text[], float8, float8, bigint, text[], int);

--changeset dispatch:020-claim-workflows-function splitStatements:false
--comment: the workflow claim of the dispatch loop as a function, for the same reason as dispatch_claim_tasks (a 2,000-character statement tokenised by the driver on every call). One call serves several waiting workers ($5, one worker id per slot) of the kinds in $3 (any when empty) and the pool $4; a released claim waits out its backoff (visible_at). A new activation may send the very batch the last one did (an FFI SDK's empty suspend): it is new work, not a network retry of the old one, so the batch digest is cleared. Times come back as epoch milliseconds, the claim time also as text (the exact value a release compares), and the old values as text so that a claim whose worker has gone can be undone exactly.
CREATE FUNCTION dispatch_claim_workflows(
    tenant text, queue_name text, kinds text[], pool text, workers text[], lease_ms bigint)
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
         WHERE w.status = 'PENDING' AND w.tenant_id = $1 AND w.queue = $2
           AND (cardinality($3) = 0 OR w.kind = ANY($3))
           AND (w.worker_pool_id IS NULL OR w.worker_pool_id = $4)
           AND (w.visible_at IS NULL OR w.visible_at <= now())
         ORDER BY w.order_key
         LIMIT cardinality($5)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE workflow_executions w
       SET status = 'RUNNING',
           worker_id = $5[next.n],
           visible_at = NULL,
           claimed_at = now(),
           updated_at = now(),
           resume_pending = false,
           last_batch_digest = NULL,
           lease_expires_at = now() + $6 * interval '1 millisecond'
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
--rollback DROP FUNCTION dispatch_claim_workflows(text, text, text[], text, text[], bigint);

--changeset dispatch:020-insert-tasks-function splitStatements:false
--comment: the task insert of a command batch as a function, for the same reason as the claims: the driver tokenised its 840 characters on every batch (with the event append and the workflow update, most of the 10% of a one-command batch's server CPU that tokenising took in load/profile.sh). Inserts the tasks in one statement, locked in id order (overlapping concurrent batches cannot deadlock), skipping ids that already exist or that a concurrent transaction committed first; returns the ids it inserted.
CREATE FUNCTION dispatch_insert_tasks(
    ids uuid[], tenants text[], workflows uuid[], task_types text[], inputs text[],
    queues text[], max_retries int[], timeouts_ms bigint[], priorities int[], traceparents text[],
    idempotency_keys text[], metadata text[], pools text[])
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
          FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
               AS t(id, tenant_id, workflow_id, task_type, input, queue, max_retries, timeout_ms,
                    priority, traceparent, idem, metadata, pool)
         ORDER BY t.id
        ON CONFLICT (id) DO NOTHING
        RETURNING task_executions.id)
    SELECT ins.id FROM ins;
END
$fn$;
--rollback DROP FUNCTION dispatch_insert_tasks(uuid[], text[], uuid[], text[], text[], text[], int[], bigint[], int[], text[], text[], text[], text[]);

--changeset dispatch:020-append-events-function splitStatements:false
--comment: the event append of a command batch as a function (see dispatch_insert_tasks). Appends to the locked workflow $1 the events whose identity its log does not hold yet, numbering them gaplessly after $5 in input order: the identity check and the insert are one round trip, each identity one index probe (LATERAL ... LIMIT 1; as NOT EXISTS the planner may hash every event of the workflow instead, a cost that grows with the log). Returns how many it appended and how many bytes they add to the history ($6 bytes of overhead per event).
CREATE FUNCTION dispatch_append_events(
    workflow uuid, types text[], data text[], identities text[], after_sequence int,
    event_overhead_bytes int)
RETURNS TABLE (appended int, bytes bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest($2, $3, $4) WITH ORDINALITY AS e(type, data, identity, ord)),
    fresh AS (
        SELECT e.*, row_number() OVER (ORDER BY e.ord) AS n
          FROM input e
          LEFT JOIN LATERAL (
              SELECT 1 AS found FROM workflow_events w
               WHERE w.workflow_execution_id = $1 AND w.identity = e.identity
               LIMIT 1) x ON true
         WHERE x.found IS NULL),
    ins AS (
        INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,
                                     event_data, identity)
        SELECT $1, $5 + f.n, f.type, f.data, f.identity FROM fresh f
        RETURNING octet_length(event_data) + octet_length(event_type) AS size)
    SELECT count(*)::int, (coalesce(sum(ins.size), 0) + count(*) * $6)::bigint FROM ins;
END
$fn$;
--rollback DROP FUNCTION dispatch_append_events(uuid, text[], text[], text[], int, int);

--changeset dispatch:020-finish-batch-function splitStatements:false
--comment: the workflow update that ends a command batch as a function (see dispatch_insert_tasks): the status, sequence, resume flag, outcome and batch digest the batch leaves. The lease is renewed only when half used up ($9 ms): an unchanged indexed column keeps the update HOT.
CREATE FUNCTION dispatch_finish_batch(
    workflow uuid, new_status text, new_sequence int, resume boolean, new_output text,
    new_error text, digest bytea, terminal boolean, lease_ms bigint, added_history_bytes bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    UPDATE workflow_executions w
       SET status = $2,
           current_sequence = $3,
           resume_pending = $4,
           output = COALESCE(decode($5, 'base64'), w.output),
           error = COALESCE($6, w.error),
           last_batch_digest = $7,
           last_batch_sequence = $3,
           updated_at = now(),
           history_bytes = w.history_bytes + $10,
           releases = 0,
           completed_at = CASE WHEN $8 THEN now() ELSE w.completed_at END,
           lease_expires_at = CASE WHEN $2 <> 'RUNNING' THEN NULL
                                   WHEN w.lease_expires_at IS NULL
                                     OR w.lease_expires_at < now() + $9 * interval '500 microseconds'
                                   THEN now() + $9 * interval '1 millisecond'
                                   ELSE w.lease_expires_at END
     WHERE w.id = $1;
END
$fn$;
--rollback DROP FUNCTION dispatch_finish_batch(uuid, text, int, boolean, text, text, bytea, boolean, bigint, bigint);
