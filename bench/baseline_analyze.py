#!/usr/bin/python3
"""Peer baseline for `scarscope analyze`: what a competent scientist writes in an afternoon with
SciPy and scikit-image (Debian's python3-scipy / python3-skimage).

Reads X3P (zip: main.xml + bindata/data.bin), fills missing points with the nearest valid one,
takes a Gaussian low-pass (scipy.ndimage.gaussian_filter, sigma 1.5 mm) as the skin, thresholds
the residual (40 um down, 60 um up), labels the regions (skimage.measure.label) and measures them
(regionprops), drops those narrower than 0.4 mm, and types them by Jacob's width bands only
(< 2 mm ice pick, 2-4 mm boxcar, > 4 mm rolling; raised: hypertrophic).

usage: baseline_analyze.py OUT_DIR SCAN.x3p [SCAN.x3p ...]   (writes OUT_DIR/NAME.analysis.json)
"""
import json
import math
import os
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
from scipy import ndimage
from skimage import measure

SIGMA_MM = 1.5
DEPTH_UM = 40.0
HEIGHT_UM = 60.0
MIN_DIAMETER_MM = 0.4


def read_x3p(path):
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("main.xml"))
        def find(tag):
            for element in root.iter():
                if element.tag.split("}")[-1] == tag:
                    return element
            return None
        record3 = find("Record3")
        nx = int(record3.find(".//SizeX").text)
        ny = int(record3.find(".//SizeY").text)
        cx = find("CX")
        cy = find("CY")
        dx = float(cx.find("Increment").text) * 1e6
        dy = float(cy.find("Increment").text) * 1e6
        data_type = find("CZ").find("DataType").text
        dtype = {"F": "<f4", "D": "<f8", "L": "<i4", "I": "<i2"}[data_type]
        z = np.frombuffer(archive.read("bindata/data.bin"), dtype=dtype).astype(np.float64)
        z = z.reshape(ny, nx) * 1e6  # metres -> micrometres
        if "bindata/valid.bin" in archive.namelist():
            bits = np.unpackbits(np.frombuffer(archive.read("bindata/valid.bin"), dtype=np.uint8), bitorder="little")
            valid = bits[: nx * ny].reshape(ny, nx).astype(bool)
            z[~valid] = np.nan
    return z, dx, dy


def analyse(path):
    z, dx, dy = read_x3p(path)
    missing = ~np.isfinite(z)
    if missing.all():
        return {"scan": {"file": os.path.basename(path)}, "scars": []}
    if missing.any():
        _, (rows, cols) = ndimage.distance_transform_edt(missing, return_indices=True)
        z = z[rows, cols]
    skin = ndimage.gaussian_filter(z, sigma=(SIGMA_MM * 1000 / dy, SIGMA_MM * 1000 / dx))
    residual = z - skin
    scars = []
    for raised in (False, True):
        mask = residual >= HEIGHT_UM if raised else residual <= -DEPTH_UM
        labels = measure.label(mask, connectivity=2)
        intensity = residual if raised else -residual
        for region in measure.regionprops(labels, intensity_image=intensity):
            diameter = region.equivalent_diameter * math.sqrt(dx * dy) / 1000
            if diameter < MIN_DIAMETER_MM:
                continue
            depth = float(region.max_intensity)
            area = region.area * dx * dy / 1e6
            volume = float(region.mean_intensity) * area / 1000
            if raised:
                kind = "hypertrophic"
            elif diameter < 2.0:
                kind = "ice_pick"
            elif diameter <= 4.0:
                kind = "boxcar"
            else:
                kind = "rolling"
            row, col = region.centroid
            scar = {"id": len(scars) + 1, "type": kind, "centroid_mm": [col * dx / 1000, row * dy / 1000],
                    "area_mm2": area, "diameter_mm": diameter,
                    "major_mm": region.major_axis_length * dx / 1000, "minor_mm": region.minor_axis_length * dx / 1000,
                    "volume_mm3": volume}
            scar["height_um" if raised else "depth_um"] = depth
            scars.append(scar)
    ny, nx = z.shape
    return {"scan": {"file": os.path.basename(path), "nx": nx, "ny": ny, "dx_um": dx, "dy_um": dy}, "scars": scars}


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()
    for path in sys.argv[2:]:
        result = analyse(path)
        name = os.path.basename(path).rsplit(".", 1)[0]
        with open(os.path.join(out, name + ".analysis.json"), "w") as f:
            json.dump(result, f)
    print(f"baseline: {len(sys.argv) - 2} scans in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
