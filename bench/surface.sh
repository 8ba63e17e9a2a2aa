#!/usr/bin/env bash
# Surface numerics (form removal, parameters, Gaussian filter, hole filling) vs NumPy/SciPy, and
# reading a 2000 x 2000 X3P (float64, 20 um) vs Python's zipfile + NumPy. Results: bench/RESULTS.md
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/surface_peer.py build-bench/bin/bench_surface 2000 3
scan=$(mktemp -d)/cheek_2000.x3p
build-bench/bin/scarscope synth --preset cheek --seed 7 --size-mm 40 40 --out "$scan" > /dev/null
/usr/bin/python3 bench/x3p_peer.py build-bench/bin/bench_surface "$scan" 5
echo "unzip -p (the yardstick of issue 6): $( { /usr/bin/time -f '%U %S' unzip -p "$scan" bindata/data.bin > /dev/null; } 2>&1 | awk '{printf "%.0f ms CPU", ($1 + $2) * 1000}')"
rm -rf "$(dirname "$scan")"
