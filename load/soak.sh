#!/usr/bin/env bash
# The end-to-end loop for ten minutes (--minutes N): throughput, CPU per task, and each hot
# table's dead tuples and HOT ratio per minute, then whether the last third kept 90% of the first
# third's throughput (exit status 3 when it did not). Report: load/target/soak/soak.md.
#
# Usage: load/soak.sh [--minutes N] [--interval-seconds N] [--shared-pg] [Soak options, --help]
#   runs on a PostgreSQL instance of its own (load/own-pg.sh) unless --shared-pg: then on
#   PGHOST/PGPORT/PGUSER (127.0.0.1, 5432, postgres), loopback only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  exec java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Soak --help
fi
source load/bench-pg.sh
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Soak \
  --pg-host "$PGHOST" --pg-port "$PGPORT" --pg-user "$PGUSER" \
  --command "load/soak.sh${*:+ $*}" ${bench_args[@]+"${bench_args[@]}"}
