#!/usr/bin/env bash
# bench/store: the clinic record on SQLite (on the disk under bench/out, WAL + synchronous=FULL) and
# on PostgreSQL (the durable throwaway server ./run bench starts: fsync and synchronous_commit on),
# each beside the bare engine doing the same work in the same run. Markdown in bench/out/store.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
work="bench/out/store-work"
rm -rf "$work" && mkdir -p "$work"
postgres=()
if [ -n "${SCARSCOPE_TEST_POSTGRES_URL:-}" ]; then postgres=(--postgres-url "$SCARSCOPE_TEST_POSTGRES_URL"); fi
{
  echo "bench/store on $(hostname), $(nproc) cores, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  build-bench/bin/bench_store --sqlite-dir "$work/record" "${postgres[@]}" --writes "${STORE_BENCH_WRITES:-300}" \
    --reads "${STORE_BENCH_READS:-20000}"
} | tee bench/out/store.md
rm -rf "$work"
