#!/usr/bin/env bash
# What tracing costs the server (docs/observability.md, "Traces"): the end-to-end loop (10 tasks
# per workflow) against the server jar with tracing off, then on (every trace sampled, exported
# over OTLP/gRPC to a receiver the benchmark runs), on a fresh database of the local PostgreSQL;
# prints the server's CPU per task of each run and the difference. The database is dropped at the
# end, also on failure or Ctrl-C.
#
# Usage: load/trace-bench.sh [--quick] [--seconds 30] [--warmup 20] [--in-flight 32] [--workers 8]
#   --quick   5 s warm-up and 5 s measured per run (about a minute in all): proves the harness
# PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust authentication.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
case $PGHOST in
  127.*|localhost|::1) ;;
  *) echo "trace-bench: PGHOST=$PGHOST is not a loopback address; refusing" >&2; exit 2 ;;
esac
if [[ ! -f load/target/load-driver.jar || ! -f dispatch-reactive/target/dispatch-reactive-server.jar ]]; then
  ./mvnw -B -q -DskipTests install
fi
db=dispatch_trace_bench_$$
cleanup() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -q -d postgres -c "CREATE DATABASE $db"
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.TraceBench \
  --db-url "jdbc:postgresql://$PGHOST:$PGPORT/$db" "$@"
