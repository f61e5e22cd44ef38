--liquibase formatted sql

--changeset dispatch:005-timers
--comment: durable timers and the partial index the timer sweeper claims due timers from
CREATE TABLE timers (
    workflow_execution_id  uuid          NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    timer_id               varchar(255)  NOT NULL,
    fire_at                timestamptz   NOT NULL,
    status                 varchar(16)   NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'FIRED', 'CANCELLED')),
    created_at             timestamptz   NOT NULL DEFAULT now(),
    fired_at               timestamptz,
    CONSTRAINT timers_pkey PRIMARY KEY (workflow_execution_id, timer_id)
);

CREATE INDEX timers_due
    ON timers (fire_at)
    WHERE status = 'PENDING';
--rollback DROP TABLE timers;
