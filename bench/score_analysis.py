#!/usr/bin/python3
"""Scores analysis JSON files against synthetic truth files (NAME.truth.json beside NAME.x3p).

Used by bench/analyze for ScarScope and for the SciPy baseline alike, so both are scored the same
way. Matching: each truth scar is matched to at most one detection, closest first, when their
centroids are within max(0.5 mm, half the truth diameter). The detection targets count truth scars
at least 0.5 mm wide and 50 um deep (high); false positives are unmatched detections.

usage: score_analysis.py TRUTH_DIR RESULTS_DIR [NAME_PREFIX]
"""
import json
import math
import os
import statistics
import sys

BANDS = [(0.0, 1.5, "< 1.5 mm"), (1.5, 2.0, "1.5-2 mm (ice pick/boxcar overlap)"), (2.0, 4.0, "2-4 mm"),
         (4.0, 5.0, "4-5 mm (boxcar/rolling overlap)"), (5.0, 1e9, "> 5 mm")]


def depth_of(scar):
    for key in ("depth_um", "height_um"):
        if scar.get(key) is not None:
            return float(scar[key])
    return 0.0


def match(truth, found):
    pairs = []
    for i, t in enumerate(truth):
        for j, f in enumerate(found):
            d = math.dist(t["centroid_mm"], f["centroid_mm"])
            if d <= max(0.5, 0.5 * t["diameter_mm"]):
                pairs.append((d, i, j))
    pairs.sort()
    used_t, used_f, matches = set(), set(), []
    for d, i, j in pairs:
        if i in used_t or j in used_f:
            continue
        used_t.add(i)
        used_f.add(j)
        matches.append((i, j))
    return matches


def score(truth_dir, results_dir, prefix=""):
    totals = {"tp": 0, "fn": 0, "fp": 0, "area_cm2": 0.0, "scans": 0, "clear_fp": 0, "clear_area_cm2": 0.0}
    type_hits = {b[2]: [0, 0] for b in BANDS}
    depth_err, volume_err, diameter_err = [], [], []
    lower_bound_typed_shallow = 0
    confusion = {}
    missing = []
    for name in sorted(os.listdir(truth_dir)):
        if not name.endswith(".truth.json") or not name.startswith(prefix):
            continue
        stem = name[: -len(".truth.json")]
        result_path = os.path.join(results_dir, stem + ".analysis.json")
        if not os.path.exists(result_path):
            missing.append(stem)
            continue
        truth_doc = json.load(open(os.path.join(truth_dir, name)))
        found = json.load(open(result_path)).get("scars", [])
        truth = truth_doc["scars"]
        scan = truth_doc["scan"]
        area = scan["nx"] * scan["dx_um"] * scan["ny"] * scan["dy_um"] * scan.get("valid_fraction", 1.0) / 1e8
        totals["area_cm2"] += area
        totals["scans"] += 1
        matches = match(truth, found)
        matched_t = {i for i, _ in matches}
        matched_f = {j for _, j in matches}
        target = [i for i, t in enumerate(truth) if t["diameter_mm"] >= 0.5 and depth_of(t) >= 50.0]
        totals["tp"] += sum(1 for i in target if i in matched_t)
        totals["fn"] += sum(1 for i in target if i not in matched_t)
        fp = len(found) - len(matched_f)
        totals["fp"] += fp
        if "clear" in stem:
            totals["clear_fp"] += fp
            totals["clear_area_cm2"] += area
        for i, j in matches:
            t, f = truth[i], found[j]
            for low, high, label in BANDS:
                if low <= t["diameter_mm"] < high:
                    type_hits[label][1] += 1
                    type_hits[label][0] += int(t["type"] == f["type"])
            key = t["type"] + "->" + f["type"]
            confusion[key] = confusion.get(key, 0) + 1
            if t.get("depth_is_lower_bound"):
                if f["type"] != "ice_pick" and t["type"] == "ice_pick":
                    lower_bound_typed_shallow += 1
            else:
                if depth_of(t) > 0:
                    depth_err.append(abs(depth_of(f) - depth_of(t)) / depth_of(t))
                if t.get("volume_mm3"):
                    volume_err.append(abs(f.get("volume_mm3", 0) - t["volume_mm3"]) / t["volume_mm3"])
            diameter_err.append(abs(f["diameter_mm"] - t["diameter_mm"]) / t["diameter_mm"])
    tp, fn, fp = totals["tp"], totals["fn"], totals["fp"]
    precision_fp = fp  # false positives over all scans (any size)
    precision = tp / (tp + precision_fp) if tp + precision_fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    type_total = sum(v[1] for v in type_hits.values())
    result = {
        "scans": totals["scans"], "missing_results": missing,
        "detection": {"tp": tp, "fn": fn, "fp": fp, "precision": precision, "recall": recall, "f1": f1},
        "type_accuracy": (sum(v[0] for v in type_hits.values()) / type_total) if type_total else None,
        "type_accuracy_by_band": {k: (v[0] / v[1] if v[1] else None, v[1]) for k, v in type_hits.items()},
        "median_rel_error": {
            "depth_floor_seen": statistics.median(depth_err) if depth_err else None,
            "volume_floor_seen": statistics.median(volume_err) if volume_err else None,
            "diameter": statistics.median(diameter_err) if diameter_err else None},
        "fp_per_cm2": fp / totals["area_cm2"] if totals["area_cm2"] else None,
        "clear_fp_per_cm2": (totals["clear_fp"] / totals["clear_area_cm2"]) if totals["clear_area_cm2"] else None,
        "unseen_floor_ice_pick_typed_otherwise": lower_bound_typed_shallow,
        "confusion": confusion,
    }
    return result


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    result = score(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
