#!/usr/bin/env bash
# bench/scale: ScarScope scaled out on one PostgreSQL database (issue 20), on this machine.
#   1. Analysis throughput (scans/min) of `scarscope worker` processes (one job thread each) with 1
#      and 2 processes: the 2000 x 2000 demo-size scan (synth cheek, 40 mm at 20 um) and a suite
#      mix (the six presets at the synthetic suites' grids, bench/make_suite). Peer in the same
#      run: `scarscope analyze` of the same files one after another (one process, OpenCV's own
#      threads): what one machine does without the queue.
#   2. The server's read benchmark (bench/server.sh's GET /patients/{id}, read audited) through
#      nginx balancing 1 and 2 `scarscope serve` processes; ceiling: nginx serving the answer as a
#      static file.
#   3. At the database: job claims/s and blob reads/s (build-bench/bin/bench_scale_db) beside bare
#      libpq doing the least the same work needs.
# Prints ratios; Markdown in bench/out/scale.md. Needs SCARSCOPE_TEST_POSTGRES_URL (a superuser URL;
# ./run bench starts a durable server). SCALE_BENCH_SCANS (default 24) scans per throughput run;
# SERVER_BENCH_SECONDS (default 10) per wrk load; SCARSCOPE_CLI another scarscope binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
CLI="${SCARSCOPE_CLI:-$ROOT/build/bin/scarscope}"  # ./run bench builds build/ (Release)
DB_BENCH="${SCARSCOPE_BENCH_SCALE_DB:-$ROOT/build-bench/bin/bench_scale_db}"
SECONDS_PER_LOAD="${SERVER_BENCH_SECONDS:-10}"
SCANS="${SCALE_BENCH_SCANS:-24}"
CONNECTIONS=32
WORK="$ROOT/bench/out/scale-work"
PASSWORD="bench password 1234"
rm -rf "$WORK" && mkdir -p "$WORK"
source "$ROOT/bench/server_lib.bash"
if [ -z "${SCARSCOPE_TEST_POSTGRES_URL:-}" ]; then
  echo "bench/scale needs PostgreSQL: set SCARSCOPE_TEST_POSTGRES_URL (./run bench does)" >&2
  exit 2
fi

# The scans: the demo-size cheek, and the mix.
"$CLI" synth --seed 1 --preset cheek --out "$WORK/demo.x3p" >/dev/null
MIX=()
grids=("10 15 15" "20 30 30" "25 40 30" "30 50 50" "20 25 25" "40 30 30")
presets=(cheek forehead severe mild clear hard)
for index in "${!presets[@]}"; do
  read -r spacing width height <<<"${grids[$index]}"
  "$CLI" synth --seed $((100 + index)) --preset "${presets[$index]}" --spacing-um "$spacing" --size-mm "$width" "$height" \
    --out "$WORK/mix-$index.x3p" >/dev/null
  MIX+=("$WORK/mix-$index.x3p")
done

api() {  # method path [json body] -> the answer (token in TOKEN, server in BASE)
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -sf -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body" "$BASE$path"
  else
    curl -sf -X "$method" -H "Authorization: Bearer $TOKEN" "$BASE$path"
  fi
}

# Queues $SCANS analyses of the files given (round robin) through the server at BASE, each scan
# of a patient of its own (two scans of one patient's region would queue their comparison too).
queue_scans() {
  local patient visit i=0
  local files=("$@")
  while [ $i -lt "$SCANS" ]; do
    patient="$(api POST /patients '{"name":"Scale Bench"}' | jq -r .id)"
    visit="$(api POST "/patients/$patient/visits" '{"date":"2026-11-02","region":"left_cheek"}' | jq -r .id)"
    curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/octet-stream' \
      --data-binary "@${files[$((i % ${#files[@]}))]}" "$BASE/visits/$visit/scans?file_name=scan.x3p" >/dev/null
    i=$((i + 1))
  done
}

# scans/min of N worker processes until the queue is empty; $1: processes, then the files.
measure_workers() {
  local processes="$1"; shift
  queue_scans "$@"
  local start end pids=() p
  start="$(date +%s.%N)"
  for p in $(seq "$processes"); do
    "$CLI" worker --db "$APP_URL" --threads 1 --poll-ms 100 --until-idle --log-level warn 2>>"$WORK/worker.log" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end="$(date +%s.%N)"
  awk -v n="$SCANS" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n * 60 / (b - a)}'
}

# scans/min of `scarscope analyze` one file after another (the files given, round robin).
measure_cli() {
  local files=("$@") start end i=0
  start="$(date +%s.%N)"
  while [ $i -lt "$SCANS" ]; do
    "$CLI" analyze "${files[$((i % ${#files[@]}))]}" --json "$WORK/analysis.json" >/dev/null
    i=$((i + 1))
  done
  end="$(date +%s.%N)"
  awk -v n="$SCANS" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n * 60 / (b - a)}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

{
  echo "bench/scale on $(hostname), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $CLI"
  echo
  make_postgres_record throughput
  start_server --db "$APP_URL"
  BASE="http://127.0.0.1:$PORT/api/v1"
  TOKEN="$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"bench@clinic.test\",\"password\":\"$PASSWORD\"}" "$BASE/login" | jq -r .token)"
  echo "Analysis throughput, $SCANS scans per run (worker: --threads 1; the server queues, runs none)"
  echo
  echo "| scans | 1 worker process | 2 worker processes | 2 / 1 | peer: scarscope analyze in a loop | 1 worker / peer |"
  echo "|---|---|---|---|---|---|"
  for set in demo mix; do
    if [ "$set" = demo ]; then files=("$WORK/demo.x3p"); label="demo size, 2000 x 2000"; else files=("${MIX[@]}"); label="suite mix (6 presets, 0.1-4 M points)"; fi
    one="$(measure_workers 1 "${files[@]}")"
    two="$(measure_workers 2 "${files[@]}")"
    peer="$(measure_cli "${files[@]}")"
    echo "| $label | $one | $two | $(ratio "$two" "$one") | $peer | $(ratio "$one" "$peer") |"
  done
  failed="$(psql -tA "${SCARSCOPE_TEST_POSTGRES_URL%/*}/$BENCH_DATABASE" -c "SELECT count(*) FROM jobs WHERE state <> 'done' AND kind = 'analysis'")"
  echo
  echo "(analysis jobs not done at the end: $failed)"
  stop_server
  drop_postgres_record

  echo
  echo "The server's read benchmark through nginx (wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_LOAD}s, GET /patients/{id}, read audited)"
  echo
  echo "| behind nginx | requests/s | p50 ms | p99 ms | errors | ratio to 1 server | ratio to nginx static |"
  echo "|---|---|---|---|---|---|---|"
  make_postgres_record reads
  start_server --db "$APP_URL"
  first="$PORT"
  token="$(/usr/bin/python3 "$ROOT/bench/server_seed.py" "http://127.0.0.1:$first" bench@clinic.test "$PASSWORD" 1000 "$WORK/ids.txt")"
  mkdir -p "$WORK/static"
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$first/api/v1/patients/$(head -1 "$WORK/ids.txt")" >"$WORK/static/patient.json"
  start_server --db "$APP_URL"
  second="$PORT"
  start_nginx "$first"
  one="$(run_wrk "$PORT" read "$token")"
  stop_server
  start_nginx "$first" "$second"
  two="$(run_wrk "$PORT" read "$token")"
  stop_server
  start_nginx
  ceiling="$(run_wrk "$PORT" static "" /patient.json)"
  stop_server
  read -r rps1 p501 p991 e1 <<<"$one"
  read -r rps2 p502 p992 e2 <<<"$two"
  read -r rpsc p50c p99c ec <<<"$ceiling"
  echo "| 1 serve process | $rps1 | $p501 | $p991 | $e1 | 1.00 | $(ratio "$rps1" "$rpsc") |"
  echo "| 2 serve processes | $rps2 | $p502 | $p992 | $e2 | $(ratio "$rps2" "$rps1") | $(ratio "$rps2" "$rpsc") |"
  echo "| nginx: the answer as a static file | $rpsc | $p50c | $p99c | $ec | | 1.00 |"
  stop_server
  stop_server
  drop_postgres_record

  echo
  if [ -x "$DB_BENCH" ]; then
    "$DB_BENCH" --postgres-url "$SCARSCOPE_TEST_POSTGRES_URL" --threads 2 --claims "${SCALE_BENCH_CLAIMS:-2000}" \
      --reads "${SCALE_BENCH_READS:-200}" --blob-mb 4
  else
    echo "(the database part left out: no $DB_BENCH; ./run bench builds it)"
  fi
} | tee "$ROOT/bench/out/scale.md"
