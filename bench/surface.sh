#!/usr/bin/env bash
# Surface numerics (form removal, parameters, Gaussian filter, hole filling) vs NumPy/SciPy.
# Results: bench/RESULTS.md
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/surface_peer.py build-bench/bin/bench_surface 2000 3
