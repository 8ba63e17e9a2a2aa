# Shared by bench/server.sh and bench/scale.sh (sourced, not run; not named *.sh, so ./run bench
# does not run it): `scarscope serve` processes, nginx (a static ceiling, or a load balancer in
# front of several servers), wrk with bench/server_wrk.lua, and a PostgreSQL record of its own.
# The caller sets ROOT, CLI, WORK, CONNECTIONS and SECONDS_PER_LOAD first.
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wrk against 127.0.0.1:PORT: mode, token -> "requests/s p50 p99 errors"
run_wrk() {
  local port="$1" mode="$2" token="${3:-}" path="${4:-/}"
  BENCH_TOKEN="$token" BENCH_MODE="$mode" BENCH_IDS="$WORK/ids.txt" BENCH_PATH="$path" \
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_LOAD}s" -s "$ROOT/bench/server_wrk.lua" "http://127.0.0.1:$port" \
    | awk '/^RESULT/ {print $2, $3, $4, $5}'
}

# Starts `scarscope serve` on the record ($@: --data DIR or --db URL, and more options); its port
# in PORT. (Not in a command substitution: the process must be this shell's child, to be stopped.)
start_server() {
  local port; port="$(free_port)"
  "$CLI" serve "$@" --listen "127.0.0.1:$port" --workers 0 --log-level warn >"$WORK/serve-$port.out" 2>"$WORK/serve-$port.log" &
  PIDS+=($!)
  local waited=0
  until grep -q "serving" "$WORK/serve-$port.out" 2>/dev/null; do
    sleep 0.1; waited=$((waited + 1))
    if [ $waited -gt 300 ]; then echo "server did not start: $(cat "$WORK/serve-$port.log")" >&2; exit 1; fi
  done
  PORT="$port"
}

stop_server() {  # the last one started
  local pid="${PIDS[-1]}"
  kill "$pid" && wait "$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}

# nginx on a free port (2 workers, no access log); its port in PORT. No arguments: it serves
# $WORK/static (the ceiling). With ports: it balances /api/ over those servers (an upstream block
# with keep-alive connections, as in the README's "Running on many machines").
start_nginx() {
  local port; port="$(free_port)"
  mkdir -p "$WORK/nginx/logs" "$WORK/nginx/temp"
  local site="root $WORK/static;" probe="/patient.json"
  local upstream=""
  if [ $# -gt 0 ]; then
    local server_port
    upstream="upstream scarscope {"
    for server_port in "$@"; do upstream+=" server 127.0.0.1:$server_port;"; done
    upstream+=" keepalive 64; }"
    site="location /api/ { proxy_pass http://scarscope; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header X-Real-IP \$remote_addr; }"
    probe="/api/v1/healthz"
  fi
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/temp;
  proxy_temp_path $WORK/nginx/temp;
  keepalive_requests 1000000;
  default_type application/json;
  $upstream
  server {
    listen 127.0.0.1:$port;
    $site
  }
}
CONF
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
  PIDS+=($!)
  local waited=0
  until curl -sf "http://127.0.0.1:$port$probe" >/dev/null 2>&1; do
    sleep 0.1; waited=$((waited + 1))
    if [ $waited -gt 100 ]; then echo "nginx did not start: $(cat "$WORK/nginx/logs/error.log")" >&2; exit 1; fi
  done
  PORT="$port"
}

# A new PostgreSQL record on the server of SCARSCOPE_TEST_POSTGRES_URL (a superuser URL), made by its
# owner, with a clinician bench@clinic.test (password $PASSWORD); the URL the application uses (a
# non-owner role: row-level security applies, as in production) in APP_URL, the database in
# BENCH_DATABASE (drop it with drop_postgres_record).
make_postgres_record() {
  BENCH_DATABASE="scarscope_bench_$$_${1:-0}"
  psql -q "$SCARSCOPE_TEST_POSTGRES_URL" -c "CREATE DATABASE $BENCH_DATABASE" >/dev/null
  local owner_url="${SCARSCOPE_TEST_POSTGRES_URL%/*}/$BENCH_DATABASE"
  "$CLI" init --db "$owner_url" >/dev/null
  psql -q "$owner_url" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_bench') THEN CREATE ROLE scarscope_bench LOGIN; END IF; END \$\$" \
    -c "GRANT scarscope_app TO scarscope_bench" >/dev/null
  printf '%s\n' "$PASSWORD" | "$CLI" users add --db "$owner_url" --clinic "Bench Clinic" --email bench@clinic.test \
    --role clinician >/dev/null
  APP_URL="$(printf '%s' "$owner_url" | sed 's#://[^@]*@#://scarscope_bench@#')"
}

drop_postgres_record() {
  psql -q "$SCARSCOPE_TEST_POSTGRES_URL" -c "DROP DATABASE $BENCH_DATABASE WITH (FORCE)" >/dev/null
}
