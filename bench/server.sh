#!/usr/bin/env bash
# bench/server: `scarscope serve` under wrk (Debian's) with 32 keep-alive connections on this
# machine, on SQLite and on PostgreSQL: GET /patients/{id} (a random one of 1,000, read audit on),
# a page of 50 patients, and a mixed load (90 % reads, 10 % treatment sessions written). In the same
# run nginx serves static JSON files of the same sizes: the ceiling for HTTP on this machine.
# Prints requests/s, p50 and p99 and the ratio to nginx; Markdown in bench/out/server.md.
#
# One command, after `./run build` (the Release build in build/):   bash bench/server.sh
# PostgreSQL: SCARSCOPE_TEST_POSTGRES_URL (a superuser URL; ./run bench sets it), else the script
# starts a durable throwaway PostgreSQL itself (./run's start_test_postgres) and stops it at the end.
# SERVER_BENCH_ENGINES (default "sqlite postgres"); SERVER_BENCH_SECONDS (default 10) per load;
# SCARSCOPE_CLI another scarscope binary (e.g. build-test/bin/scarscope).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BENCH_ROOT="$ROOT"
ENGINES="${SERVER_BENCH_ENGINES:-sqlite postgres}"
CLI="${SCARSCOPE_CLI:-$ROOT/build/bin/scarscope}"  # ./run bench builds build/ (Release)
SECONDS_PER_LOAD="${SERVER_BENCH_SECONDS:-10}"
CONNECTIONS=32
WORK="$ROOT/bench/out/server-work"
rm -rf "$WORK" && mkdir -p "$WORK"
PASSWORD="bench password 1234"
# The servers, nginx, wrk and the PostgreSQL record: bench/server_lib.bash (shared with bench/scale.sh).
source "$ROOT/bench/server_lib.bash"
OWN_POSTGRES=0
trap 'cleanup; if [ "$OWN_POSTGRES" = 1 ]; then stop_test_postgres; fi' EXIT
if [[ " $ENGINES " == *" postgres "* ]] && [ -z "${SCARSCOPE_TEST_POSTGRES_URL:-}" ]; then
  # ./run's helpers without its command dispatch: start_test_postgres (durable: fsync and
  # synchronous_commit on, as a clinic would run it) exports SCARSCOPE_TEST_POSTGRES_URL.
  # shellcheck disable=SC1090
  source <(sed '/^case "\${1:-}" in/,$d' "$ROOT/run")
  ROOT="$BENCH_ROOT"  # ./run's own ROOT (and its cd) point at the pipe it was read from
  cd "$ROOT"
  start_test_postgres durable
  OWN_POSTGRES=1
fi

row() {  # engine, load, result, ceiling result
  local engine="$1" load="$2" result="$3" ceiling="$4"
  read -r rps p50 p99 errors <<<"$result"
  read -r crps cp50 cp99 _ <<<"$ceiling"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$engine" "$load" "$rps" "$p50" "$p99" \
    "$(awk -v a="$rps" -v b="$crps" 'BEGIN {printf "%.2f", a / b}')" "$errors"
}

# Measures a record whose bench user exists; $1: engine label, then serve's record arguments.
measure() {
  local engine="$1"; shift
  start_server "$@"
  local port="$PORT"
  local token; token="$(/usr/bin/python3 "$ROOT/bench/server_seed.py" "http://127.0.0.1:$port" bench@clinic.test \
    "$PASSWORD" 1000 "$WORK/ids.txt")"
  # The static files the ceiling serves: as large as the server's answers.
  mkdir -p "$WORK/static"
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/patients/$(head -1 "$WORK/ids.txt")" \
    >"$WORK/static/patient.json"
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/patients?limit=50" >"$WORK/static/page.json"
  local read page mixed
  read="$(run_wrk "$port" read "$token")"
  page="$(run_wrk "$port" page "$token")"
  mixed="$(run_wrk "$port" mixed "$token")"
  stop_server
  # The ceiling, in the same run, right after.
  start_nginx
  local nginx_port="$PORT"
  local ceiling_patient ceiling_page
  ceiling_patient="$(run_wrk "$nginx_port" static "" /patient.json)"
  ceiling_page="$(run_wrk "$nginx_port" static "" /page.json)"
  stop_server
  row "$engine" "GET /patients/{id} ($(wc -c <"$WORK/static/patient.json") B, read audited)" "$read" "$ceiling_patient"
  row "$engine" "GET /patients?limit=50 ($(wc -c <"$WORK/static/page.json") B)" "$page" "$ceiling_page"
  row "$engine" "mixed: 90 % reads, 10 % session writes" "$mixed" "$ceiling_patient"
  row "$engine" "nginx: the patient's answer as a static file" "$ceiling_patient" "$ceiling_patient"
  row "$engine" "nginx: the page as a static file" "$ceiling_page" "$ceiling_page"
}

{
  echo "bench/server on $(hostname), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $CLI"
  echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_LOAD}s, keep-alive; server: --workers 0 --log-level warn, default 64 connection threads"
  echo
  echo "| engine | load | requests/s | p50 ms | p99 ms | ratio to nginx | errors |"
  echo "|---|---|---|---|---|---|---|"
  if [[ " $ENGINES " == *" sqlite "* ]]; then
    "$CLI" init --data "$WORK/sqlite-record" >/dev/null
    printf '%s\n' "$PASSWORD" | "$CLI" users add --data "$WORK/sqlite-record" --clinic "Bench Clinic" \
      --email bench@clinic.test --role clinician >/dev/null
    measure SQLite --data "$WORK/sqlite-record"
  fi
  if [[ " $ENGINES " != *" postgres "* ]]; then
    :
  elif [ -n "${SCARSCOPE_TEST_POSTGRES_URL:-}" ]; then
    make_postgres_record
    measure PostgreSQL --db "$APP_URL"
    drop_postgres_record
  else
    echo "| PostgreSQL | (left out: SCARSCOPE_TEST_POSTGRES_URL is not set; ./run bench sets it) | | | | | |"
  fi
} | tee "$ROOT/bench/out/server.md"
