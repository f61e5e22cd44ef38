--liquibase formatted sql

-- Edit this function in place: runOnChange re-creates it. A new signature first needs a drop in
-- a versioned change (see db.changelog-master.yaml).

--changeset dispatch:function-dispatch_backoff_ms runOnChange:true splitStatements:false
--comment: the one retry backoff of the schema, in milliseconds: p_base_ms doubled for each earlier attempt (p_attempt 0 for the first retry), at most p_max_ms. Failed tasks (dispatch_finish_tasks, expired leases) and released workflow claims wait this long. The exponent stops at 62, so that no attempt count overflows double precision. A one-expression SQL function: the planner inlines it.
CREATE OR REPLACE FUNCTION dispatch_backoff_ms(
    p_base_ms double precision, p_max_ms double precision, p_attempt int)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT LEAST(p_base_ms * power(2, LEAST(p_attempt, 62)), p_max_ms)
$fn$;
