#!/usr/bin/python3
"""Scores analysis JSON files against synthetic truth files (NAME.truth.json beside NAME.x3p).

Used by bench/analyze for ScarScope and for the SciPy baseline alike, so both are scored the same
way. Matching: each truth scar is matched to at most one detection, closest first, when their
centroids are within max(0.5 mm, half the truth diameter). The detection targets count truth scars
at least 0.5 mm wide and 50 um deep (high); false positives are unmatched detections.

The issue 17 figures ("accuracy" block): median depth error of scars whose floor was seen (all,
and shallow ones under 120 um), the signed median depth error per type, touching boxcar pairs with
both scars found, type accuracy on scans with 1-2 % scattered missing points, boxcars with a seen
floor flagged depth_is_lower_bound, rolling diameter and volume median errors; with --by, the same
per preset (the scan name's first word) and per condition (the truth's generator.condition).

usage: score_analysis.py TRUTH_DIR RESULTS_DIR [NAME_PREFIX] [--by]
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


def condition_of(truth_doc):
    return truth_doc.get("generator", {}).get("condition", "plain")


def median(values):
    return statistics.median(values) if values else None


def score(truth_dir, results_dir, prefix="", keep=None):
    """keep(stem, truth_doc) -> bool selects the scans scored (all when None)."""
    totals = {"tp": 0, "fn": 0, "fp": 0, "area_cm2": 0.0, "scans": 0, "clear_fp": 0, "clear_area_cm2": 0.0}
    type_hits = {b[2]: [0, 0] for b in BANDS}
    depth_err, volume_err, diameter_err = [], [], []
    lower_bound_typed_shallow = 0
    confusion = {}
    missing = []
    shallow_err, signed_err = [], {}
    pairs = [0, 0]           # touching boxcar pairs: both found, all
    missing_points_type = [0, 0]  # scans with 1-2 % scattered missing points: typed right, matched
    seen_boxcar_flagged = [0, 0]  # boxcars with a seen floor: flagged lower bound, matched
    rolling_diameter_err, rolling_volume_err = [], []
    for name in sorted(os.listdir(truth_dir)):
        if not name.endswith(".truth.json") or not name.startswith(prefix):
            continue
        stem = name[: -len(".truth.json")]
        result_path = os.path.join(results_dir, stem + ".analysis.json")
        if not os.path.exists(result_path):
            missing.append(stem)
            continue
        truth_doc = json.load(open(os.path.join(truth_dir, name)))
        if keep is not None and not keep(stem, truth_doc):
            continue
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
        found_of = dict(matches)
        by_id = {t["id"]: k for k, t in enumerate(truth)}
        for k, t in enumerate(truth):
            if t["type"] != "boxcar":
                continue
            for other in t.get("touching", []):
                m = by_id.get(other)
                if m is None or m <= k or truth[m]["type"] != "boxcar":
                    continue
                pairs[1] += 1
                pairs[0] += int(k in found_of and m in found_of)
        scattered = truth_doc.get("generator", {}).get("drawn", {}).get("scattered_missing_share", 0.0)
        for i, j in matches:
            t, f = truth[i], found[j]
            if 0.01 <= scattered <= 0.02:
                missing_points_type[1] += 1
                missing_points_type[0] += int(t["type"] == f["type"])
            if t["type"] == "boxcar" and not t.get("depth_is_lower_bound"):
                seen_boxcar_flagged[1] += 1
                seen_boxcar_flagged[0] += int(bool(f.get("depth_is_lower_bound")))
            if t["type"] == "rolling" and t.get("fully_in_view", True):
                rolling_diameter_err.append(abs(f["diameter_mm"] - t["diameter_mm"]) / t["diameter_mm"])
                if t.get("volume_mm3"):
                    rolling_volume_err.append(abs(f.get("volume_mm3", 0) - t["volume_mm3"]) / t["volume_mm3"])
            if not t.get("depth_is_lower_bound") and depth_of(t) > 0 and t["type"] != "hypertrophic":
                e = (depth_of(f) - depth_of(t)) / depth_of(t)
                signed_err.setdefault(t["type"], []).append(e)
                if depth_of(t) < 120.0:
                    shallow_err.append(abs(e))
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
        "accuracy": {
            "median_depth_error_floor_seen": median(depth_err),
            "median_depth_error_under_120um": median(shallow_err),
            "scars_under_120um": len(shallow_err),
            "signed_median_depth_error_by_type": {k: (median(v), len(v)) for k, v in sorted(signed_err.items())},
            "touching_boxcar_pairs_both_found": (pairs[0] / pairs[1] if pairs[1] else None, pairs[1]),
            "type_accuracy_1_2pct_missing_points": (missing_points_type[0] / missing_points_type[1]
                                                    if missing_points_type[1] else None, missing_points_type[1]),
            "seen_floor_boxcars_flagged_lower_bound": seen_boxcar_flagged,
            "rolling_median_diameter_error": median(rolling_diameter_err),
            "rolling_median_volume_error": median(rolling_volume_err),
            "f1": f1,
            "clear_fp_per_cm2": (totals["clear_fp"] / totals["clear_area_cm2"]) if totals["clear_area_cm2"] else None,
        },
    }
    return result


def score_by(truth_dir, results_dir, prefix=""):
    """The accuracy block per preset (the scan name's first word) and per condition."""
    presets, conditions = set(), set()
    for name in os.listdir(truth_dir):
        if name.endswith(".truth.json") and name.startswith(prefix):
            presets.add(name.split("_")[0])
            conditions.add(condition_of(json.load(open(os.path.join(truth_dir, name)))))
    return {
        "by_preset": {p: score(truth_dir, results_dir, prefix, lambda stem, doc, p=p: stem.split("_")[0] == p)["accuracy"]
                      for p in sorted(presets)},
        "by_condition": {c: score(truth_dir, results_dir, prefix, lambda stem, doc, c=c: condition_of(doc) == c)["accuracy"]
                         for c in sorted(conditions)},
    }


def main():
    if len([a for a in sys.argv[1:] if a != "--by"]) < 2:
        print(__doc__)
        return 2
    args = [a for a in sys.argv[1:] if a != "--by"]
    result = score(args[0], args[1], args[2] if len(args) > 2 else "")
    if "--by" in sys.argv:
        result.update(score_by(args[0], args[1], args[2] if len(args) > 2 else ""))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
