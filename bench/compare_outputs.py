#!/usr/bin/env python3
"""Runs two scarscope binaries on the same inputs and checks that they write the same results.

Used when a refactor must not change what users get (issue 14: the CLI verbs became calls of the
workflows layer). Inputs: the demo's files (a synthetic cheek and its follow-up, the demo patient),
tests/data/planning, and scans made exactly as bench/make_suite makes them (a few of each preset of
the tuning suite, and follow-up pairs). Every JSON is compared with its numbers as text (so 1 and
1.0, or a last digit, count as different); CSV, text output and PNG pictures byte for byte.

What the newer binary may add, and nothing else:
  - "scarscope": {"version", "schema"} at the top of every analysis, grade, plan, comparison and
    series JSON;
  - in grades, "knowledge_base.sha256", and "knowledge_base.file" as the file's name instead of the
    path it was read from;
  - in plans, "knowledge_base" ({"version", "sha256", "clinic_sha256"});
  - in an analysis made with --clinician, "clinician_inputs" (what was applied).
Set ALLOW_NOTHING=1 to list those differences too.

Usage: bench/compare_outputs.py OLD_SCARSCOPE NEW_SCARSCOPE WORK_DIR [--quick]
Prints one line per comparison and a summary; exits 1 if anything differs.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW, WORK = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
QUICK = "--quick" in sys.argv[4:]
ALLOW_NOTHING = os.environ.get("ALLOW_NOTHING") == "1"
ENV = dict(os.environ, SCARSCOPE_KB_DIR=str(ROOT / "kb"))

# bench/make_suite's tuning suite: presets in order, 11 grids each, seeds from 1; follow-ups of the
# 3rd and 11th scan of each preset with seeds from 501 and responses 1, 0.6, 0.8, mixed in turn.
PRESETS = ["cheek", "forehead", "severe", "mild", "clear", "hard"]
GRIDS = [(10, 15, 15), (15, 20, 20), (20, 30, 30), (20, 40, 40), (25, 40, 30), (30, 50, 50), (40, 50, 50),
         (20, 25, 25), (15, 25, 20), (30, 40, 40), (40, 30, 30)]
SUITE_PICKS = [2, 7, 10] if not QUICK else [2]  # grid indices taken from each preset

failures = []
checked = 0


def run(binary, args, cwd=None, expect=(0,)):
    result = subprocess.run([str(binary)] + [str(a) for a in args], capture_output=True, text=True, env=ENV, cwd=cwd)
    if result.returncode not in expect:
        raise SystemExit(f"{binary} {' '.join(map(str, args))}: exit {result.returncode}\n{result.stderr}")
    return result


def exact(path):
    def keep(text):
        return ("number", text)
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=keep, parse_int=keep)


def allowed_differences_removed(old, new, kind):
    """The newer document without what it may add; the older with its kb path as a file name."""
    if ALLOW_NOTHING or not isinstance(new, dict):
        return old, new
    new = json.loads(json.dumps(new))
    old = json.loads(json.dumps(old))
    new.pop("scarscope", None)
    if kind == "plan":
        new.pop("knowledge_base", None)
    if kind == "analysis_clinician":
        new.pop("clinician_inputs", None)
    grades = [new.get("grades")], [old.get("grades")]
    for g_new, g_old in zip(*grades):
        if isinstance(g_new, dict) and isinstance(g_old, dict):
            kb_new, kb_old = g_new.get("knowledge_base", {}), g_old.get("knowledge_base", {})
            kb_new.pop("sha256", None)
            if "file" in kb_old:
                kb_old["file"] = os.path.basename(kb_old["file"])
    return old, new


def first_difference(a, b, path="$"):
    if type(a) != type(b):
        return f"{path}: {json.dumps(a)[:80]} != {json.dumps(b)[:80]}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a:
                return f"{path}.{key}: only in the new output"
            if key not in b:
                return f"{path}.{key}: only in the old output"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {json.dumps(a)[:80]} != {json.dumps(b)[:80]}"


def check_json(label, old_path, new_path, kind="result"):
    global checked
    checked += 1
    old, new = allowed_differences_removed(exact(old_path), exact(new_path), kind)
    difference = first_difference(old, new)
    print(f"{'SAME' if not difference else 'DIFF'}  json   {label}" + (f"   {difference}" if difference else ""))
    if difference:
        failures.append(label)


def check_bytes(label, old_bytes, new_bytes):
    global checked
    checked += 1
    same = old_bytes == new_bytes
    print(f"{'SAME' if same else 'DIFF'}  bytes  {label}")
    if not same:
        failures.append(label)


def check_files(label, old_path, new_path):
    check_bytes(label, Path(old_path).read_bytes(), Path(new_path).read_bytes())


def without_seconds(csv_text):
    """The summary with its timing column blanked (the only cell that may differ between runs)."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    column = rows[0].index("seconds")
    for row in rows[1:]:
        if len(row) > column:
            row[column] = "-"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def both(label, args, files=(), kinds=None, text=True, expect=(0,)):
    """Runs both binaries with ARGS (OUT in an argument becomes each one's folder), compares stdout
    and every produced file (name -> 'json' | 'bytes' | kind)."""
    results = {}
    for name, binary in (("old", OLD), ("new", NEW)):
        out = WORK / name
        out.mkdir(parents=True, exist_ok=True)
        results[name] = run(binary, [str(a).replace("OUT", str(out)) for a in args], expect=expect)
    if text:
        check_bytes(f"{label}: standard output", results["old"].stdout.encode(), results["new"].stdout.encode())
    for file, kind in files:
        old_file, new_file = WORK / "old" / file, WORK / "new" / file
        if kind == "bytes":
            check_files(f"{label}: {file}", old_file, new_file)
        else:
            check_json(f"{label}: {file}", old_file, new_file, kind)


def main():
    if WORK.exists():
        shutil.rmtree(WORK)
    inputs = WORK / "inputs"
    inputs.mkdir(parents=True)

    # The scans, made by the new binary; the old one makes the same bytes (synth did not change).
    scans = []
    demo = inputs / "cheek.x3p"
    run(NEW, ["synth", "--seed", 1, "--preset", "cheek", "--out", demo])
    run(OLD, ["synth", "--seed", 1, "--preset", "cheek", "--out", inputs / "cheek_old.x3p", "--truth", inputs / "cheek_old.truth.json"])
    check_files("synth: cheek.x3p", inputs / "cheek_old.x3p", demo)
    run(NEW, ["synth", "--seed", 2, "--followup-of", inputs / "cheek.truth.json", "--response", "0.6", "--out", inputs / "cheek_f.x3p"])
    scans.append(demo)
    pairs = [(demo, inputs / "cheek_f.x3p")]
    for p, preset in enumerate(PRESETS):
        for index in SUITE_PICKS:
            spacing, width, height = GRIDS[index]
            seed = 1 + p * len(GRIDS) + index
            scan = inputs / f"{preset}_{seed}.x3p"
            run(NEW, ["synth", "--seed", seed, "--preset", preset, "--spacing-um", spacing, "--size-mm", width, height, "--out", scan])
            scans.append(scan)
    followup_seed = 501
    responses = ["1", "0.6", "0.8", "1"]
    for k, preset in enumerate(PRESETS[: 2 if QUICK else 4]):
        seed = 1 + PRESETS.index(preset) * len(GRIDS) + 2
        base = inputs / f"{preset}_{seed}.x3p"
        followup = inputs / f"{preset}_{seed}_f.x3p"
        run(NEW, ["synth", "--seed", followup_seed + k, "--followup-of", inputs / f"{preset}_{seed}.truth.json",
                  "--response", responses[k % len(responses)], "--out", followup])
        pairs.append((base, followup))

    # info and analyze, scan by scan.
    for scan in scans:
        name = scan.stem
        both(f"info {name}", ["info", scan, "--json", f"OUT/{name}.info.json"], [(f"{name}.info.json", "result")], text=False)
        both(f"analyze {name}", ["analyze", scan, "--json", f"OUT/{name}.analysis.json", "--csv", f"OUT/{name}.csv",
                                 "--overlay", f"OUT/{name}.overlay.png"],
             [(f"{name}.analysis.json", "analysis"), (f"{name}.csv", "bytes"), (f"{name}.overlay.png", "bytes")])
    # The real samples are refused (their spacing is no skin scan's): the same message, the same exit.
    for sample in sorted((ROOT / "data" / "samples").glob("*.x3p")):
        old, new = (run(b, ["analyze", sample], expect=(0, 2)) for b in (OLD, NEW))
        check_bytes(f"analyze {sample.name}: exit status and standard error", f"{old.returncode} {old.stderr}".encode(),
                    f"{new.returncode} {new.stderr}".encode())
    clinician = ROOT / "tests" / "data" / "planning" / "clinician.json"
    both("analyze cheek --clinician", ["analyze", demo, "--clinician", clinician, "--json", "OUT/cheek.clinician.json",
                                       "--overlay", "OUT/cheek.clinician.png"],
         [("cheek.clinician.json", "analysis_clinician"), ("cheek.clinician.png", "bytes")])

    # A batch over a folder of scans.
    batch = inputs / "batch"
    batch.mkdir()
    for scan in scans[: 3 if QUICK else 6]:
        shutil.copy(scan, batch / scan.name)
    for name, binary in (("old", OLD), ("new", NEW)):
        run(binary, ["analyze", batch, "--out", WORK / name / "batch", "--threads", 2, "--overlays"])
    for file in sorted((WORK / "old" / "batch").iterdir()):
        if file.suffix == ".json":
            check_json(f"batch: {file.name}", file, WORK / "new" / "batch" / file.name, "analysis")
        elif file.name == "summary.csv":
            old_text, new_text = (p.read_text() for p in (file, WORK / "new" / "batch" / file.name))
            check_bytes("batch: summary.csv (without seconds)", without_seconds(old_text).encode(), without_seconds(new_text).encode())
        else:
            check_files(f"batch: {file.name}", file, WORK / "new" / "batch" / file.name)

    # grade: a truth file, an analysis, several merged, with clinician inputs.
    analysis = WORK / "new" / "cheek.analysis.json"
    both("grade truth", ["grade", inputs / "cheek.truth.json", "--json", "OUT/grade_truth.json"], [("grade_truth.json", "grades")], text=False)
    both("grade truth (text)", ["grade", inputs / "cheek.truth.json"])
    both("grade analysis + clinician", ["grade", analysis, "--clinician", clinician, "--json", "OUT/grade_clinician.json"],
         [("grade_clinician.json", "grades")], text=False)
    both("grade merged", ["grade", analysis, WORK / "new" / f"{scans[1].stem}.analysis.json", "--json", "OUT/grade_merged.json"],
         [("grade_merged.json", "grades")], text=False)

    # plan: the demo's, the README's worked example, a clinic override.
    patient = ROOT / "data" / "samples" / "demo_patient.json"
    both("plan demo", ["plan", "--assessment", analysis, "--patient", patient, "--date", "2026-03-02", "--json", "OUT/plan_demo.json"],
         [("plan_demo.json", "plan")], text=False)
    both("plan demo (text)", ["plan", "--assessment", analysis, "--patient", patient, "--date", "2026-03-02", "--explain"])
    planning = ROOT / "tests" / "data" / "planning"
    both("plan worked example", ["plan", "--assessment", planning / "cheek.analysis.json", "--patient", planning / "patient_fitz2.json",
                                 "--clinician", clinician, "--date", "2026-03-02", "--json", "OUT/plan_example.json"],
         [("plan_example.json", "plan")], text=False)
    override = inputs / "clinic.json"
    override.write_text(json.dumps({"clinic": "Test clinic", "available_modalities": ["tca_cross", "microneedling", "subcision"],
                                    "modalities": {"tca_cross": {"sessions": {"value": [4, 8]}}}}))
    both("plan clinic override", ["plan", "--assessment", planning / "cheek.analysis.json", "--patient", planning / "patient_fitz2.json",
                                  "--date", "2026-03-02", "--kb-override", override, "--json", "OUT/plan_clinic.json"],
         [("plan_clinic.json", "plan")], text=False)

    # compare: pairs (with and without stored analyses), a series.
    for baseline, followup in pairs:
        name = followup.stem
        both(f"compare {name}", ["compare", baseline, followup, "--json", f"OUT/{name}.compare.json", "--overlay", f"OUT/{name}.compare.png"],
             [(f"{name}.compare.json", "comparison"), (f"{name}.compare.png", "bytes")], text=False)
    both("compare cheek_f with stored analyses", ["compare", demo, inputs / "cheek_f.x3p", "--baseline-analysis", analysis, "--json",
                                                  "OUT/cheek_f.stored.json"],
         [("cheek_f.stored.json", "comparison")], text=False)
    both("compare cheek_f (text)", ["compare", demo, inputs / "cheek_f.x3p", "--baseline-analysis", analysis])
    if not QUICK:
        run(NEW, ["synth", "--seed", 3, "--followup-of", inputs / "cheek.truth.json", "--response", "0.8", "--out", inputs / "cheek_g.x3p"])
        both("compare --series", ["compare", "--series", demo, inputs / "cheek_f.x3p", inputs / "cheek_g.x3p", "--json", "OUT/series.json",
                                  "--overlay", "OUT/series.png"],
             [("series.json", "series"), ("series.v2.png", "bytes"), ("series.v3.png", "bytes")])

    print(f"\n{checked} comparisons, {len(failures)} different" + (": " + ", ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
