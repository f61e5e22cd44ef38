--liquibase formatted sql

--changeset dispatch:001-workflow-executions
--comment: workflow executions and the partial index PollWorkflow claims from
CREATE TABLE workflow_executions (
    id                            uuid          PRIMARY KEY,
    tenant_id                     varchar(255)  NOT NULL,
    kind                          varchar(255)  NOT NULL,
    input                         bytea,
    queue                         varchar(255)  NOT NULL,
    priority_seconds              integer       NOT NULL DEFAULT 0,
    status                        varchar(16)   NOT NULL
        CONSTRAINT workflow_executions_status_check
        CHECK (status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    traceparent                   varchar(55),
    metadata                      jsonb         NOT NULL DEFAULT '{}'::jsonb,
    worker_id                     varchar(255),
    worker_pool_id                varchar(255),
    workflow_definition_id        varchar(255),
    workflow_version              varchar(255),
    parent_workflow_execution_id  uuid          REFERENCES workflow_executions (id),
    child_execution_name          varchar(255),
    output                        bytea,
    error                         text,
    -- the last event sequence number handed out; bumped under the row lock
    current_sequence              integer       NOT NULL DEFAULT 0,
    -- something the workflow waits for happened while it was RUNNING: a suspend goes straight back to PENDING
    resume_pending                boolean       NOT NULL DEFAULT false,
    cancel_requested              boolean       NOT NULL DEFAULT false,
    -- digest and resulting sequence of the last applied command batch: recognises an exact replay
    last_batch_digest             bytea,
    last_batch_sequence           integer,
    -- poll order: created_at - priority_seconds (stored, because timestamptz - interval is not immutable)
    order_key                     timestamptz   NOT NULL,
    created_at                    timestamptz   NOT NULL DEFAULT now(),
    updated_at                    timestamptz   NOT NULL DEFAULT now(),
    claimed_at                    timestamptz,
    completed_at                  timestamptz
);

CREATE INDEX workflow_executions_ready
    ON workflow_executions (tenant_id, queue, order_key)
    WHERE status = 'PENDING';

CREATE INDEX workflow_executions_parent
    ON workflow_executions (parent_workflow_execution_id)
    WHERE parent_workflow_execution_id IS NOT NULL;
--rollback DROP TABLE workflow_executions;
