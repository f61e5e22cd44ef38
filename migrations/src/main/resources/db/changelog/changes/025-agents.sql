--liquibase formatted sql

--changeset dispatch:025-agent-executions
--comment: durable agents of the Flovyn SDK (flovyn.v1.AgentDispatch, docs/agents.md): one row per agent execution, its wait condition while WAITING and its lease while RUNNING; its conversation entries in insertion order (id = the client's UUID key, any other key mapped to a server-made id); checkpoints numbered per agent from 1; queued signals, consumed once. Agent tasks are ordinary task_executions rows pointing to their agent (agent_execution_id, workflow_execution_id stays NULL) with a deadline fixed at creation when the agent gave a timeout. Entries, checkpoints and signals go with their agent (ON DELETE CASCADE: none of them is on a hot path).
CREATE TABLE agent_executions (
    id                     uuid              PRIMARY KEY,
    tenant_id              varchar(255)      NOT NULL,
    kind                   varchar(255)      NOT NULL,
    queue                  varchar(255)      NOT NULL,
    worker_pool_id         varchar(255),
    input                  bytea             NOT NULL,
    -- a JSON object's bytes, or empty
    metadata               bytea             NOT NULL DEFAULT ''::bytea,
    persistence_mode       varchar(16)       NOT NULL DEFAULT 'REMOTE',
    parent_execution_id    uuid,
    status                 varchar(16)       NOT NULL
        CONSTRAINT agent_executions_status_check
        CHECK (status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    current_checkpoint_seq integer           NOT NULL DEFAULT -1,
    entry_count            integer           NOT NULL DEFAULT 0,
    worker_id              varchar(255),
    claims                 integer           NOT NULL DEFAULT 0,
    -- lease expiries since the last checkpoint; K of them fail the agent
    reclaims               integer           NOT NULL DEFAULT 0,
    -- while WAITING: SIGNAL, TASKS_ALL, TASKS_ANY, CHILD_ANY or CHILDREN_ALL
    wait_kind              varchar(16),
    wait_signal            text,
    wait_ids               uuid[],
    wait_reason            text,
    output                 bytea,
    error                  text,
    stack_trace            text,
    failure_type           text,
    max_budget_tokens      bigint,
    template_slug          text,
    traceparent            varchar(55),
    -- poll order: when it last became PENDING
    order_key              timestamptz       NOT NULL,
    -- RUNNING: reclaimed after this instant (renewed by the agent's own calls)
    lease_expires_at       timestamptz,
    last_activity_at       timestamptz,
    created_at             timestamptz       NOT NULL DEFAULT now(),
    updated_at             timestamptz       NOT NULL DEFAULT now(),
    started_at             timestamptz,
    completed_at           timestamptz
);

CREATE INDEX agent_executions_ready
    ON agent_executions (tenant_id, queue, order_key)
    WHERE status = 'PENDING';

CREATE INDEX agent_executions_lease
    ON agent_executions (lease_expires_at)
    WHERE status = 'RUNNING';

CREATE INDEX agent_executions_parent
    ON agent_executions (parent_execution_id)
    WHERE parent_execution_id IS NOT NULL;

CREATE INDEX agent_executions_finished
    ON agent_executions (completed_at)
    WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED');

CREATE INDEX agent_executions_tenant_created
    ON agent_executions (tenant_id, created_at DESC);

CREATE TABLE agent_entries (
    agent_execution_id  uuid          NOT NULL REFERENCES agent_executions (id) ON DELETE CASCADE,
    -- insertion order within the agent (timestamps can tie)
    position            integer       NOT NULL,
    id                  uuid          NOT NULL,
    -- a client key that is not a UUID, mapped to the server-made id
    idempotency_key     text,
    parent_id           text,
    entry_type          varchar(64)   NOT NULL,
    role                varchar(64),
    content             bytea         NOT NULL,
    turn_id             text,
    input_tokens        bigint,
    output_tokens       bigint,
    cache_read_tokens   bigint,
    cache_write_tokens  bigint,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT agent_entries_pkey PRIMARY KEY (agent_execution_id, position),
    CONSTRAINT agent_entries_id UNIQUE (agent_execution_id, id)
);

CREATE UNIQUE INDEX agent_entries_key
    ON agent_entries (agent_execution_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE agent_checkpoints (
    id                  uuid          PRIMARY KEY,
    agent_execution_id  uuid          NOT NULL REFERENCES agent_executions (id) ON DELETE CASCADE,
    sequence            integer       NOT NULL,
    leaf_entry_id       text,
    state               bytea         NOT NULL,
    input_tokens        bigint,
    output_tokens       bigint,
    cache_read_tokens   bigint,
    cache_write_tokens  bigint,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT agent_checkpoints_sequence UNIQUE (agent_execution_id, sequence)
);

CREATE TABLE agent_signals (
    id                   uuid          PRIMARY KEY,
    agent_execution_id   uuid          NOT NULL REFERENCES agent_executions (id) ON DELETE CASCADE,
    position             bigint        GENERATED ALWAYS AS IDENTITY,
    name                 text          NOT NULL,
    value                bytea         NOT NULL,
    -- the child agent that sent it with SendParentSignal
    sender_execution_id  uuid,
    consumed_at          timestamptz,
    created_at           timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX agent_signals_unconsumed
    ON agent_signals (agent_execution_id, position)
    WHERE consumed_at IS NULL;

ALTER TABLE task_executions ADD COLUMN agent_execution_id uuid;
-- an agent task's timeout counts from its creation and ends it FAILED for good
ALTER TABLE task_executions ADD COLUMN deadline_at timestamptz;

CREATE INDEX task_executions_agent
    ON task_executions (agent_execution_id, created_at)
    WHERE agent_execution_id IS NOT NULL;

CREATE INDEX task_executions_deadline
    ON task_executions (deadline_at)
    WHERE deadline_at IS NOT NULL AND status IN ('PENDING', 'RUNNING');

-- standalone tasks are those of neither a workflow nor an agent: an agent's go with it
DROP INDEX task_executions_finished_standalone;
CREATE INDEX task_executions_finished_standalone
    ON task_executions (completed_at)
    WHERE workflow_execution_id IS NULL AND agent_execution_id IS NULL
      AND status IN ('COMPLETED', 'FAILED', 'CANCELLED');
--rollback DROP INDEX task_executions_finished_standalone; CREATE INDEX task_executions_finished_standalone ON task_executions (completed_at) WHERE workflow_execution_id IS NULL AND status IN ('COMPLETED', 'FAILED', 'CANCELLED'); DROP INDEX task_executions_deadline; DROP INDEX task_executions_agent; ALTER TABLE task_executions DROP COLUMN deadline_at; ALTER TABLE task_executions DROP COLUMN agent_execution_id; DROP TABLE agent_signals; DROP TABLE agent_checkpoints; DROP TABLE agent_entries; DROP TABLE agent_executions;

--changeset dispatch:025-agent-wait-function splitStatements:false
--comment: whether a WAITING agent's condition holds, read in the caller's snapshot (the callers lock the agent row first, so a change committed before the lock is seen): a queued signal of the awaited name; every listed task terminal (TASKS_ALL), some listed task COMPLETED or all terminal (TASKS_ANY); some listed child terminal (CHILD_ANY); every listed child terminal (CHILDREN_ALL). A child's signal wakes CHILD_ANY only when it arrives (dispatch_wake_agents), never from the queue: an old one would wake the parent again and again.
CREATE FUNCTION dispatch_agent_wait_met(agent uuid, wait_kind text, awaited text, ids uuid[])
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT CASE $2
        WHEN 'SIGNAL' THEN EXISTS (
            SELECT 1 FROM agent_signals s
             WHERE s.agent_execution_id = $1 AND s.consumed_at IS NULL AND s.name = $3)
        WHEN 'TASKS_ALL' THEN NOT EXISTS (
            SELECT 1 FROM task_executions t
             WHERE t.id = ANY($4) AND t.status IN ('PENDING', 'RUNNING'))
        WHEN 'TASKS_ANY' THEN EXISTS (
            SELECT 1 FROM task_executions t WHERE t.id = ANY($4) AND t.status = 'COMPLETED')
            OR NOT EXISTS (
            SELECT 1 FROM task_executions t
             WHERE t.id = ANY($4) AND t.status IN ('PENDING', 'RUNNING'))
        WHEN 'CHILD_ANY' THEN EXISTS (
            SELECT 1 FROM agent_executions c
             WHERE c.id = ANY($4) AND c.status IN ('COMPLETED', 'FAILED', 'CANCELLED'))
        WHEN 'CHILDREN_ALL' THEN NOT EXISTS (
            SELECT 1 FROM agent_executions c
             WHERE c.id = ANY($4) AND c.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED'))
        ELSE false
    END
$fn$;
--rollback DROP FUNCTION dispatch_agent_wait_met(uuid, text, text, uuid[]);

--changeset dispatch:025-wake-agents-function splitStatements:false
--comment: re-evaluates the wait condition of the WAITING agents among $1 after something that may satisfy it committed (a task of theirs ended, a signal or a child's outcome arrived; $2 is the child agent whose signal this is, or NULL) and makes those satisfied PENDING, condition cleared, at the end of the poll order. The agents are locked first, in id order, and the condition is read by a later statement: with a suspend that evaluated before the change committed, either the suspend commits first and this sees it WAITING, or this runs first and the suspend, reading after it, sees the change. Returns the agents made PENDING with their tenant and queue, to wake their pollers.
CREATE FUNCTION dispatch_wake_agents(agents uuid[], sender uuid)
RETURNS TABLE (woken_id uuid, woken_tenant varchar, woken_queue varchar)
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    PERFORM 1 FROM agent_executions a WHERE a.id = ANY($1) ORDER BY a.id FOR UPDATE;
    RETURN QUERY
    UPDATE agent_executions a
       SET status = 'PENDING', wait_kind = NULL, wait_signal = NULL, wait_ids = NULL,
           wait_reason = NULL, order_key = now(), updated_at = now()
     WHERE a.id = ANY($1) AND a.status = 'WAITING'
       AND (dispatch_agent_wait_met(a.id, a.wait_kind, a.wait_signal, a.wait_ids)
            OR (a.wait_kind = 'CHILD_ANY' AND $2 IS NOT NULL AND $2 = ANY(a.wait_ids)))
    RETURNING a.id, a.tenant_id, a.queue;
END
$fn$;
--rollback DROP FUNCTION dispatch_wake_agents(uuid[], uuid);

--changeset dispatch:025-claim-agents-function splitStatements:false
--comment: the agent claim of PollAgent, as the task and workflow claims: one call serves several waiting workers ($5, one worker id per slot) of the kinds in $3 (any when empty) and the pool $4, taking PENDING agents of the tenant and queue in the order they became PENDING; each gets its worker, a claim count and a lease of $6 ms that its own calls renew.
CREATE FUNCTION dispatch_claim_agents(
    tenant text, queue_name text, kinds text[], pool text, workers text[], lease_ms bigint)
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
         WHERE a.status = 'PENDING' AND a.tenant_id = $1 AND a.queue = $2
           AND (cardinality($3) = 0 OR a.kind = ANY($3))
           AND (a.worker_pool_id IS NULL OR a.worker_pool_id = $4)
         ORDER BY a.order_key
         LIMIT cardinality($5)
           FOR UPDATE SKIP LOCKED),
    next AS (
        SELECT locked.*, (row_number() OVER (ORDER BY locked.order_key))::int AS n
          FROM locked)
    UPDATE agent_executions a
       SET status = 'RUNNING',
           worker_id = $5[next.n],
           claims = a.claims + 1,
           started_at = COALESCE(a.started_at, now()),
           last_activity_at = now(),
           lease_expires_at = now() + $6 * interval '1 millisecond',
           updated_at = now()
      FROM next
     WHERE a.id = next.id
    RETURNING next.n, a.id, a.kind, a.tenant_id, a.input, a.queue,
              (extract(epoch FROM a.created_at) * 1000)::bigint,
              a.current_checkpoint_seq, a.persistence_mode, a.worker_pool_id, a.metadata,
              a.parent_execution_id, a.traceparent, a.worker_id;
END
$fn$;
--rollback DROP FUNCTION dispatch_claim_agents(text, text, text[], text, text[], bigint);
