#!/usr/bin/env bash
# What one finished task costs PostgreSQL in rows, index growth, HOT updates and WAL
# (docs/performance.md, "Cheaper completions"): a fresh database on the given PostgreSQL, the
# server jar as a child process, one loop measured by ai.flovyn.dispatch.load.Churn, which reads
# pg_current_wal_lsn(), pg_stat_user_tables, index sizes and (when preloaded) pg_stat_statements
# when the window opens and closes. Measure on a PostgreSQL of its own, not one shared with tests:
#
#   initdb -D /tmp/churn-pg -U postgres --auth=trust
#   pg_ctl -D /tmp/churn-pg -o "-p 5499 -c shared_preload_libraries=pg_stat_statements \
#     -c autovacuum=off -c pg_stat_statements.track=top" -l /tmp/churn-pg.log start
#   PGPORT=5499 load/churn.sh --phase task-loop --seconds 30
#
# Usage: load/churn.sh [--phase task-loop|end-to-end] [--seconds 30] [--warmup 10] [--workers 8]
#   [--server-jar PATH]
# PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust authentication.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
case $PGHOST in
  127.*|localhost|::1) ;;
  *) echo "churn: PGHOST=$PGHOST is not a loopback address; refusing" >&2; exit 2 ;;
esac
db=dispatch_churn_$$
cleanup() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -q -d postgres -c "CREATE DATABASE $db"
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Churn \
  --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" --database "$db" "$@"
