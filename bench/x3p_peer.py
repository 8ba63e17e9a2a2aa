#!/usr/bin/python3
"""Peer baseline for reading an X3P: Python's zipfile + NumPy, as a scientist writes it.

    /usr/bin/python3 bench/x3p_peer.py PATH/TO/bench_surface FILE.x3p [RUNS]

The peer parses main.xml (ElementTree), reads bindata/data.bin whole with zipfile (which checks
the CRC), np.frombuffer with the stored type, applies the CZ increment and offset, converts metres
to float32 micrometres, and marks NaN and valid.bin's zero bits missing. Timed with and without
hashlib.md5 of data.bin (ScarScope always checks the MD5). Then runs `bench_surface --read-x3p`
on the same file and prints CPU time peer / ScarScope. Best of RUNS, CPU time (one thread each).
"""
import hashlib
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np

TYPES = {"I": "<i2", "L": "<i4", "F": "<f4", "D": "<f8"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find(node, path):
    for name in path.split("/"):
        node = next((c for c in node if local(c.tag) == name), None)
        if node is None:
            return None
    return node


def read_x3p(path, check_md5):
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("main.xml"))
        nx = int(find(root, "Record3/MatrixDimension/SizeX").text)
        ny = int(find(root, "Record3/MatrixDimension/SizeY").text)
        cz = find(root, "Record1/Axes/CZ")
        kind = find(cz, "DataType").text.strip()
        increment = find(cz, "Increment")
        offset = find(cz, "Offset")
        inc = float(increment.text) if increment is not None and increment.text else 1.0
        off = float(offset.text) if offset is not None and offset.text else 0.0
        data = archive.read("bindata/data.bin")
        if check_md5:
            hashlib.md5(data).hexdigest()
        raw = np.frombuffer(data, dtype=TYPES[kind], count=nx * ny)
        if kind in "IL":
            heights = ((off + inc * raw) * 1e6).astype(np.float32)
        else:
            heights = ((off + raw) * 1e6).astype(np.float32)
        heights = heights.reshape(ny, nx)
        valid = np.isfinite(heights)
        link = find(root, "Record3/DataLink/ValidPointsLink")
        if link is not None and link.text:
            bits = np.unpackbits(np.frombuffer(archive.read(link.text.strip()), np.uint8), bitorder="little")
            valid &= bits[: nx * ny].reshape(ny, nx).astype(bool)
            heights[~valid] = np.nan
        return heights, valid


def best_cpu_ms(runs, work):
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, (time.process_time() - start) * 1000.0)
    return best


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    bench, path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    without_md5 = best_cpu_ms(runs, lambda: read_x3p(path, False))
    with_md5 = best_cpu_ms(runs, lambda: read_x3p(path, True))
    out = subprocess.run([bench, "--read-x3p", path, str(runs)], check=True, capture_output=True, text=True).stdout
    print(out.strip())
    ours = float(re.search(r"= [0-9.]+ \| ([0-9.]+)", out).group(1))
    print(f"peer zipfile + numpy: {without_md5:.1f} ms CPU without MD5, {with_md5:.1f} ms with hashlib.md5")
    print(f"| Read {path.rsplit('/', 1)[-1]} (X3P) | ScarScope {ours:.1f} ms | peer {with_md5:.1f} ms "
          f"(no MD5 {without_md5:.1f}) | ratio {with_md5 / ours:.2f}x ({without_md5 / ours:.2f}x) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
