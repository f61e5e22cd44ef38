--liquibase formatted sql

--changeset dispatch:007-workflow-state
--comment: per-workflow key/value state written by SetState / ClearState
CREATE TABLE workflow_state (
    workflow_execution_id  uuid          NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    key                    varchar(255)  NOT NULL,
    value                  bytea,
    updated_at             timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT workflow_state_pkey PRIMARY KEY (workflow_execution_id, key)
);
--rollback DROP TABLE workflow_state;
