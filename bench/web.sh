#!/usr/bin/env bash
# The web UI's budgets (bench/web/run.mjs): first-page JavaScript, patient page interactive with
# 200 patients x 20 visits, scan overlay of a 2000 x 2000 scan; each with its peer in the same run.
# Run by ./run bench after the Release build (build/bin/scarscope) and the web build (web/dist).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT/bench/out"
node "$ROOT/bench/web/run.mjs" --scarscope "$ROOT/build/bin/scarscope" --web "$ROOT/web/dist" | tee "$ROOT/bench/out/web.md"
