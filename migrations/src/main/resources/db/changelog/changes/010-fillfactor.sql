--liquibase formatted sql

--changeset dispatch:010-workflow-fillfactor
--comment: room on each page for HOT updates: a workflow row is rewritten by every command batch
ALTER TABLE workflow_executions SET (fillfactor = 70);
--rollback ALTER TABLE workflow_executions RESET (fillfactor);
