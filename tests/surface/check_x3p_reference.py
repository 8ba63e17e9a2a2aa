#!/usr/bin/python3
"""Checks `scarscope info --json` on every X3P in tests/data/x3p/ against an independent reader
(Python's zipfile + xml.etree + NumPy, nothing shared with ScarScope's C++ reader).

    /usr/bin/python3 check_x3p_reference.py PATH_TO_SCARSCOPE

For each file: nx, ny, dx_um, dy_um, valid point count, z min/max in micrometres and the checksum
status. Exit 1 with the differences printed if ScarScope disagrees beyond float32 precision.
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "x3p")
DTYPES = {"I": "<i2", "L": "<i4", "F": "<f4", "D": "<f8"}


def local(tag):
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def find(node, *path):
    """Child elements by local name, namespace ignored."""
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if local(c.tag) == name), None)
    return node


def text(node, *path):
    node = find(node, *path)
    return (node.text or "").strip() if node is not None else ""


def is_junk(name):
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"


def reference(path):
    z = zipfile.ZipFile(path)
    names = [n for n in z.namelist() if not is_junk(n) and not n.endswith("/")]
    main = min((n for n in names if n.rsplit("/", 1)[-1] == "main.xml"), key=lambda n: n.count("/"))
    prefix = main[: -len("main.xml")]
    xml_bytes = z.read(main)
    root = ET.fromstring(xml_bytes)
    axes = find(root, "Record1", "Axes")
    ztype = text(axes, "CZ", "DataType")
    nx = int(text(root, "Record3", "MatrixDimension", "SizeX"))
    ny = int(text(root, "Record3", "MatrixDimension", "SizeY"))
    link = text(root, "Record3", "DataLink", "PointDataLink")
    data_bytes = z.read(prefix + link)
    values = np.frombuffer(data_bytes, dtype=DTYPES[ztype], count=nx * ny).astype(np.float64)
    if ztype in "IL":
        increment = float(text(axes, "CZ", "Increment") or 1)
        offset = float(text(axes, "CZ", "Offset") or 0)
        values = offset + increment * values
    else:
        # Float data is stored in metres; x3ptools writes CZ Increment 1e-6 there as a note, not a scale.
        offset = text(axes, "CZ", "Offset")
        values = values + (float(offset) if offset else 0.0)
    heights_um = (values * 1e6).astype(np.float32).reshape(ny, nx)
    valid = np.isfinite(heights_um)
    valid_link = text(root, "Record3", "DataLink", "ValidPointsLink")
    if valid_link:
        bits = np.unpackbits(np.frombuffer(z.read(prefix + valid_link), np.uint8), bitorder="little")
        valid &= bits[: nx * ny].reshape(ny, nx).astype(bool)

    checksum_ok = True
    checksum_file = prefix + (text(root, "Record4", "ChecksumFile") or "md5checksum.hex")
    if checksum_file in z.namelist():
        stored = z.read(checksum_file).decode("ascii", "replace").split()[0].lower()
        checksum_ok &= stored == hashlib.md5(xml_bytes).hexdigest()
    else:
        checksum_ok = False
    stored_data = text(root, "Record3", "DataLink", "MD5ChecksumPointData").lower()
    checksum_ok &= stored_data == hashlib.md5(data_bytes).hexdigest()

    return {
        "nx": nx,
        "ny": ny,
        "dx_um": float(text(axes, "CX", "Increment")) * 1e6,
        "dy_um": float(text(axes, "CY", "Increment")) * 1e6,
        "valid_points": int(valid.sum()),
        "z_min_um": float(heights_um[valid].min()) if valid.any() else None,
        "z_max_um": float(heights_um[valid].max()) if valid.any() else None,
        "checksum_ok": bool(checksum_ok),
    }


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, int) and isinstance(b, int):
        return a == b
    # float32 precision: heights are float32 micrometres, spacings doubles.
    return math.isclose(float(a), float(b), rel_tol=2e-7, abs_tol=1e-9)


def main():
    if len(sys.argv) != 2:
        print("usage: check_x3p_reference.py PATH_TO_SCARSCOPE", file=sys.stderr)
        return 2
    cli = sys.argv[1]
    files = sorted(f for f in os.listdir(DATA) if f.endswith(".x3p"))
    if not files:
        print(f"no .x3p files in {DATA}", file=sys.stderr)
        return 1
    failures = 0
    for name in files:
        path = os.path.join(DATA, name)
        expected = reference(path)
        run = subprocess.run([cli, "info", path, "--json"], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{name}: scarscope info exited {run.returncode}: {run.stderr.strip()}")
            failures += 1
            continue
        scan = json.loads(run.stdout)["scan"]
        differences = [f"{key}: independent {value!r}, scarscope {scan.get(key)!r}"
                       for key, value in expected.items() if not close(value, scan.get(key))]
        facts = ", ".join(f"{k}={v}" for k, v in expected.items())
        if differences:
            failures += 1
            print(f"{name}: DIFFERS\n  " + "\n  ".join(differences))
        else:
            print(f"{name}: agrees ({facts})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
