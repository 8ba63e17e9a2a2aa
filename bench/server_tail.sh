#!/usr/bin/env bash
# bench/server_tail.sh: where the slowest 1 % of GET /patients/{id} goes (SQLite, read audit on, wrk
# -t2 -c32 keep-alive, as in bench/server.sh). In one run it prints:
# - wrk's view: p50, p99, p99.9, the slowest request, and how many requests took over 5 and 10 ms;
# - the server's own service time (GET /api/v1/metrics' histogram of the route, from the request
#   handed to the handler to the answer ready): requests over 5 and 10 ms inside the server. Slow
#   at wrk but fast inside means the time went to waiting for a thread or a core, not to the work;
# - with perf (run as root): SQLite checkpoints (how many, how long, on which thread: the writer's
#   commit or the checkpointer) and fsyncs (how many, how long), from uprobes and syscall
#   tracepoints on the server process during the load;
# - nginx serving the same answer as a static file, right after: the ceiling's own tail on this
#   machine at this moment.
# One command, after `./run build`:   bash bench/server_tail.sh
# SCARSCOPE_CLI another binary; SERVER_BENCH_SECONDS (default 10); SERVER_TAIL_PERF=0 leaves perf out.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
CLI="${SCARSCOPE_CLI:-$ROOT/build/bin/scarscope}"
SECONDS_PER_LOAD="${SERVER_BENCH_SECONDS:-10}"
CONNECTIONS=32
WORK="$ROOT/bench/out/server-tail-work"
rm -rf "$WORK" && mkdir -p "$WORK"
PASSWORD="bench password 1234"
source "$ROOT/bench/server_lib.bash"
SQLITE_LIB="$(ldd "$CLI" 2>/dev/null | awk '/libsqlite3/ {print $3}' || true)"
USE_PERF="${SERVER_TAIL_PERF:-1}"
if [ "$USE_PERF" = 1 ] && { [ "$(id -u)" != 0 ] || ! command -v perf >/dev/null || [ -z "$SQLITE_LIB" ]; }; then
  echo "(perf left out: needs root, perf and a dynamically linked libsqlite3)"
  USE_PERF=0
fi
PERF_EVENTS=()
if [ "$USE_PERF" = 1 ]; then
  perf probe -q -x "$SQLITE_LIB" -a scarscope_ckpt=sqlite3_wal_checkpoint_v2 2>/dev/null || true
  perf probe -q -x "$SQLITE_LIB" -a scarscope_ckpt_end=sqlite3_wal_checkpoint_v2%return 2>/dev/null || true
  PERF_EVENTS=(-e 'probe_libsqlite3:scarscope_ckpt*' -e syscalls:sys_enter_fsync -e syscalls:sys_exit_fsync
               -e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync)
fi

wrk_tail() {  # port, mode, token, path -> "RESULT ..." and "TAIL ..." lines
  BENCH_TOKEN="$3" BENCH_MODE="$2" BENCH_IDS="$WORK/ids.txt" BENCH_PATH="${4:-/}" \
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_LOAD}s" -s "$ROOT/bench/server_wrk.lua" "http://127.0.0.1:$1" |
    grep -E '^(RESULT|TAIL)'
}

"$CLI" init --data "$WORK/record" >/dev/null
printf '%s\n' "$PASSWORD" | "$CLI" users add --data "$WORK/record" --clinic "Bench Clinic" \
  --email bench@clinic.test --role clinician >/dev/null
start_server --data "$WORK/record"
SERVER_PID="${PIDS[-1]}"
server_port="$PORT"
token="$(/usr/bin/python3 "$ROOT/bench/server_seed.py" "http://127.0.0.1:$server_port" bench@clinic.test "$PASSWORD" 1000 \
  "$WORK/ids.txt")"
mkdir -p "$WORK/static"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$server_port/api/v1/patients/$(head -1 "$WORK/ids.txt")" \
  >"$WORK/static/patient.json"
curl -sf "http://127.0.0.1:$server_port/api/v1/metrics" >"$WORK/metrics-before.txt"
PERF_PID=""
if [ "$USE_PERF" = 1 ]; then
  perf record -q "${PERF_EVENTS[@]}" -p "$SERVER_PID" -o "$WORK/perf.data" 2>"$WORK/perf.log" &
  PERF_PID=$!
  sleep 1  # perf attaches its probes
fi
listen_overflows() { nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}'; }
overflows_before="$(listen_overflows)"
wrk_tail "$server_port" read "$token" >"$WORK/wrk-server.txt"
overflows="$(( $(listen_overflows || echo 0) - ${overflows_before:-0} ))"
if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID"; wait "$PERF_PID" || true; fi
curl -sf "http://127.0.0.1:$server_port/api/v1/metrics" >"$WORK/metrics-after.txt"
wal_bytes="$(stat -c %s "$WORK/record/scarscope.db-wal" 2>/dev/null || echo 0)"
stop_server
start_nginx
wrk_tail "$PORT" static "" /patient.json >"$WORK/wrk-nginx.txt"
stop_server
if [ "$USE_PERF" = 1 ]; then
  perf script -i "$WORK/perf.data" -F tid,time,event 2>/dev/null >"$WORK/perf.txt" || true
  perf probe -q -d 'probe_libsqlite3:scarscope_ckpt*' 2>/dev/null || true
fi

{
  echo "bench/server_tail on $(hostname), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $CLI"
  /usr/bin/python3 - "$WORK" "$wal_bytes" "$overflows" <<'PY'
import collections, re, sys
work, wal_bytes, overflows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def wrk(name):
    lines = dict(line.split(" ", 1) for line in open(f"{work}/{name}").read().splitlines())
    rps, p50, p99, errors = lines["RESULT"].split()
    p999, slowest, requests, over5, over10 = lines["TAIL"].split()
    return float(rps), float(p50), float(p99), float(p999), float(slowest), int(requests), int(over5), int(over10)

def histogram(name):
    buckets = {}
    for line in open(f"{work}/{name}"):
        m = re.match(r'scarscope_http_request_duration_seconds_bucket\{route="/patients/\{id\}",le="([^"]+)"\} (\d+)', line)
        if m: buckets[m.group(1)] = int(m.group(2))
    return buckets

print("| where | requests/s | p50 ms | p99 ms | p99.9 ms | slowest ms | requests | over 5 ms | over 10 ms |")
print("|---|---|---|---|---|---|---|---|---|")
for label, name in (("server, at wrk", "wrk-server.txt"), ("nginx (static file), at wrk", "wrk-nginx.txt")):
    rps, p50, p99, p999, slowest, n, o5, o10 = wrk(name)
    print(f"| {label} | {rps:.0f} | {p50:.3f} | {p99:.3f} | {p999:.3f} | {slowest:.1f} | {n} | {o5} ({100*o5/max(n,1):.2f} %) | {o10} ({100*o10/max(n,1):.2f} %) |")
before, after = histogram("metrics-before.txt"), histogram("metrics-after.txt")
count = {le: after.get(le, 0) - before.get(le, 0) for le in after}
total = count.get("+Inf", 0)
def over(bound):
    return total - count.get(bound, 0)
print(f"| server's own service time (/metrics) | | | | | | {total} | {over('0.005')} ({100*over('0.005')/max(total,1):.2f} %) | {over('0.01')} ({100*over('0.01')/max(total,1):.2f} %) |")
print()
print(f"WAL at the end of the load: {wal_bytes / 1e6:.1f} MB")
# The read-audit queue (bounded): entries left unwritten, the longest an entry waited for its commit,
# and how many reads found the queue full and waited for the writer.
for line in open(f"{work}/metrics-after.txt"):
    if line.startswith("scarscope_audit_"):
        print("audit: " + line.strip())
# A full accept queue drops the handshake's last ACK: the client's first request then waits for a
# retransmission (~200 ms). The server listens with SOMAXCONN; this should stay 0.
print(f"listen queue overflows during the load (TcpExtListenOverflows, whole machine): {overflows}")
try:
    lines = open(f"{work}/perf.txt").read().splitlines()
except FileNotFoundError:
    sys.exit(0)
open_calls, durations = {}, collections.defaultdict(list)
for line in lines:
    parts = line.split()
    if len(parts) < 3: continue
    tid, at, event = int(parts[0]), float(parts[1].rstrip(":")), parts[2].rstrip(":")
    kind = "checkpoint" if "scarscope_ckpt" in event else ("fsync" if "fsync" in event else "fdatasync")
    if "ckpt_end" in event or "sys_exit" in event:
        start = open_calls.pop((tid, kind), None)
        if start is not None: durations[kind].append((at - start) * 1000)
    else:
        open_calls[(tid, kind)] = at
for kind in ("checkpoint", "fsync", "fdatasync"):
    values = sorted(durations[kind])
    if not values:
        print(f"{kind}: none"); continue
    print(f"{kind}: {len(values)}, total {sum(values):.0f} ms, median {values[len(values)//2]:.2f} ms, "
          f"slowest {values[-1]:.1f} ms, over 5 ms: {sum(v > 5 for v in values)}")
PY
} | tee "$ROOT/bench/out/server_tail.md"
