--liquibase formatted sql

--changeset dispatch:018-retention
--comment: the indexes retention deletes from, oldest finished first: partial, so running work never enters them and the hot path pays only when a workflow or standalone task finishes
CREATE INDEX workflow_executions_finished
    ON workflow_executions (completed_at)
    WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED');

CREATE INDEX task_executions_finished_standalone
    ON task_executions (completed_at)
    WHERE workflow_execution_id IS NULL AND status IN ('COMPLETED', 'FAILED', 'CANCELLED');
--rollback DROP INDEX task_executions_finished_standalone; DROP INDEX workflow_executions_finished;
