--liquibase formatted sql

--changeset dispatch:022-operator-list-indexes
--comment: the operator's lists (newest first: created_at DESC, id DESC) read their first page from an index instead of sorting a tenant's whole table: the tenant alone, a status (FAILED, RUNNING…), a workflow kind. Each extra index costs on every insert and every non-HOT update (a status change is one already: status is in the partial ready index's predicate), so only these: a queue, a task kind or another filter walks the tenant's index and filters as it goes, which still finds a first page fast when the filter is common. Task lists filtered by workflow use task_executions_workflow, children parent lookups workflow_executions_parent, id prefixes the primary key.
CREATE INDEX workflow_executions_tenant_created
    ON workflow_executions (tenant_id, created_at DESC, id DESC);

CREATE INDEX workflow_executions_tenant_status_created
    ON workflow_executions (tenant_id, status, created_at DESC, id DESC);

CREATE INDEX workflow_executions_tenant_kind_created
    ON workflow_executions (tenant_id, kind, created_at DESC, id DESC);

CREATE INDEX task_executions_tenant_created
    ON task_executions (tenant_id, created_at DESC, id DESC);

CREATE INDEX task_executions_tenant_status_created
    ON task_executions (tenant_id, status, created_at DESC, id DESC);
--rollback DROP INDEX task_executions_tenant_status_created; DROP INDEX task_executions_tenant_created; DROP INDEX workflow_executions_tenant_kind_created; DROP INDEX workflow_executions_tenant_status_created; DROP INDEX workflow_executions_tenant_created;
