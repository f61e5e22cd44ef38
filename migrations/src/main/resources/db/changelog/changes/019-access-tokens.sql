--liquibase formatted sql

--changeset dispatch:019-access-tokens
--comment: bearer tokens of the gRPC API, each bound to one tenant and a role; only a SHA-256 hash of the token text is kept (tokens are 256-bit random, so a fast hash suffices), and every instance keeps the active ones in memory
CREATE TABLE access_tokens (
    id           uuid          PRIMARY KEY,
    -- the public part of the token text (fdt_<lookup_id>_<secret>): finds the row, shown in lists and logs
    lookup_id    varchar(32)   NOT NULL UNIQUE,
    secret_hash  bytea         NOT NULL,
    tenant_id    varchar(255)  NOT NULL,
    role         text          NOT NULL CHECK (role IN ('worker', 'admin')),
    name         text          NOT NULL DEFAULT '',
    created_at   timestamptz   NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
--rollback DROP TABLE access_tokens;
