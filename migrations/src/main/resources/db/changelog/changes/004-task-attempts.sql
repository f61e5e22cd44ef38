--liquibase formatted sql

--changeset dispatch:004-task-attempts
--comment: the history of every finished attempt of a task
CREATE TABLE task_attempts (
    task_execution_id  uuid          NOT NULL REFERENCES task_executions (id) ON DELETE CASCADE,
    attempt            integer       NOT NULL CHECK (attempt > 0),
    worker_id          varchar(255),
    outcome            varchar(16)   NOT NULL
        CHECK (outcome IN ('COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED')),
    error              text,
    started_at         timestamptz,
    finished_at        timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT task_attempts_pkey PRIMARY KEY (task_execution_id, attempt)
);
--rollback DROP TABLE task_attempts;
