#!/usr/bin/env bash
# The operator API on a big database: starts a PostgreSQL instance of its own (initdb in a
# temporary directory, production-like settings: autovacuum on, 2 GB of shared buffers), the
# server jar against it, fills it with load/api-bench/fill.sql (1,000,000 workflows, 2,000,000
# tasks, 3,000,000 events, one 10,000-event history), then measures each common API call
# (ai.flovyn.dispatch.load.ApiBench): p50/p99 over the HTTP API, next to the same statement run
# in PostgreSQL alone by pgbench (the limit). Writes docs/api-benchmarks.md unless --out says
# otherwise. Everything is stopped and deleted at the end, also on failure or Ctrl-C.
#
# Usage: load/api-bench.sh [--calls N] [--out FILE] [--keep-data DIR]
#   --calls N       measured calls per scenario (default 200, after 20 warm-up calls)
#   --out FILE      where to write the report (default docs/api-benchmarks.md)
#   --keep-data DIR reuse (or create and keep) a filled instance in DIR: a second run skips the fill
#   --workflows N   fill N workflows instead of 1,000,000 (a smoke run: --workflows 20000 --calls 20)
# Takes ~10 minutes, most of it the fill.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
calls=200; out=docs/api-benchmarks.md; keep=""; workflows=1000000
while [[ $# -gt 0 ]]; do
  case $1 in
    --calls) calls=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --keep-data) keep=$2; shift 2 ;;
    --workflows) workflows=$2; shift 2 ;;
    *) echo "api-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[[ -x $bin/initdb ]] || { echo "api-bench: PostgreSQL server binaries not found" >&2; exit 2; }
if [[ ! -f load/target/load-driver.jar || ! -f dispatch-reactive/target/dispatch-reactive-server.jar ]]; then
  ./mvnw -B -q -DskipTests install
fi
port=$(( 20000 + RANDOM % 20000 ))
data=${keep:-$(mktemp -d /tmp/api-bench-pg.XXXXXX)}
mkdir -p "$data"
owner=root
if [[ $(id -u) == 0 ]]; then owner=postgres; chown postgres "$data"; fi
as_owner() { if [[ $owner == postgres ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  as_owner "$bin/pg_ctl" -D "$data/pg" -m fast stop >/dev/null 2>&1 || true
  [[ -z $keep ]] && rm -rf "$data"
  return 0
}
trap cleanup EXIT
fresh=0
if [[ ! -f $data/pg/PG_VERSION ]]; then
  as_owner "$bin/initdb" -D "$data/pg" -U postgres -A trust >/dev/null
  cat >> "$data/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
shared_buffers = 2GB
effective_cache_size = 8GB
work_mem = 16MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 15min
autovacuum = on
random_page_cost = 1.1
CONF
  fresh=1
fi
as_owner "$bin/pg_ctl" -D "$data/pg" -o "-p $port -k /tmp" -l "$data/pg.log" -w start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
db=dispatch
if [[ $fresh == 1 ]]; then psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null; fi
http_port=$(( port + 1 )); grpc_port=$(( port + 2 ))
java -jar dispatch-reactive/target/dispatch-reactive-server.jar \
  --db-url="jdbc:postgresql://127.0.0.1:$port/$db" --db-user=postgres --auth=off \
  --http-port=$http_port --grpc-port=$grpc_port --retention-days=36500 >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$http_port/_/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.5
done
if [[ $fresh == 1 ]]; then
  echo "api-bench: filling ($workflows workflows; several minutes for a million)" >&2
  start=$(date +%s)
  psql -q -d "$db" -v n="$workflows" -f load/api-bench/fill.sql
  echo "api-bench: filled in $(( $(date +%s) - start )) s" >&2
fi
pgbench=$(command -v pgbench || echo "$bin/pgbench")
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.ApiBench \
  --api "http://127.0.0.1:$http_port" --org bench --pgbench "$pgbench" \
  --pg "127.0.0.1:$port/$db" --calls "$calls" --workflows "$workflows" --out "$out" --command "load/api-bench.sh $*"
