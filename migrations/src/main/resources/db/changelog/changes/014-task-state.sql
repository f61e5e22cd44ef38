--liquibase formatted sql

--changeset dispatch:014-task-state
--comment: per-task key/value state of the TaskExecution state RPCs (values are JSON bytes as the client sent them); deleted with its task
CREATE TABLE task_state (
    task_execution_id  uuid          NOT NULL REFERENCES task_executions (id) ON DELETE CASCADE,
    key                varchar(255)  NOT NULL,
    value              bytea         NOT NULL,
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT task_state_pkey PRIMARY KEY (task_execution_id, key)
);
--rollback DROP TABLE task_state;
