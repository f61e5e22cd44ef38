#!/usr/bin/env bash
# Measures what PostgreSQL itself can do on this machine for the dispatch hot path, with no
# Java, gRPC or R2DBC in the way: the "physical limit" to hold the service's throughput against.
# Run it in the same session (ideally the same minute) as the service benchmark and quote ratios.
#
# Usage: load/pg-ceiling.sh [SECONDS] [CLIENTS]
# Connection: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD if needed.
# Prints lines "ceiling <name> clients=<c> tasks_per_s=<n>".
set -euo pipefail
secs=${1:-10}; clients=${2:-8}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1)
[ -x "$pgbench" ] || { echo "pg-ceiling: pgbench not found (Debian package postgresql-client or postgresql)" >&2; exit 2; }
db=pg_ceiling_$$
work=$(mktemp -d)
cleanup() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
psql -q -d "$db" >/dev/null <<'SQL'
CREATE TABLE task_executions (
  id uuid PRIMARY KEY, tenant_id uuid NOT NULL, workflow_execution_id uuid,
  task_type varchar(255) NOT NULL, input bytea, status varchar(32) NOT NULL DEFAULT 'PENDING',
  queue varchar(255) NOT NULL DEFAULT 'default', max_retries int NOT NULL DEFAULT 3,
  timeout_ms bigint, priority_seconds int NOT NULL DEFAULT 0, execution_count int NOT NULL DEFAULT 0,
  traceparent varchar(55), created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON task_executions (tenant_id, queue, created_at) WHERE status = 'PENDING';
CREATE TABLE workflow_events (
  workflow_execution_id uuid NOT NULL, sequence_number int NOT NULL, event_type varchar(64) NOT NULL,
  event_data bytea, created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_execution_id, sequence_number));
SQL
# One task and its event per transaction: the cost floor of a one-command batch.
cat > "$work/single.sql" <<'SQL'
\set wf random(1, 2000000000)
BEGIN;
INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input, queue, traceparent)
VALUES (gen_random_uuid(), '00000000-0000-0000-0000-000000000001', md5(:wf::text)::uuid, 'send-email',
        '\x7b226b223a317d', 'default', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type, event_data)
VALUES (md5(:wf::text)::uuid, 1, 'TASK_SCHEDULED', '\x7b7d') ON CONFLICT DO NOTHING;
COMMIT;
SQL
# 100 tasks and 100 events per transaction, set-based: the cost floor of a 100-command batch.
cat > "$work/batch100.sql" <<'SQL'
\set wf random(1, 2000000000)
BEGIN;
WITH ids AS (SELECT gen_random_uuid() AS id, g AS seq FROM generate_series(1, 100) g),
t AS (INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input, queue, traceparent)
      SELECT id, '00000000-0000-0000-0000-000000000001', md5(:wf::text)::uuid, 'send-email', '\x7b226b223a317d',
             'default', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' FROM ids
      ON CONFLICT (id) DO NOTHING RETURNING id)
INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type, event_data)
SELECT md5(:wf::text)::uuid, seq, 'TASK_SCHEDULED', '\x7b7d' FROM ids ON CONFLICT DO NOTHING;
COMMIT;
SQL
run() { # name file tasks_per_txn clients
  local tps
  tps=$("$pgbench" -n -c "$4" -j 2 -T "$secs" -f "$2" "$db" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  awk -v n="$1" -v c="$4" -v t="$tps" -v k="$3" 'BEGIN { printf "ceiling %s clients=%d tasks_per_s=%.0f\n", n, c, t * k }'
}
run single-task-per-txn "$work/single.sql" 1 1
run single-task-per-txn "$work/single.sql" 1 "$clients"
run batch100-set-based "$work/batch100.sql" 100 1
run batch100-set-based "$work/batch100.sql" 100 "$clients"
