--liquibase formatted sql logicalFilePath:db/changelog/changes/021-apply-batch-function.sql

-- A command batch in one call. Before it, a batch was four statements inside its group's
-- transaction (lock the workflow, insert the tasks, append the events, update the workflow), and
-- load/profile.sh put most of a one-command batch's server CPU in the per-statement plumbing of
-- those exchanges. This function does the four for the common batch: only tasks, operations and the
-- workflow's own ending (no timers, promises, state, children). The server decides what a batch
-- means; the function only locks, checks that the common case applies, and writes. When it does
-- not apply (the workflow is not RUNNING, the batch is a replay of the last one, the history would
-- pass its limit, or a finished child must report to its parent), it writes nothing and returns the
-- locked row, and the server goes on as before with the lock already held. This file, once
-- landed, is never edited (see 020).

--changeset dispatch:021-apply-batch-function splitStatements:false
--comment: lock workflow $1 (of tenant $2, any when null); when it is RUNNING, the batch is not a replay (digest $3 at the current sequence) and its events ($4 bytes) keep the history within $5 bytes, and it does not end a child that reports to its parent ($21), insert its tasks ($6-$13; tenant, workflow, traceparent and the default queue from the row), append its events ($14-$17) and finish it (status $18 when a resume is pending, else $19; the pending resume kept only when $20); returns the row as locked, whether the batch was applied, the task ids inserted, the events appended, their bytes and the status left.
CREATE FUNCTION dispatch_apply_batch(
    workflow uuid, tenant text, digest bytea, projected_bytes bigint, max_history_bytes bigint,
    task_ids uuid[], task_types text[], inputs text[], queues text[], max_retries int[],
    timeouts_ms bigint[], priorities int[], idempotency_keys text[],
    event_types text[], event_data text[], identities text[], event_overhead_bytes int,
    status_if_resume text, status_otherwise text, keep_resume boolean, terminal boolean,
    new_output text, new_error text, lease_ms bigint)
RETURNS TABLE (
    id uuid, tenant_id text, kind text, queue text, status text, traceparent text,
    current_sequence int, resume_pending boolean, last_batch_digest bytea,
    last_batch_sequence int, parent_workflow_execution_id uuid, child_execution_name text,
    history_bytes bigint, releases int, applied boolean, inserted uuid[], appended int,
    appended_bytes bigint, next_status text)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    w record;
    n int := coalesce(array_length($6, 1), 0);
    ins uuid[] := '{}';
    added int := 0;
    added_bytes bigint := 0;
    next text;
BEGIN
    SELECT x.id, x.tenant_id, x.kind, x.queue, x.status, x.traceparent, x.current_sequence,
           x.resume_pending, x.last_batch_digest, x.last_batch_sequence,
           x.parent_workflow_execution_id, x.child_execution_name, x.history_bytes, x.releases
      INTO w
      FROM workflow_executions x
     WHERE x.id = $1 AND ($2 IS NULL OR x.tenant_id = $2)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF w.status <> 'RUNNING'
       OR (w.last_batch_digest = $3 AND w.last_batch_sequence = w.current_sequence)
       OR w.history_bytes + $4 > $5
       OR ($21 AND w.parent_workflow_execution_id IS NOT NULL
               AND w.child_execution_name IS NOT NULL) THEN
        RETURN QUERY SELECT w.id, w.tenant_id::text, w.kind::text, w.queue::text, w.status::text,
                            w.traceparent::text, w.current_sequence, w.resume_pending,
                            w.last_batch_digest, w.last_batch_sequence,
                            w.parent_workflow_execution_id, w.child_execution_name::text,
                            w.history_bytes, w.releases, false, NULL::uuid[], 0, 0::bigint,
                            NULL::text;
        RETURN;
    END IF;
    IF n > 0 THEN
        SELECT coalesce(array_agg(t.id), '{}') INTO ins
          FROM dispatch_insert_tasks(
                   $6, array_fill(w.tenant_id::text, ARRAY[n]), array_fill($1, ARRAY[n]), $7, $8,
                   ARRAY(SELECT coalesce(u.name, w.queue)
                           FROM unnest($9) WITH ORDINALITY AS u(name, ord)
                          ORDER BY u.ord),
                   $10, $11, $12, array_fill(w.traceparent::text, ARRAY[n]), $13,
                   array_fill(NULL::text, ARRAY[n]), array_fill(NULL::text, ARRAY[n])) t;
    END IF;
    IF coalesce(array_length($14, 1), 0) > 0 THEN
        SELECT a.appended, a.bytes INTO added, added_bytes
          FROM dispatch_append_events($1, $14, $15, $16, w.current_sequence, $17) a;
    END IF;
    next := CASE WHEN w.resume_pending THEN $18 ELSE $19 END;
    PERFORM dispatch_finish_batch($1, next, w.current_sequence + added, w.resume_pending AND $20,
                                  $22, $23, $3, $21, $24, added_bytes);
    RETURN QUERY SELECT w.id, w.tenant_id::text, w.kind::text, w.queue::text, w.status::text,
                        w.traceparent::text, w.current_sequence, w.resume_pending,
                        w.last_batch_digest, w.last_batch_sequence,
                        w.parent_workflow_execution_id, w.child_execution_name::text,
                        w.history_bytes, w.releases, true, ins, added, added_bytes, next;
END
$fn$;
--rollback DROP FUNCTION dispatch_apply_batch(uuid, text, bytea, bigint, bigint, uuid[], text[], text[], text[], int[], bigint[], int[], text[], text[], text[], text[], int, text, text, boolean, boolean, text, text, bigint);

--changeset dispatch:021-apply-batches-function splitStatements:false
--comment: the command batches of one group (group commit) in one call: dispatch_apply_batch for each, in the order given (the server sorts a group by workflow id, the lock order), each batch's tasks and events a slice of the flattened arrays ($6/$7 and $16/$17: first index and count); digests and outputs as base64 text. Returns dispatch_apply_batch's row for each batch whose workflow exists, with its 1-based position in the group.
CREATE FUNCTION dispatch_apply_batches(
    workflows uuid[], tenants text[], digests text[], projected_bytes bigint[],
    max_history_bytes bigint, task_from int[], task_count int[], task_ids uuid[],
    task_types text[], inputs text[], queues text[], max_retries int[], timeouts_ms bigint[],
    priorities int[], idempotency_keys text[], event_from int[], event_count int[],
    event_types text[], event_data text[], identities text[], event_overhead_bytes int,
    statuses_if_resume text[], statuses_otherwise text[], keep_resume boolean[],
    terminal boolean[], new_outputs text[], new_errors text[], lease_ms bigint)
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
    FOR i IN 1 .. coalesce(array_length($1, 1), 0) LOOP
        t_first := $6[i];
        t_last := $6[i] + $7[i] - 1;
        e_first := $16[i];
        e_last := $16[i] + $17[i] - 1;
        RETURN QUERY
        SELECT i, b.*
          FROM dispatch_apply_batch(
                   $1[i], $2[i], decode($3[i], 'base64'), $4[i], $5,
                   $8[t_first:t_last], $9[t_first:t_last], $10[t_first:t_last],
                   $11[t_first:t_last], $12[t_first:t_last], $13[t_first:t_last],
                   $14[t_first:t_last], $15[t_first:t_last],
                   $18[e_first:e_last], $19[e_first:e_last], $20[e_first:e_last], $21,
                   $22[i], $23[i], $24[i], $25[i], $26[i], $27[i], $28) b;
    END LOOP;
END
$fn$;
--rollback DROP FUNCTION dispatch_apply_batches(uuid[], text[], text[], bigint[], bigint, int[], int[], uuid[], text[], text[], text[], int[], bigint[], int[], text[], int[], int[], text[], text[], text[], int, text[], text[], boolean[], boolean[], text[], text[], bigint);
