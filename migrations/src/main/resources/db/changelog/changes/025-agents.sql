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
