#!/usr/bin/env bash
# Runs a command against a PostgreSQL instance of its own: initdb in a temporary directory with
# production-like settings (load/README.md, "The benchmarks' PostgreSQL" says which and why),
# started on a free loopback port, stopped and deleted when the command ends, also on failure or
# Ctrl-C. load/bench.sh, load/peer-bench.sh and load/soak.sh run themselves under it unless given
# --shared-pg.
#
# Usage: load/own-pg.sh [--keep] COMMAND [ARGS...]
#   COMMAND sees PGHOST=127.0.0.1, PGPORT, PGUSER=postgres (trust authentication),
#   BENCH_PG_POSTMASTER_PID (the benchmarks then count this instance's CPU, not every postgres
#   process of the machine) and BENCH_PG_OWN=1.
#   --keep   leave the data directory and pg.log behind (the path is printed)
# As root, initdb and the server run as the postgres user through runuser: initdb refuses root.
set -euo pipefail
keep=0
if [[ ${1:-} == --keep ]]; then keep=1; shift; fi
[[ $# -gt 0 ]] || { echo "usage: load/own-pg.sh [--keep] COMMAND [ARGS...]" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $bin && -x $bin/initdb ]] || { echo "own-pg: PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin" >&2; exit 2; }
data=$(mktemp -d /tmp/bench-pg.XXXXXX)
root_user=0
if [[ $(id -u) == 0 ]]; then root_user=1; chown postgres "$data"; fi
as_owner() { if [[ $root_user == 1 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$?
  as_owner "$bin/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null 2>&1 || true
  if [[ $keep == 1 ]]; then echo "own-pg: kept $data" >&2; else rm -rf "$data"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# --no-sync: initdb's own files are not fsynced (a throwaway cluster); the server's are
as_owner "$bin/initdb" -D "$data/pg" -U postgres -A trust -E UTF8 --no-sync >/dev/null
cat >> "$data/pg/postgresql.conf" <<CONF
# load/own-pg.sh: production-like, durable settings (load/README.md says why)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
max_connections = 200
shared_buffers = 1GB
effective_cache_size = 4GB
work_mem = 16MB
maintenance_work_mem = 256MB
random_page_cost = 1.1
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
wal_buffers = 16MB
max_wal_size = 4GB
min_wal_size = 1GB
checkpoint_timeout = 5min
checkpoint_completion_target = 0.9
autovacuum = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.max = 10000
log_min_messages = warning
CONF
as_owner "$bin/pg_ctl" -D "$data/pg" -o "-p $port" -l "$data/pg.log" -w -t 60 start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres BENCH_PG_OWN=1
BENCH_PG_POSTMASTER_PID=$(head -1 "$data/pg/postmaster.pid")
export BENCH_PG_POSTMASTER_PID
# in template1, so that every database the benchmarks create has the view
psql -q -d template1 -c "CREATE EXTENSION pg_stat_statements" >/dev/null
psql -q -d postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null
echo "own-pg: $("$bin/postgres" --version) on 127.0.0.1:$port, data in $data" >&2
"$@"
