#!/usr/bin/python3
"""Peer baseline for bench_surface: the same operations with NumPy/SciPy on the same map size.

    /usr/bin/python3 bench/surface_peer.py [PATH/TO/bench_surface] [SIZE] [RUNS]

Times numpy least-squares form fits (plane and degree 2, valid points only), ISO height
parameters and Sdq/Sdr written with numpy, and scipy.ndimage.gaussian_filter used the same
mask-aware way (filter(z*w) / filter(w), outside = missing), at sigma 7.5 px and 75 px (cutoffs
0.8 mm and 8 mm at 20 um). With the bench_surface binary given, runs it (one OpenCV thread) and
prints the ratio peer / ScarScope of CPU time for each matching row. Best of RUNS; both sides run
on one thread, so CPU time is the work itself even when other jobs load the machine. Debian's numpy and scipy live
in /usr/bin/python3 only.
"""
import math
import os
import re
import subprocess
import sys
import time

# One thread on both sides (numpy's BLAS would otherwise use every core for lstsq).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402


def best_ms(runs, work):
    """Best wall-clock and best process CPU time in ms (CPU is steadier on a loaded machine)."""
    best_wall = best_cpu = float("inf")
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        work()
        best_cpu = min(best_cpu, (time.process_time() - cpu_start) * 1000.0)
        best_wall = min(best_wall, (time.perf_counter() - start) * 1000.0)
    return best_wall, best_cpu


def skin_like(n, dx):
    """Same kind of surface as bench_surface (curvature, waviness, roughness), float32 um."""
    rng = np.random.default_rng(42)
    x = np.arange(n) * dx / 1000.0
    X, Y = np.meshgrid(x, x)
    z = 30.0 * (X - 20.0) ** 2 / 40.0 + 15.0 * (Y - 20.0) ** 2 / 40.0
    z += 25.0 * np.sin(2 * np.pi * X / 7.0) * np.cos(2 * np.pi * Y / 9.0)
    z += 6.0 * np.sin(2 * np.pi * (X + 0.3 * Y) / 0.9)
    z += rng.normal(0.0, 2.0, z.shape)
    return z.astype(np.float32)


def remove_form(z, valid, degree):
    ny, nx = z.shape
    u = (np.arange(nx) - 0.5 * (nx - 1)) / (0.5 * (nx - 1))
    v = (np.arange(ny) - 0.5 * (ny - 1)) / (0.5 * (ny - 1))
    U, V = np.meshgrid(u, v)
    terms = [(i, t - i) for t in range(degree + 1) for i in range(t, -1, -1)]
    uu, vv = U[valid], V[valid]
    A = np.stack([uu ** i * vv ** j for i, j in terms], axis=1)
    coefficients, *_ = np.linalg.lstsq(A, z[valid].astype(np.float64), rcond=None)
    form = sum(c * U ** i * V ** j for c, (i, j) in zip(coefficients, terms))
    return np.where(valid, z - form, np.nan).astype(np.float32)


def parameters(z, dx, dy):
    valid = np.isfinite(z)
    h = z[valid].astype(np.float64)
    h -= h.mean()
    sq = math.sqrt(np.mean(h * h))
    result = {"Sa": np.mean(np.abs(h)), "Sq": sq, "Sp": h.max(), "Sv": -h.min(),
              "Ssk": np.mean(h ** 3) / sq ** 3, "Sku": np.mean(h ** 4) / sq ** 4}
    gy, gx = np.gradient(z.astype(np.float64), dy, dx)
    g2 = (gx * gx + gy * gy)[np.isfinite(gx) & np.isfinite(gy)]
    result["Sdq"] = math.sqrt(g2.mean())
    a, b, c, d = z[:-1, :-1].astype(np.float64), z[:-1, 1:], z[1:, :-1], z[1:, 1:]
    m = 0.25 * (a + b + c + d)
    excess = (np.sqrt(1 + ((b - a) / dx) ** 2 + ((2 * m - a - b) / dy) ** 2) +
              np.sqrt(1 + ((d - c) / dx) ** 2 + ((c + d - 2 * m) / dy) ** 2) +
              np.sqrt(1 + ((d - b) / dy) ** 2 + ((b + d - 2 * m) / dx) ** 2) +
              np.sqrt(1 + ((c - a) / dy) ** 2 + ((2 * m - a - c) / dx) ** 2)) / 4 - 1
    result["Sdr"] = 100 * np.nanmean(excess)
    return result


def masked_gaussian(z, valid, sigma_px):
    w = valid.astype(np.float32)
    zw = np.where(valid, z, 0).astype(np.float32)
    low_zw = ndimage.gaussian_filter(zw, sigma_px, mode="constant", truncate=4.0)
    low_w = ndimage.gaussian_filter(w, sigma_px, mode="constant", truncate=4.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(low_w > 1e-3, low_zw / low_w, np.nan)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else None
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    dx = 20.0
    z = skin_like(n, dx)
    valid = np.ones(z.shape, dtype=bool)
    sigma = lambda cutoff_um: cutoff_um * math.sqrt(math.log(2) / 2) / math.pi / dx

    peer = {}
    peer["remove_form degree 1"] = best_ms(runs, lambda: remove_form(z, valid, 1))
    peer["remove_form degree 2"] = best_ms(runs, lambda: remove_form(z, valid, 2))
    levelled = remove_form(z, valid, 2)
    peer["compute_surface_parameters"] = best_ms(runs, lambda: parameters(levelled, dx, dx))
    peer["gaussian_filter cutoff 0.8 mm"] = best_ms(runs, lambda: masked_gaussian(z, valid, sigma(800.0)))
    peer["gaussian_filter cutoff 8.0 mm"] = best_ms(runs, lambda: masked_gaussian(z, valid, sigma(8000.0)))
    peer["plain scipy gaussian_filter sigma 75 px (one plane)"] = best_ms(
        runs, lambda: ndimage.gaussian_filter(z, sigma(8000.0), mode="constant", truncate=4.0))

    print(f"Peer (numpy {np.__version__}, scipy {__import__('scipy').__version__}), {n} x {n}, best of {runs}\n")
    ours = {}
    if binary:
        output = subprocess.run([binary, str(n), str(runs), "1"], check=True, capture_output=True, text=True).stdout
        print(output)
        for line in output.splitlines():
            match = re.match(r"\| (.+?) \| ([0-9.]+) \| ([0-9.]+) \|", line)
            if match:
                ours[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    print("| Operation | NumPy/SciPy wall / CPU ms | ScarScope wall / CPU ms | peer / ScarScope (CPU) |")
    print("|---|---|---|---|")
    for name, (peer_wall, peer_cpu) in peer.items():
        mine = next((ms for label, ms in ours.items()
                     if label.startswith(name) and ("direct" not in label) and "missing" not in label), None)
        if mine is None:
            print(f"| {name} | {peer_wall:.1f} / {peer_cpu:.1f} | – | – |")
        else:
            print(f"| {name} | {peer_wall:.1f} / {peer_cpu:.1f} | {mine[0]:.1f} / {mine[1]:.1f} | "
                  f"{peer_cpu / mine[1]:.1f} |")


if __name__ == "__main__":
    main()
