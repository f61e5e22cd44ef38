#!/usr/bin/env bash
# Our dispatch loops side by side with db-scheduler on the same PostgreSQL: the server jar and
# db-scheduler (a JVM of its own, one-time tasks whose body only counts) on two fresh databases,
# then interleaved rounds (our task-only loop / db-scheduler / our end-to-end loop / db-scheduler,
# 3 times) with every process's CPU per task and PostgreSQL's statements, rows and WAL per task.
# Writes the db-scheduler section of docs/benchmarks.md and docs/peer-benchmarks.json
# (--quick: load/target/bench-quick/). Everything is stopped and dropped at the end.
#
# Usage: load/peer-bench.sh [--quick] [--shared-pg] [PeerBench options, --help lists them]
#   runs on a PostgreSQL instance of its own (load/own-pg.sh) unless --shared-pg: then on
#   PGHOST/PGPORT/PGUSER (127.0.0.1, 5432, postgres), loopback only.
#   ~5 minutes on 2 cores; --quick ~1.5 minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  exec java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.PeerBench --help
fi
source load/bench-pg.sh
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.PeerBench \
  --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" \
  --command "load/peer-bench.sh${*:+ $*}" ${bench_args[@]+"${bench_args[@]}"}
