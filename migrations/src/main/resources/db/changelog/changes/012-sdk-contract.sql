--liquibase formatted sql

--changeset dispatch:012-sdk-contract
--comment: event data stored as the exact JSON text the server wrote (jsonb rewrote keys and rejected valid JSON such as "\u0000"); per-workflow history size for the SDK's 4 MiB GetEvents limit; claims released with a backoff (visible_at) and counted (releases) so that an activation that is never answered ends the workflow after a bounded number of tries
ALTER TABLE workflow_events ALTER COLUMN event_data TYPE text USING event_data::text;

ALTER TABLE workflow_executions ADD COLUMN history_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE workflow_executions ADD COLUMN visible_at timestamptz;
ALTER TABLE workflow_executions ADD COLUMN releases integer NOT NULL DEFAULT 0;

UPDATE workflow_executions w
   SET history_bytes = e.bytes
  FROM (SELECT workflow_execution_id, sum(octet_length(event_data) + octet_length(event_type) + 16) AS bytes
          FROM workflow_events GROUP BY workflow_execution_id) e
 WHERE e.workflow_execution_id = w.id;

-- only released workflows wait for a backoff, so this stays tiny
CREATE INDEX workflow_executions_backoff
    ON workflow_executions (visible_at)
    WHERE status = 'PENDING' AND visible_at IS NOT NULL;
--rollback DROP INDEX workflow_executions_backoff; ALTER TABLE workflow_executions DROP COLUMN releases; ALTER TABLE workflow_executions DROP COLUMN visible_at; ALTER TABLE workflow_executions DROP COLUMN history_bytes; ALTER TABLE workflow_events ALTER COLUMN event_data TYPE jsonb USING event_data::jsonb;
