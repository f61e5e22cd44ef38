#!/usr/bin/env bash
# Profiles the server with JFR on the dispatch loop's calls (docs/performance.md, "Profile of the
# dispatch loop"): a fresh database on the local PostgreSQL, the server jar as a child process,
# then per phase a warm-up (--warmup, then until the server's JIT compiler settles) and a measured
# window, recorded with JFR from before the warm-up (jcmd JFR.start with the JDK's "profile"
# settings, Java stacks sampled every 1 ms: starting a recording makes the JIT recompile for a
# while), and a summary of each recording's window (PHASE.window) by load/jfr-top.py (hot frames,
# self and total, allocations).
#
# Usage: load/profile.sh [--phases submit-1,task-loop] [--seconds 20] [--warmup 15] [--workers 8]
#   task-loop: PollTask + CompleteTask on tasks queued beforehand; submit-1: SubmitWorkflowCommands
#   with one ScheduleTask, unary. Recordings and summaries: $PROFILE_OUT (load/target/profile)/PHASE.{jfr,txt};
#   --server-jar PATH profiles another build of the server (e.g. a copy of the jar before a change).
# PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust authentication.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
case $PGHOST in
  127.*|localhost|::1) ;;
  *) echo "profile: PGHOST=$PGHOST is not a loopback address; refusing" >&2; exit 2 ;;
esac
out=${PROFILE_OUT:-load/target/profile}
db=dispatch_profile_$$
cleanup() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT
mkdir -p "$out"
# the JDK's "profile" settings, sampling Java stacks every 1 ms instead of 10 ms: enough samples
# in a short window on a machine where the server gets only part of a core
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
sed 's|<setting name="period" control="method-sampling-java-interval">[^<]*<|<setting name="period" control="method-sampling-java-interval">1 ms<|' \
  "$java_home/lib/jfr/profile.jfc" > "$out/profile-1ms.jfc"
psql -q -d postgres -c "CREATE DATABASE $db"
java -cp load/target/load-driver.jar ai.flovyn.dispatch.load.Profile \
  --db-url "jdbc:postgresql://$PGHOST:$PGPORT/$db" --out "$out" --jfc "$out/profile-1ms.jfc" "$@"
for jfr in "$out"/*.jfr; do
  python3 load/jfr-top.py "$jfr" > "${jfr%.jfr}.txt"
  echo "profile: $jfr -> ${jfr%.jfr}.txt"
done
