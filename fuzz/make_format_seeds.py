#!/usr/bin/env python3
"""Writes the small seed files for the height-map format fuzzers into fuzz/seeds/<format>/.

    /usr/bin/python3 fuzz/make_format_seeds.py PATH_TO_SCARSCOPE

TIFF and PNG seeds are made by `scarscope convert` from a tiny CSV (so they are what ScarScope
writes) plus hand-built variants; CSV, XYZ, PLY, OBJ and STL seeds are written directly.
"""
import math
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))


def out(fmt, name, data):
    folder = os.path.join(ROOT, "seeds", fmt)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def tiff(entries, strips, little=True):
    """A minimal baseline TIFF: entries is [(tag, type, count, value_or_bytes)], data appended."""
    e = "<" if little else ">"
    header = (b"II*\0" if little else b"MM\0*") + struct.pack(e + "I", 8)
    n = len(entries)
    ifd_size = 2 + 12 * n + 4
    data_offset = 8 + ifd_size
    blob = b""
    ifd = struct.pack(e + "H", n)
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 11: 4, 12: 8}
    for tag, typ, count, value in sorted(entries, key=lambda t: t[0]):
        if isinstance(value, bytes):
            raw = value
        elif typ == 3:
            raw = b"".join(struct.pack(e + "H", v) for v in (value if isinstance(value, list) else [value]))
        elif typ == 5:
            raw = struct.pack(e + "II", *value)
        else:
            raw = b"".join(struct.pack(e + "I", v) for v in (value if isinstance(value, list) else [value]))
        if len(raw) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, count) + raw.ljust(4, b"\0")
        else:
            ifd += struct.pack(e + "HHII", tag, typ, count, data_offset + len(blob))
            blob += raw
    ifd += struct.pack(e + "I", 0)
    return header + ifd + blob, data_offset + len(blob)


def float_tiff(width, height, values, little=True, tiled=False, bits=32, sample_format=3):
    e = "<" if little else ">"
    code = {(32, 3): "f", (64, 3): "d", (16, 1): "H", (16, 2): "h", (8, 1): "B"}[(bits, sample_format)]
    pixels = b"".join(struct.pack(e + code, v) for v in values)
    base = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, bits), (259, 3, 1, 1), (262, 3, 1, 1),
            (277, 3, 1, 1), (339, 3, 1, sample_format), (282, 5, 1, (1000, 1)), (283, 5, 1, (1000, 1)),
            (296, 3, 1, 3)]
    if tiled:
        # one 16 x 16 tile
        tile = bytearray(16 * 16 * bits // 8)
        step = bits // 8
        for r in range(height):
            tile[r * 16 * step:(r * 16 + width) * step] = pixels[r * width * step:(r + 1) * width * step]
        entries = base + [(322, 3, 1, 16), (323, 3, 1, 16), (324, 4, 1, 0), (325, 4, 1, len(tile))]
        head, end = tiff(entries, None, little)
        entries = base + [(322, 3, 1, 16), (323, 3, 1, 16), (324, 4, 1, end), (325, 4, 1, len(tile))]
        head, end = tiff(entries, None, little)
        return head + bytes(tile)
    entries = base + [(273, 4, 1, 0), (278, 3, 1, height), (279, 4, 1, len(pixels))]
    head, end = tiff(entries, None, little)
    entries = base + [(273, 4, 1, end), (278, 3, 1, height), (279, 4, 1, len(pixels))]
    head, end = tiff(entries, None, little)
    return head + pixels


def main():
    scarscope = sys.argv[1]
    grid = [[round(50 * math.sin(c * 0.7) * math.cos(r * 0.5), 4) for c in range(6)] for r in range(5)]
    csv = "\n".join(",".join(str(v) for v in row) for row in grid) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "grid.csv")
        with open(src, "w") as f:
            f.write(csv.replace("0.0,", ",", 1))  # one missing cell
        for ext in ("tif", "png"):
            dst = os.path.join(tmp, "scarscope." + ext)
            subprocess.run([scarscope, "convert", src, dst, "--units", "um", "--spacing-um", "10"], check=True,
                           capture_output=True)
            with open(dst, "rb") as f:
                out("tiff" if ext == "tif" else "png", "scarscope." + ext, f.read())

    values = [float(v) for row in grid for v in row]
    out("tiff", "plain_le.tif", float_tiff(6, 5, values))
    out("tiff", "plain_be.tif", float_tiff(6, 5, values, little=False))
    out("tiff", "tiled.tif", float_tiff(6, 5, values, tiled=True))
    out("tiff", "double.tif", float_tiff(6, 5, values, bits=64))
    out("tiff", "uint16.tif", float_tiff(6, 5, [int(abs(v) * 100) for v in values], bits=16, sample_format=1))
    out("tiff", "nan.tif", float_tiff(3, 2, [float("nan"), 1.0, float("inf"), 2.0, -1.0, 0.5]))

    out("csv", "comma.csv", csv)
    out("csv", "semicolon_crlf.csv", "\ufeff# comment\r\n1;2;3\r\n4;;6\r\n")
    out("csv", "spaces.csv", "1 2  3\n\t4 5 NaN\n7e-3 -8 +9\n")
    out("csv", "ragged.csv", "1,2,3\n4,5\n")

    lines = []
    for r in range(5):
        for c in range(6):
            if (r, c) != (2, 3):
                lines.append("%.3f %.3f %.4f" % (c * 0.01, r * 0.01, grid[r][c]))
    out("xyz", "grid.xyz", "# x y z\n" + "\n".join(lines) + "\n")
    out("xyz", "counted.xyz", "%d\n" % len(lines) + "\n".join(lines) + "\n")
    out("xyz", "scattered.xyz", "".join("%.3f,%.3f,%.3f\n" % (math.cos(i) * i, math.sin(i) * i, i * 0.1) for i in range(25)))
    out("xyz", "billion.xyz", "1000000000\n0 0 0\n")

    verts = [(c * 10.0, r * 10.0, grid[r][c]) for r in range(5) for c in range(6)]
    faces = []
    for r in range(4):
        for c in range(5):
            a = r * 6 + c
            faces.append((a, a + 1, a + 7))
            faces.append((a, a + 7, a + 6))
    head = ("ply\nformat %s 1.0\ncomment seed\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\n"
            "element face %d\nproperty list uchar int vertex_indices\nend_header\n")
    body = "".join("%g %g %g\n" % v for v in verts) + "".join("3 %d %d %d\n" % f for f in faces)
    out("ply", "mesh_ascii.ply", head % ("ascii", len(verts), len(faces)) + body)
    for endian, name in (("<", "binary_little_endian"), (">", "binary_big_endian")):
        data = (head % (name, len(verts), len(faces))).encode()
        data += b"".join(struct.pack(endian + "fff", *v) for v in verts)
        data += b"".join(struct.pack(endian + "Biii", 3, *f) for f in faces)
        out("ply", "mesh_%s.ply" % name, data)
    cloud = ("ply\nformat ascii 1.0\nelement vertex %d\nproperty double x\nproperty double y\nproperty double z\n"
             "property uchar red\nend_header\n" % len(verts)) + "".join("%g %g %g 7\n" % v for v in verts)
    out("ply", "cloud.ply", cloud)
    out("ply", "lying_header.ply", "ply\nformat ascii 1.0\nelement vertex 1000\nproperty float x\nproperty float y\n"
                                   "property float z\nend_header\n0 0 0\n")

    # OBJ: triangles, quads with every corner form, negative indices, comments and skipped statements.
    obj = "# seed\nmtllib skin.mtl\no cheek\n" + "".join("v %g %g %g\n" % v for v in verts) + "vt 0 0\nvn 0 0 1\ng skin\ns 1\n"
    out("obj", "triangles.obj", obj + "".join("f %d %d %d\n" % (f[0] + 1, f[1] + 1, f[2] + 1) for f in faces))
    quads = []
    for r in range(4):
        for c in range(5):
            a = r * 6 + c + 1
            quads.append("f %d/1 %d//1 %d/1/1 %d\n" % (a, a + 1, a + 7, (a + 6) - len(verts) - 1))  # last one counted back
    out("obj", "quads_negative.obj", obj + "".join(quads))
    out("obj", "out_of_range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n")
    out("obj", "nan.obj", "v 0 0 0\nv nan 0 0\nv 0 1 0\nf 1 2 3\n")
    # STL: ASCII, binary (with a header that begins with "solid"), a binary file cut short.
    tris = [(verts[f[0]], verts[f[1]], verts[f[2]]) for f in faces]
    ascii_stl = "solid seed\n" + "".join(
        "facet normal 0 0 1\n outer loop\n" + "".join("  vertex %g %g %g\n" % v for v in t) + " endloop\nendfacet\n"
        for t in tris) + "endsolid seed\n"
    out("stl", "ascii.stl", ascii_stl)
    binary_stl = b"solid seed written as binary".ljust(80, b" ") + struct.pack("<I", len(tris)) + b"".join(
        struct.pack("<3f", 0, 0, 1) + b"".join(struct.pack("<3f", *v) for v in t) + b"\0\0" for t in tris)
    out("stl", "binary.stl", binary_stl)
    out("stl", "truncated.stl", binary_stl[:-9])
    out("stl", "quad_facet.stl", "solid q\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 10 0 0\nvertex 10 10 1\n"
                                 "vertex 0 10 1\nendloop\nendfacet\nendsolid q\n")


if __name__ == "__main__":
    main()
