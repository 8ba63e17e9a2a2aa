#include "workflows/comparison.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "followup/overlay.h"
#include "scars/analysis.h"
#include "workflows/workflow_guard.h"

namespace scarscope {

using nlohmann::json;
using workflow_detail::guarded;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct LoadedVisit {
  std::string name;
  HeightMap map;
  ScarInventory scars;
};

LoadedVisit load_visit(const ComparedVisit& visit, const Progress* progress, const char* which, double from) {
  LoadedVisit loaded;
  loaded.name = visit.scan.display_name();
  progress_step(progress, std::string("reading the ") + which, from);
  loaded.map = read_scan(visit.scan);
  if (visit.scars) {
    loaded.scars = *visit.scars;
  } else {
    progress_step(progress, std::string("analysing the ") + which, from + 0.05);
    const Progress analysis = sub_progress(progress, from + 0.05, from + 0.3);
    loaded.scars = analyze_height_map(loaded.map.clone(), {}, nullptr, &analysis).inventory;
  }
  return loaded;
}

double number(const JsonField& field) { return field.is_null() ? kNaN : field.number(); }

std::array<double, 2> pair(const JsonField& field) {
  const auto both = field.expect_array("expected [a, b]").elements();
  if (both.size() != 2) field.fail(ErrorCode::bad_input, "expected [a, b]");
  return {number(both[0]), number(both[1])};
}

std::optional<std::array<double, 2>> point(const JsonField& field) {
  if (field.is_null()) return std::nullopt;
  return pair(field);
}

std::optional<int> optional_id(const JsonField& field) {
  if (field.is_null()) return std::nullopt;
  return static_cast<int>(field.integer_between(0, 1000000000));
}

int whole(const JsonField& field) { return static_cast<int>(field.integer_between(0, 1000000000)); }

Registration registration_from(const JsonField& field) {
  Registration reg;
  reg.transform.shift_mm = pair(field.required("shift_mm"));
  reg.transform.rotation_deg = number(field.member("rotation_deg"));
  reg.transform.center_mm = pair(field.required("center_mm"));
  reg.residual_um = number(field.member("residual_um"));
  reg.overlap_fraction = number(field.member("overlap_fraction"));
  reg.registered = field.required("registered").boolean();
  reg.correlation = number(field.member("correlation"));
  reg.texture_correlation = number(field.member("texture_correlation"));
  reg.unchanged_fraction = number(field.member("unchanged_fraction"));
  // The pose is stored about center_mm: its value there, its slopes (exact central differences of a
  // quadratic) and its second-order terms are the quadratic's coefficients about that point.
  const JsonField pose = field.required("height_pose");
  const auto tilt = pair(pose.required("tilt_um_per_mm"));
  const auto curvature = pose.required("curvature_um_per_mm2").elements();
  if (curvature.size() != 3) pose.member("curvature_um_per_mm2").fail(ErrorCode::bad_input, "expected three terms");
  reg.height_pose.origin_mm = reg.transform.center_mm;
  reg.height_pose.c = {number(pose.member("offset_um")), tilt[0], tilt[1], number(curvature[0]), number(curvature[1]),
                       number(curvature[2])};
  if (const auto problem = field.optional("problem")) reg.problem = problem->text();
  return reg;
}

ScarChange change_from(const JsonField& entry) {
  ScarChange c;
  c.baseline_id = optional_id(entry.member("baseline_id"));
  c.followup_id = optional_id(entry.member("followup_id"));
  c.baseline_centroid_mm = point(entry.member("baseline_centroid_mm"));
  c.followup_centroid_mm = point(entry.member("followup_centroid_mm"));
  if (const auto source = entry.optional("followup_centroid_source")) c.followup_centroid_mapped = source->text() == "registration";
  c.type = entry.required("type").text();
  c.volume_mm3 = pair(entry.required("volume_mm3"));
  c.volume_change_mm3 = number(entry.member("volume_change_mm3"));
  c.volume_change_pct = number(entry.member("volume_change_pct"));
  c.volume_mdc_mm3 = number(entry.member("volume_mdc_mm3"));
  c.measured_volume_change_mm3 = number(entry.member("measured_volume_change_mm3"));
  c.depth_um = pair(entry.required("depth_um"));
  c.depth_change_um = number(entry.member("depth_change_um"));
  c.depth_change_pct = number(entry.member("depth_change_pct"));
  c.depth_mdc_um = number(entry.member("depth_mdc_um"));
  c.area_mm2 = pair(entry.required("area_mm2"));
  c.area_change_pct = number(entry.member("area_change_pct"));
  c.mdc_patches = whole(entry.required("mdc_patches"));
  c.mdc_independent_patches = number(entry.member("mdc_independent_patches"));
  c.resampling_error_mm3 = number(entry.member("resampling_error_mm3"));
  c.resampling_bias_mm3 = number(entry.member("resampling_bias_mm3"));
  c.seen_fraction = number(entry.member("footprint_seen_fraction"));
  c.relief_mm3 = number(entry.member("footprint_relief_mm3"));
  c.status = entry.required("status").parsed_text(parse_change_status);
  c.note = entry.required("note").text();
  return c;
}

}  // namespace

Comparison compare_scans(const CompareRequest& request, const Progress* progress) {
  return guarded(request.followup.scan.display_name() + " against " + request.baseline.scan.display_name(), [&] {
    const LoadedVisit baseline = load_visit(request.baseline, progress, "baseline", 0.0);
    const LoadedVisit followup = load_visit(request.followup, progress, "follow-up", 0.3);
    std::optional<HeightMap> retest;
    CompareOptions options = request.options;
    options.baseline_retest = nullptr;
    if (request.baseline_retest) {
      progress_step(progress, "reading the retest scan", 0.6);
      retest = read_scan(*request.baseline_retest);
      options.baseline_retest = &*retest;
    }
    progress_step(progress, "registering", 0.6);
    Comparison result;
    result.made_by = current_result_version(ResultKind::comparison);
    result.baseline_file = baseline.name;
    result.followup_file = followup.name;
    result.baseline_count = baseline.scars.scars.size();
    result.followup_count = followup.scars.scars.size();
    const Progress registration = sub_progress(progress, 0.6, 0.95);
    result.comparison = compare_visits(baseline.map, baseline.scars, followup.map, followup.scars, options, &registration);
    if (request.overlay_png) {
      progress_step(progress, "overlay", 0.95);
      result.overlay_png =
          comparison_overlay_png(baseline.map, baseline.scars, followup.map, followup.scars, result.comparison);
    }
    progress_step(progress, "done", 1.0);
    return result;
  });
}

VisitComparison visit_comparison_from_json(const json& comparison, const std::string& source, const std::string& path) {
  return guarded(source, [&] {
    const JsonField root(comparison, source, path);
    root.expect_object("expected a comparison object");
    VisitComparison c;
    c.registration = registration_from(root.required("registration"));
    for (const JsonField& entry : root.required("scars").elements()) c.scars.push_back(change_from(entry));
    const JsonField global = root.required("global");
    GlobalChange& g = c.global;
    g.volume_change_pct = number(global.member("volume_change_pct"));
    g.count_baseline = whole(global.required("count_baseline"));
    g.count_followup = whole(global.required("count_followup"));
    const auto volumes = pair(global.required("volume_mm3"));
    g.volume_before_mm3 = volumes[0];
    g.volume_after_mm3 = volumes[1];
    g.volume_mdc_mm3 = number(global.member("volume_mdc_mm3"));
    const JsonField counts = global.required("status_counts");
    g.improved = whole(counts.required("improved"));
    g.stable = whole(counts.required("stable"));
    g.worse = whole(counts.required("worse"));
    g.new_scars = whole(counts.required("new"));
    g.resolved = whole(counts.required("resolved"));
    g.not_found = whole(counts.required("not_found"));
    c.mdc_source = root.required("mdc_source").text();
    c.notes = root.required("notes").texts();
    return c;
  });
}

json to_json(const Comparison& comparison) {
  json document = comparison_to_json(comparison.comparison);
  document["baseline"] = {{"file", comparison.baseline_file}, {"count", comparison.baseline_count}};
  document["followup"] = {{"file", comparison.followup_file}, {"count", comparison.followup_count}};
  document["scarscope"] = result_version_json(comparison.made_by);
  return document;
}

Comparison comparison_from_json(const json& document, const std::string& source) {
  return guarded(source, [&] {
    const JsonField root(document, source);
    root.expect_object("expected a comparison JSON object");
    Comparison result;
    result.made_by = read_result_version(document, ResultKind::comparison, source);
    result.comparison = visit_comparison_from_json(document, source);
    const JsonField baseline = root.required("baseline");
    result.baseline_file = baseline.required("file").text();
    result.baseline_count = static_cast<std::size_t>(whole(baseline.required("count")));
    const JsonField followup = root.required("followup");
    result.followup_file = followup.required("file").text();
    result.followup_count = static_cast<std::size_t>(whole(followup.required("count")));
    return result;
  });
}

}  // namespace scarscope
