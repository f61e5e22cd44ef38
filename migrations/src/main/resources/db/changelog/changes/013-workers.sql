--liquibase formatted sql

--changeset dispatch:013-workers
--comment: worker registrations (RegisterWorker, one row per call under a fresh id) and their last-seen time (SendHeartbeat), the operator's view of live workers; nothing in polling reads them
CREATE TABLE workers (
    id                   uuid          PRIMARY KEY,
    tenant_id            varchar(255)  NOT NULL,
    worker_name          text          NOT NULL,
    worker_version       text          NOT NULL,
    worker_type          text          NOT NULL,
    host_name            text          NOT NULL,
    process_id           text          NOT NULL,
    team_id              text,
    workflow_kinds       text[]        NOT NULL,
    task_kinds           text[]        NOT NULL,
    -- task kind -> timeout_seconds, only for the kinds that declared one
    task_timeouts        jsonb         NOT NULL DEFAULT '{}'::jsonb,
    agent_kinds          text[]        NOT NULL DEFAULT '{}',
    registered_at        timestamptz   NOT NULL DEFAULT now(),
    last_seen_at         timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX workers_tenant_seen ON workers (tenant_id, last_seen_at DESC);
--rollback DROP TABLE workers;
