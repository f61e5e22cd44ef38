#!/usr/bin/env bash
# Reproduces docs/benchmarks.md and docs/benchmarks.json in one run on this machine: a fresh
# database on the local PostgreSQL, the server jar as a child process, then every measurement
# (see load/README.md and docs/benchmarks.md). The server is stopped and the database dropped at
# the end, also on failure or Ctrl-C.
#
# Usage: load/bench.sh [--quick] [--seconds N] [--concurrency 8,32] [other Benchmark options]
#   --quick   about 2 s per run: a smoke run (~2 minutes) whose report goes to load/target/bench-quick/
#             (docs/ keeps the committed numbers); the default takes ~8 minutes and writes docs/
# PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust authentication.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
case $PGHOST in
  127.*|localhost|::1) ;;
  *) echo "bench: PGHOST=$PGHOST is not a loopback address; refusing" >&2; exit 2 ;;
esac
if [[ ! -f load/target/load-driver.jar || ! -f dispatch-reactive/target/dispatch-reactive-server.jar ]]; then
  ./mvnw -B -q -DskipTests install
fi
db=dispatch_bench_$$
cleanup() {
  # the Java side drops it too; this covers a JVM that was killed
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Benchmark \
  --database "$db" --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" \
  --command "load/bench.sh${*:+ $*}" "$@"
