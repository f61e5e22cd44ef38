--liquibase formatted sql

--changeset dispatch:018-retention
--comment: the indexes retention deletes from, oldest finished first: partial, so running work never enters them and the hot path pays only when a workflow or standalone task finishes; and the index that finds the idempotency keys of what retention deletes, so that no key outlives its workflow or task
CREATE INDEX workflow_executions_finished
    ON workflow_executions (completed_at)
    WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED');

CREATE INDEX task_executions_finished_standalone
    ON task_executions (completed_at)
    WHERE workflow_execution_id IS NULL AND status IN ('COMPLETED', 'FAILED', 'CANCELLED');

CREATE INDEX idempotency_keys_target ON idempotency_keys (target_id);
--rollback DROP INDEX idempotency_keys_target; DROP INDEX task_executions_finished_standalone; DROP INDEX workflow_executions_finished;
