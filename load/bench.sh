#!/usr/bin/env bash
# Reproduces docs/benchmarks.md and docs/benchmarks.json in one run on this machine: a PostgreSQL
# instance of its own (load/own-pg.sh), a fresh database on it, the server jar as a child process,
# then every measurement (see load/README.md and docs/benchmarks.md), then our loops side by side
# with db-scheduler (load/peer-bench.sh, its section of docs/benchmarks.md). The server is stopped,
# the databases dropped and the instance removed at the end, also on failure or Ctrl-C.
#
# Usage: load/bench.sh [--quick] [--seconds N] [--concurrency 8,32] [other Benchmark options]
#   --quick      about 2 s per run: a smoke run (~4 minutes) whose report goes to
#                load/target/bench-quick/ (docs/ keeps the committed numbers); the default takes
#                ~13 minutes on 2 cores and writes docs/
#   --no-peer    skip the db-scheduler rounds (~5 minutes of the full run)
#   --rounds N, --loops L, --peer-*   passed to load/peer-bench.sh (PeerBench --help)
#   --shared-pg  use PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust authentication,
#                instead of an instance of its own
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source load/bench-pg.sh
set -- ${bench_args[@]+"${bench_args[@]}"}
bench=(); peer=(); run_peer=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-peer) run_peer=0; shift ;;
    --quick) bench+=("$1"); peer+=("$1"); shift ;;
    --seconds|--out|--server-jar|--pool-size|--loop-workers) bench+=("$1" "$2"); peer+=("$1" "$2"); shift 2 ;;
    --rounds|--loops|--peer-*) peer+=("$1" "$2"); shift 2 ;;
    *) bench+=("$1"); shift ;;
  esac
done
db=dispatch_bench_$$
cleanup() {
  # the Java side drops it too; this covers a JVM that was killed
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Benchmark \
  --database "$db" --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" \
  --command "load/bench.sh${bench_args[*]:+ ${bench_args[*]}}" ${bench[@]+"${bench[@]}"}
if [[ $run_peer == 1 ]]; then
  java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.PeerBench \
    --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" \
    --command "load/bench.sh${bench_args[*]:+ ${bench_args[*]}}" ${peer[@]+"${peer[@]}"}
fi
