#!/usr/bin/python3
"""Peer baseline for `scarscope synth`: numpy doing the same main work on a 40 x 40 mm grid at
20 um (2000 x 2000): spectral fBm roughness (white noise -> FFT -> k^-(H+1) filter -> inverse FFT),
a paraboloid form, pores, 19 scars rendered over their bounding boxes (V, U, M, dome profiles
with elliptical outlines), and white noise. It leaves out the furrow network and the instrument
dropouts, so it does less than the C++ generator. Prints the seconds it took.
Run with Debian's /usr/bin/python3 (numpy 1.24)."""
import sys
import time

import numpy as np


def profile(kind, u):
    u = np.clip(u, 0.0, 1.0)
    if kind == "V":
        return (1.0 - u) ** 1.2
    if kind == "U":
        s = np.clip((u - 0.8) / 0.2, 0.0, 1.0)
        return 1.0 - s * s * (3.0 - 2.0 * s)
    if kind == "M":
        return 0.5 * (1.0 + np.cos(np.pi * u))
    return 1.0 - u * u  # dome


def generate(n=2000, spacing_mm=0.02, seed=1):
    rng = np.random.default_rng(seed)
    # fBm roughness
    noise = rng.standard_normal((n, n)).astype(np.float32)
    k = np.sqrt(np.fft.fftfreq(n, spacing_mm)[:, None] ** 2 + np.fft.rfftfreq(n, spacing_mm)[None, :] ** 2)
    gain = np.where((k > 0) & (k <= 25.0), np.maximum(k, 0.25) ** -1.7, 0.0)
    rough = np.fft.irfft2(np.fft.rfft2(noise) * gain, s=(n, n)).astype(np.float32)
    rough *= 4.0 / rough.std()
    # form
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) * spacing_mm
    z = -1000.0 * ((x - 22.0) ** 2 / 160.0 + (y - 18.0) ** 2 / 200.0) + rough
    # pores
    for _ in range(640):
        cx, cy, r, d = rng.uniform(0, 40), rng.uniform(0, 40), rng.uniform(0.025, 0.125), rng.uniform(15, 60)
        c0, c1 = max(0, int((cx - r) / spacing_mm)), min(n, int((cx + r) / spacing_mm) + 2)
        r0, r1 = max(0, int((cy - r) / spacing_mm)), min(n, int((cy + r) / spacing_mm) + 2)
        q = ((x[r0:r1, c0:c1] - cx) ** 2 + (y[r0:r1, c0:c1] - cy) ** 2) / (r * r)
        z[r0:r1, c0:c1] -= np.where(q < 1, d * (1 - q) ** 2, 0)
    # scars
    kinds = ["V"] * 7 + ["U"] * 6 + ["M"] * 5 + ["dome"]
    for kind in kinds:
        diameter = {"V": 1.0, "U": 3.0, "M": 7.0, "dome": 3.0}[kind]
        depth = {"V": 800.0, "U": 400.0, "M": 200.0, "dome": -500.0}[kind]
        cx, cy = rng.uniform(5, 35), rng.uniform(5, 35)
        a = diameter / 2.0
        b = a * rng.uniform(0.6, 1.0)
        angle = rng.uniform(0, np.pi)
        c0, c1 = max(0, int((cx - a) / spacing_mm)), min(n, int((cx + a) / spacing_mm) + 2)
        r0, r1 = max(0, int((cy - a) / spacing_mm)), min(n, int((cy + a) / spacing_mm) + 2)
        dx, dy = x[r0:r1, c0:c1] - cx, y[r0:r1, c0:c1] - cy
        qx = (dx * np.cos(angle) + dy * np.sin(angle)) / a
        qy = (-dx * np.sin(angle) + dy * np.cos(angle)) / b
        theta = np.arctan2(qy, qx)
        u = np.sqrt(qx * qx + qy * qy) / (1.0 + 0.05 * np.cos(3 * theta))
        z[r0:r1, c0:c1] -= depth * profile(kind, u)
    z += rng.standard_normal((n, n)).astype(np.float32) * 2.0
    return z


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    best = None
    best_cpu = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        generate()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"numpy peer: 2000 x 2000 synthetic skin in {best:.2f} s wall, {best_cpu:.2f} s CPU (best of {runs})")
