--liquibase formatted sql

--changeset dispatch:011-hot-path-foreign-keys
--comment: drop the per-row foreign-key triggers of the two hot inserts (tasks, events); every writer locks or checks the workflow in the same transaction first, and the triggers cost PostgreSQL 3.7x the CPU per scheduled task (measured 108 vs 29 microseconds)
ALTER TABLE task_executions DROP CONSTRAINT task_executions_workflow_execution_id_fkey;
ALTER TABLE workflow_events DROP CONSTRAINT workflow_events_workflow_execution_id_fkey;
--rollback ALTER TABLE task_executions ADD CONSTRAINT task_executions_workflow_execution_id_fkey FOREIGN KEY (workflow_execution_id) REFERENCES workflow_executions (id);
--rollback ALTER TABLE workflow_events ADD CONSTRAINT workflow_events_workflow_execution_id_fkey FOREIGN KEY (workflow_execution_id) REFERENCES workflow_executions (id) ON DELETE CASCADE;
