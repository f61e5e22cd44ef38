--liquibase formatted sql

--changeset dispatch:024-function-signatures
--comment: the hot-path functions moved to functions/<name>.sql, re-created whenever their file changes (runOnChange). Their parameters are now named p_* and referred to by name; dispatch_finish_tasks takes the events' identities from the server, and dispatch_append_events appends for several workflows (dispatch_append_and_wake is built on it). CREATE OR REPLACE cannot rename a parameter or change a return type, so the signatures created by 020 and 021 are dropped here, before the files create the new ones. On a new database there is nothing to drop.
DROP FUNCTION IF EXISTS dispatch_claim_tasks(text, text, text, text[], bigint, bigint);
DROP FUNCTION IF EXISTS dispatch_finish_tasks(uuid[], text[], text[], text[], text[], text[], float8, float8, bigint, text[], int);
DROP FUNCTION IF EXISTS dispatch_claim_workflows(text, text, text[], text, text[], bigint);
DROP FUNCTION IF EXISTS dispatch_insert_tasks(uuid[], text[], uuid[], text[], text[], text[], int[], bigint[], int[], text[], text[], text[], text[]);
DROP FUNCTION IF EXISTS dispatch_append_events(uuid, text[], text[], text[], int, int);
DROP FUNCTION IF EXISTS dispatch_finish_batch(uuid, text, int, boolean, text, text, bytea, boolean, bigint, bigint);
DROP FUNCTION IF EXISTS dispatch_apply_batch(uuid, text, bytea, bigint, bigint, uuid[], text[], text[], text[], int[], bigint[], int[], text[], text[], text[], text[], int, text, text, boolean, boolean, text, text, bigint);
DROP FUNCTION IF EXISTS dispatch_apply_batches(uuid[], text[], text[], bigint[], bigint, int[], int[], uuid[], text[], text[], text[], int[], bigint[], int[], text[], int[], int[], text[], text[], text[], int, text[], text[], boolean[], boolean[], text[], text[], bigint);
