# Sourced by load/bench.sh, load/peer-bench.sh and load/soak.sh after `cd "$root"` (the repository),
# with the script's arguments: unless they hold --shared-pg, re-runs the script under
# load/own-pg.sh (a PostgreSQL instance of its own); with it, uses PGHOST/PGPORT/PGUSER
# (127.0.0.1, 5432, postgres), loopback only. Leaves the arguments without --shared-pg in
# bench_args and builds the jars when one is missing.
bench_shared=0
bench_args=()
for bench_arg in "$@"; do
  if [[ $bench_arg == --shared-pg ]]; then bench_shared=1; else bench_args+=("$bench_arg"); fi
done
if [[ $bench_shared == 0 && -z ${BENCH_PG_OWN:-} ]]; then
  exec load/own-pg.sh "$root/load/$(basename "$0")" "$@"
fi
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
case $PGHOST in
  127.*|localhost|::1) ;;
  *) echo "$(basename "$0"): PGHOST=$PGHOST is not a loopback address; refusing" >&2; exit 2 ;;
esac
if [[ ! -f load/target/load-driver.jar || ! -f dispatch-reactive/target/dispatch-reactive-server.jar ]]; then
  ./mvnw -B -q -DskipTests install
fi
