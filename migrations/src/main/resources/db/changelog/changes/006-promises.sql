--liquibase formatted sql

--changeset dispatch:006-promises
--comment: durable promises, named globally as <workflow id>:<promise_id>
CREATE TABLE promises (
    id                     varchar(300)  PRIMARY KEY,
    workflow_execution_id  uuid          NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    name                   varchar(255)  NOT NULL,
    status                 varchar(16)   NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'RESOLVED', 'REJECTED', 'TIMED_OUT')),
    value                  bytea,
    error                  text,
    idempotency_key        varchar(255),
    timeout_at             timestamptz,
    created_at             timestamptz   NOT NULL DEFAULT now(),
    settled_at             timestamptz,
    CONSTRAINT promises_workflow_name_key UNIQUE (workflow_execution_id, name)
);

CREATE INDEX promises_timeout
    ON promises (timeout_at)
    WHERE status = 'PENDING' AND timeout_at IS NOT NULL;
--rollback DROP TABLE promises;
