#!/usr/bin/python3
"""Writes the analysis fuzz seeds (fuzz/seeds/analyze/): small height maps coded as
fuzz/fuzz_analyze_common.h reads them, from plain skin with a scar to heights no skin has."""
import math
import os
import random
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "analyze")
SPACINGS = [1, 2, 5, 10, 20, 30, 50, 100, 200]


def header(nx, ny, dx, dy, coding, tilt, scale_exponent):
    return bytes([nx - 8, ny - 8, SPACINGS.index(dx) | (SPACINGS.index(dy) << 4),
                  coding | ((tilt + 32) << 2), scale_exponent + 24])


def grid(nx, ny, height):
    return [[height(c, r) for c in range(nx)] for r in range(ny)]


def int16_body(values):
    return b"".join(struct.pack("<h", max(-32768, min(32767, int(round(v))))) for row in values for v in row)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def bowl(cx, cy, radius, depth):
    def height(c, r):
        d = math.hypot(c - cx, r - cy) / radius
        return -depth * 0.5 * (1 + math.cos(math.pi * d)) if d < 1 else 0.0
    return height


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(1)
    write("flat", header(56, 56, 20, 20, 0, 0, 0) + int16_body(grid(56, 56, lambda c, r: 0)))
    pit = bowl(32, 32, 14, 150)
    write("pit", header(64, 64, 50, 50, 0, 0, 0) + int16_body(grid(64, 64, lambda c, r: pit(c, r) + rnd.gauss(0, 2))))
    dome = bowl(30, 20, 10, -200)
    write("dome", header(64, 40, 30, 30, 0, 0, 0) + int16_body(grid(64, 40, dome)))
    write("tilt_noise", header(40, 40, 10, 10, 2, 20, -1) + bytes(rnd.randrange(256) for _ in range(1600)))
    holes = [[(-32768 if rnd.random() < 0.1 else pit(c, r)) for c in range(64)] for r in range(64)]
    write("holes", header(64, 64, 50, 50, 3, 0, 0) + int16_body(holes))
    patch = grid(40, 40, lambda c, r: 30000 if 10 <= c < 15 and 10 <= r < 15 else 0)
    write("extreme_patch", header(40, 40, 20, 20, 0, 0, 30) + int16_body(patch))
    floats = [1e30, -1e30, float("nan"), float("inf"), 1e-40, 0.0, 12.5, -7.25, 3e38, -2.0]
    write("raw_floats", header(16, 16, 5, 5, 1, 0, 0) + b"".join(struct.pack("<f", floats[i % len(floats)]) for i in range(256)))
    write("anisotropic", header(64, 12, 1, 200, 0, 0, 0) + int16_body(grid(64, 12, bowl(32, 6, 5, 80))))
    write("empty", header(8, 8, 10, 10, 0, 5, 0))


if __name__ == "__main__":
    main()
