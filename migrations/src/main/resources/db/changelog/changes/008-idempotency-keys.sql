--liquibase formatted sql

--changeset dispatch:008-idempotency-keys
--comment: client idempotency keys per tenant and scope, each valid until expires_at
CREATE TABLE idempotency_keys (
    tenant_id        varchar(255)  NOT NULL,
    scope            varchar(16)   NOT NULL CHECK (scope IN ('WORKFLOW', 'TASK', 'PROMISE')),
    idempotency_key  varchar(255)  NOT NULL,
    target_id        uuid          NOT NULL,
    expires_at       timestamptz   NOT NULL,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, scope, idempotency_key)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
--rollback DROP TABLE idempotency_keys;
