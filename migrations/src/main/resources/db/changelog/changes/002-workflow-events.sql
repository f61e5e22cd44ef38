--liquibase formatted sql

--changeset dispatch:002-workflow-events
--comment: the per-workflow event log; sequence numbers start at 1 without gaps
CREATE TABLE workflow_events (
    workflow_execution_id  uuid         NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    sequence_number        integer      NOT NULL CHECK (sequence_number > 0),
    event_type             varchar(64)  NOT NULL,
    event_data             jsonb        NOT NULL,
    -- the command identity an event records (e.g. TASK_SCHEDULED:<task id>); at most one event each
    identity               varchar(600),
    created_at             timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT workflow_events_pkey PRIMARY KEY (workflow_execution_id, sequence_number)
);

CREATE UNIQUE INDEX workflow_events_identity
    ON workflow_events (workflow_execution_id, identity)
    WHERE identity IS NOT NULL;
--rollback DROP TABLE workflow_events;
