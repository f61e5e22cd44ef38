--liquibase formatted sql

--changeset dispatch:023-tenant-slugs
--comment: the organization slug of a tenant: Flovyn's REST paths name an organization by slug (/api/orgs/{slug}/...) while gRPC carries the tenant id; one slug per tenant, each naming one tenant, kept with the tokens (set by tokens create --slug or tokens slug) and loaded into every instance's token snapshot
CREATE TABLE tenant_slugs (
    tenant_id   varchar(255)  PRIMARY KEY,
    slug        varchar(63)   NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    created_at  timestamptz   NOT NULL DEFAULT now()
);
--rollback DROP TABLE tenant_slugs;
