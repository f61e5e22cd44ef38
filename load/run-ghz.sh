#!/usr/bin/env bash
# Runs the bundled ghz configs against a running flovyn.v1 server on this machine.
#
# Usage: load/run-ghz.sh [HOST:PORT] [CONFIG ...]
#   HOST:PORT  the server (default 127.0.0.1:9090); loopback addresses only
#   CONFIG     config files (default: every load/ghz/*.json, in a fixed order)
# Builds the load module only when load/target/load-driver.jar is missing, runs Prepare (fixed
# workflow and task ids, idempotent), then each config with ghz when it is on PATH, else with our
# driver (java -jar load/target/load-driver.jar). Every bundled config is bounded (total/duration).
# A server that requires authentication: export DISPATCH_TOKEN (a token of tenant bench); Prepare
# and our driver read it, ghz gets it as its authorization metadata.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
host=127.0.0.1:9090
if [[ $# -gt 0 && $1 != *.json && $1 == *:* ]]; then
  host=$1
  shift
fi
case ${host%:*} in
  127.*|localhost|\[::1\]|::1) ;;
  *) echo "run-ghz: $host is not a loopback address; refusing" >&2; exit 2 ;;
esac

configs=()
if [[ $# -gt 0 ]]; then
  for c in "$@"; do configs+=("$(cd "$(dirname "$c")" && pwd)/$(basename "$c")"); done
else
  # complete-task first: its tasks were just claimed by Prepare; poll-task last: it claims what
  # the submit configs scheduled
  for name in complete-task submit-batch-1 submit-batch-10 submit-batch-100 \
              stream-batch-1 stream-batch-10 stream-batch-100 poll-task; do
    configs+=("$root/load/ghz/$name.json")
  done
fi

jar=$root/load/target/load-driver.jar
if [[ ! -f $jar ]]; then
  (cd "$root" && ./mvnw -B -q -DskipTests install)
fi

java -cp "$jar" ai.flovyn.dispatch.load.Prepare --host "$host"

for config in "${configs[@]}"; do
  echo "=== $(basename "$config") against $host"
  # ghz may read proto paths relative to the working directory: run from the config's folder,
  # where they are also relative to the config file
  if command -v ghz >/dev/null 2>&1; then
    auth=()
    if [[ -n ${DISPATCH_TOKEN:-} ]]; then
      auth=(--metadata "{\"authorization\":\"Bearer $DISPATCH_TOKEN\"}")
    fi
    (cd "$(dirname "$config")" && ghz --config "$(basename "$config")" ${auth[@]+"${auth[@]}"} "$host")
  else
    java -jar "$jar" --config "$config" --host "$host"
  fi
done
