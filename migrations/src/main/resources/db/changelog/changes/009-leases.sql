--liquibase formatted sql

--changeset dispatch:009-leases
--comment: workflow leases (a claimed workflow returns to PENDING when its worker goes silent) and the index that finds retried tasks whose backoff ends
ALTER TABLE workflow_executions ADD COLUMN lease_expires_at timestamptz;

CREATE INDEX workflow_executions_lease
    ON workflow_executions (lease_expires_at)
    WHERE status = 'RUNNING';

-- only retried tasks wait for a backoff (new ones are visible at creation), so this stays tiny
CREATE INDEX task_executions_backoff
    ON task_executions (visible_at)
    WHERE status = 'PENDING' AND visible_at > created_at;
--rollback DROP INDEX task_executions_backoff; DROP INDEX workflow_executions_lease; ALTER TABLE workflow_executions DROP COLUMN lease_expires_at;
