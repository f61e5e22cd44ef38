#!/usr/bin/env bash
# Measures what PostgreSQL itself can do on this machine for the dispatch LOOP: hand a ready task
# to a worker (claim) and record its outcome on the workflow (complete), with no Java, gRPC or
# R2DBC in the way. It is the physical limit for end-to-end dispatch (tasks run per second),
# as pg-ceiling.sh is for creating tasks. Run it in the same session as the service benchmark
# and quote ratios.
#
# Usage: load/pg-loop-ceiling.sh [SECONDS] [CLIENTS]
# Connection: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD if needed.
# Prints lines "ceiling <name> clients=<c> tasks_per_s=<n>".
#   loop-one-by-one: per task, one autocommit claim (SKIP LOCKED) and one completion transaction
#                    (task row, workflow sequence, TASK_COMPLETED event, workflow back to PENDING)
#   loop-batch10:    the same work for 10 tasks at a time (one claim statement, one set-based
#                    completion transaction), the floor for a server that claims for many pollers
set -euo pipefail
secs=${1:-10}; clients=${2:-8}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1)
[ -x "$pgbench" ] || { echo "pg-loop-ceiling: pgbench not found (Debian package postgresql-client or postgresql)" >&2; exit 2; }
db=pg_loop_ceiling_$$
work=$(mktemp -d)
cleanup() { [ -n "${KEEP:-}" ] && return; psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
psql -q -d "$db" >/dev/null <<'SQL'
CREATE TABLE workflow_executions (
  id uuid PRIMARY KEY, tenant_id uuid NOT NULL, status varchar(32) NOT NULL DEFAULT 'SUSPENDED',
  current_sequence int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())
  WITH (fillfactor = 70);
CREATE TABLE task_executions (
  id uuid PRIMARY KEY, tenant_id uuid NOT NULL, workflow_execution_id uuid,
  task_type varchar(255) NOT NULL, input bytea, output bytea, status varchar(32) NOT NULL DEFAULT 'PENDING',
  queue varchar(255) NOT NULL DEFAULT 'default', worker_id varchar(255), execution_count int NOT NULL DEFAULT 0,
  started_at timestamptz, completed_at timestamptz, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE INDEX ON task_executions (tenant_id, queue, created_at) WHERE status = 'PENDING';
CREATE TABLE workflow_events (
  workflow_execution_id uuid NOT NULL, sequence_number int NOT NULL, event_type varchar(64) NOT NULL,
  event_data bytea, created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_execution_id, sequence_number));
INSERT INTO workflow_executions (id, tenant_id)
SELECT md5(g::text)::uuid, '00000000-0000-0000-0000-000000000001' FROM generate_series(1, 2000) g;
SQL
fill() { # enough ready tasks that no run drains the queue
  psql -q -d "$db" >/dev/null <<'SQL'
TRUNCATE task_executions, workflow_events;
UPDATE workflow_executions SET current_sequence = 0, status = 'SUSPENDED';
INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', md5((1 + g % 2000)::text)::uuid,
       'send-email', '\x7b226b223a317d' FROM generate_series(1, 400000) g;
VACUUM ANALYZE;
SQL
}
cat > "$work/one.sql" <<'SQL'
UPDATE task_executions t SET status = 'RUNNING', worker_id = 'w', execution_count = execution_count + 1,
       started_at = now()
  FROM (SELECT id FROM task_executions
         WHERE status = 'PENDING' AND tenant_id = '00000000-0000-0000-0000-000000000001' AND queue = 'default'
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) next
 WHERE t.id = next.id RETURNING t.id AS tid, t.workflow_execution_id AS wid \gset
BEGIN;
UPDATE task_executions SET status = 'COMPLETED', output = '\x7b7d', completed_at = now()
 WHERE id = ':tid' AND status = 'RUNNING';
UPDATE workflow_executions SET current_sequence = current_sequence + 1, status = 'PENDING', updated_at = now()
 WHERE id = ':wid' RETURNING current_sequence AS seq \gset
INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type, event_data)
VALUES (':wid', :seq, 'TASK_COMPLETED', '\x7b7d');
COMMIT;
SQL
# 10 at a time: one claim statement, then one set-based completion transaction, with the
# sequences of several events of one workflow assigned in one statement
cat > "$work/batch10.sql" <<'SQL'
WITH c AS (
  UPDATE task_executions t SET status = 'RUNNING', worker_id = 'w', execution_count = execution_count + 1,
         started_at = now()
    FROM (SELECT id FROM task_executions
           WHERE status = 'PENDING' AND tenant_id = '00000000-0000-0000-0000-000000000001' AND queue = 'default'
           ORDER BY created_at LIMIT 10 FOR UPDATE SKIP LOCKED) next
   WHERE t.id = next.id RETURNING t.id)
SELECT array_agg(id ORDER BY id)::text AS ids FROM c \gset
BEGIN;
WITH c AS (
  UPDATE task_executions SET status = 'COMPLETED', output = '\x7b7d', completed_at = now()
   WHERE id = ANY(':ids'::uuid[]) AND status = 'RUNNING' RETURNING id, workflow_execution_id AS wid),
per AS (SELECT wid, count(*) AS n FROM c GROUP BY wid),
w AS (UPDATE workflow_executions w SET current_sequence = w.current_sequence + per.n, status = 'PENDING',
             updated_at = now()
        FROM per WHERE w.id = per.wid RETURNING w.id, w.current_sequence - per.n AS base)
INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type, event_data)
SELECT c.wid, w.base + row_number() OVER (PARTITION BY c.wid ORDER BY c.id), 'TASK_COMPLETED', '\x7b7d'
  FROM c JOIN w ON w.id = c.wid;
COMMIT;
SQL
run() { # name file tasks_per_txn clients
  local tps
  fill
  tps=$("$pgbench" -n -c "$4" -j "$(( $4 < 2 ? 1 : 2 ))" -T "$secs" -f "$2" "$db" 2>"$work/pgbench.err" | awk '/^tps/ {print $3; exit}')
  [ -n "$tps" ] || { echo "pg-loop-ceiling: pgbench failed: $(tail -3 "$work/pgbench.err")" >&2; exit 1; }
  awk -v n="$1" -v c="$4" -v t="$tps" -v k="$3" 'BEGIN { printf "ceiling %s clients=%d tasks_per_s=%.0f\n", n, c, t * k }'
}
run loop-one-by-one "$work/one.sql" 1 1
run loop-one-by-one "$work/one.sql" 1 "$clients"
run loop-batch10 "$work/batch10.sql" 10 1
run loop-batch10 "$work/batch10.sql" 10 "$clients"
