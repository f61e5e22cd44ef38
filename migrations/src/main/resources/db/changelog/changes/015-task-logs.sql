--liquibase formatted sql

--changeset dispatch:015-task-logs
--comment: log lines of task executions (LogMessage), bounded per task by a counter row whose upsert serialises concurrent writers of one task; both deleted with their task
CREATE TABLE task_logs (
    id                 bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_execution_id  uuid          NOT NULL REFERENCES task_executions (id) ON DELETE CASCADE,
    level              varchar(16)   NOT NULL,
    message            text          NOT NULL,
    logged_at          timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX task_logs_task ON task_logs (task_execution_id, id);

CREATE TABLE task_log_counts (
    task_execution_id  uuid          PRIMARY KEY REFERENCES task_executions (id) ON DELETE CASCADE,
    lines              integer       NOT NULL
);
--rollback DROP TABLE task_log_counts; DROP TABLE task_logs;
