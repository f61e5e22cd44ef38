--liquibase formatted sql

--changeset dispatch:003-task-executions
--comment: task executions (client- or server-generated ids) and the indexes PollTask and the lease sweeper use
CREATE TABLE task_executions (
    id                     uuid              PRIMARY KEY,
    tenant_id              varchar(255)      NOT NULL,
    workflow_execution_id  uuid              REFERENCES workflow_executions (id),
    task_type              varchar(255)      NOT NULL,
    input                  bytea,
    queue                  varchar(255)      NOT NULL,
    worker_pool_id         varchar(255),
    max_retries            integer           NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    timeout_ms             bigint            CHECK (timeout_ms > 0),
    priority_seconds       integer           NOT NULL DEFAULT 0,
    status                 varchar(16)       NOT NULL
        CONSTRAINT task_executions_status_check
        CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    execution_count        integer           NOT NULL DEFAULT 0,
    worker_id              varchar(255),
    traceparent            varchar(55),
    metadata               jsonb             NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key        varchar(255),
    output                 bytea,
    error                  text,
    progress               double precision,
    progress_details       text,
    cancel_requested       boolean           NOT NULL DEFAULT false,
    -- poll order: created_at - priority_seconds
    order_key              timestamptz       NOT NULL,
    -- not pollable before this instant (retry backoff)
    visible_at             timestamptz       NOT NULL,
    -- a RUNNING attempt counts as failed after this instant (timeout_ms or missed heartbeats)
    lease_expires_at       timestamptz,
    started_at             timestamptz,
    last_heartbeat_at      timestamptz,
    created_at             timestamptz       NOT NULL DEFAULT now(),
    updated_at             timestamptz       NOT NULL DEFAULT now(),
    completed_at           timestamptz
);

CREATE INDEX task_executions_ready
    ON task_executions (tenant_id, queue, order_key)
    WHERE status = 'PENDING';

CREATE INDEX task_executions_lease
    ON task_executions (lease_expires_at)
    WHERE status = 'RUNNING';

CREATE INDEX task_executions_workflow
    ON task_executions (workflow_execution_id)
    WHERE workflow_execution_id IS NOT NULL;
--rollback DROP TABLE task_executions;
