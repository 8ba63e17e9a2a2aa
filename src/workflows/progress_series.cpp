#include "workflows/progress_series.h"

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "followup/overlay.h"
#include "scars/analysis.h"
#include "workflows/workflow_guard.h"

namespace scarscope {

using nlohmann::json;
using workflow_detail::guarded;

namespace {

struct LoadedVisit {
  HeightMap map;
  ScarInventory scars;
};

double number(const JsonField& field) { return field.is_null() ? std::numeric_limits<double>::quiet_NaN() : field.number(); }

}  // namespace

ProgressSeries progress_series(const std::vector<ComparedVisit>& visits, const CompareOptions& options, bool overlay_pngs,
                               const Progress* progress) {
  return guarded("series", [&] {
    if (visits.size() < 2) {
      throw InputError("a series needs at least two scans (the first is the baseline)", ErrorCode::bad_input, "visits");
    }
    ProgressSeries result;
    result.made_by = current_result_version(ResultKind::series);
    const double steps = static_cast<double>(2 * visits.size() - 1);
    std::vector<LoadedVisit> loaded;
    for (std::size_t k = 0; k < visits.size(); ++k) {
      progress_step(progress, "reading and analysing visit " + std::to_string(k + 1), static_cast<double>(k) / steps);
      LoadedVisit visit;
      visit.map = read_scan(visits[k].scan);
      visit.scars = visits[k].scars ? *visits[k].scars : analyze_height_map(visit.map.clone()).inventory;
      result.visit_files.push_back(visits[k].scan.display_name());
      result.visit_counts.push_back(visit.scars.scars.size());
      loaded.push_back(std::move(visit));
    }
    std::vector<VisitComparison> comparisons;
    std::vector<const ScarInventory*> scars{&loaded[0].scars};
    for (std::size_t k = 1; k < loaded.size(); ++k) {
      progress_step(progress, "comparing visit " + std::to_string(k + 1) + " with the baseline",
                    static_cast<double>(visits.size() + k - 1) / steps);
      const Progress part = sub_progress(progress, static_cast<double>(visits.size() + k - 1) / steps,
                                         static_cast<double>(visits.size() + k) / steps);
      comparisons.push_back(compare_visits(loaded[0].map, loaded[0].scars, loaded[k].map, loaded[k].scars, options, &part));
      scars.push_back(&loaded[k].scars);
    }
    result.series = series_from_comparisons(scars, std::move(comparisons), options.matching);
    if (overlay_pngs) {
      for (std::size_t k = 1; k < loaded.size(); ++k) {
        result.overlay_pngs.push_back(comparison_overlay_png(loaded[0].map, loaded[0].scars, loaded[k].map, loaded[k].scars,
                                                             result.series.comparisons[k - 1]));
      }
    }
    progress_step(progress, "done", 1.0);
    return result;
  });
}

ProgressSeries progress_series(const std::vector<ScarInventory>& visit_scars, std::vector<Comparison> comparisons,
                               const MatchingOptions& matching) {
  return guarded("series", [&] {
    if (visit_scars.size() < 2 || comparisons.size() + 1 != visit_scars.size()) {
      throw InputError("a series of " + std::to_string(visit_scars.size()) + " visits needs " +
                           std::to_string(visit_scars.empty() ? 0 : visit_scars.size() - 1) +
                           " comparisons with the baseline (at least one), not " + std::to_string(comparisons.size()),
                       ErrorCode::bad_input, "comparisons");
    }
    ProgressSeries result;
    result.made_by = current_result_version(ResultKind::series);
    std::vector<const ScarInventory*> scars;
    std::vector<VisitComparison> pairs;
    for (const ScarInventory& inventory : visit_scars) {
      scars.push_back(&inventory);
      result.visit_counts.push_back(inventory.scars.size());
    }
    result.visit_files.push_back(comparisons.front().baseline_file);
    for (Comparison& comparison : comparisons) {
      result.visit_files.push_back(comparison.followup_file);
      pairs.push_back(std::move(comparison.comparison));
    }
    result.series = series_from_comparisons(scars, std::move(pairs), matching);
    return result;
  });
}

json to_json(const ProgressSeries& series) {
  json document = series_to_json(series.series, series.visit_files, series.visit_counts);
  document["scarscope"] = result_version_json(series.made_by);
  return document;
}

ProgressSeries progress_series_from_json(const json& document, const std::string& source) {
  return guarded(source, [&] {
    const JsonField root(document, source);
    root.expect_object("expected a series JSON object");
    ProgressSeries result;
    result.made_by = read_result_version(document, ResultKind::series, source);
    for (const JsonField& visit : root.required("visits").elements()) {
      result.visit_files.push_back(visit.required("file").text());
      result.visit_counts.push_back(static_cast<std::size_t>(visit.required("count").integer_between(0, 1000000000)));
    }
    for (const JsonField& entry : root.required("scars").elements()) {
      ScarTrajectory trajectory;
      trajectory.id = static_cast<int>(entry.required("id").integer_between(0, 1000000000));
      if (const auto id = entry.optional("baseline_id")) trajectory.baseline_id = static_cast<int>(id->integer_between(0, 1000000000));
      trajectory.type = entry.required("type").text();
      for (const JsonField& point_entry : entry.required("trajectory").elements()) {
        TrajectoryPoint point;
        point.visit = static_cast<int>(point_entry.required("visit").integer_between(1, 1000000));
        if (const auto id = point_entry.optional("scan_scar_id")) point.scan_scar_id = static_cast<int>(id->integer_between(0, 1000000000));
        point.volume_mm3 = number(point_entry.member("volume_mm3"));
        point.volume_change_pct = number(point_entry.member("volume_change_pct"));
        point.volume_mdc_mm3 = number(point_entry.member("volume_mdc_mm3"));
        point.depth_um = number(point_entry.member("depth_um"));
        point.status = point_entry.required("status").parsed_text(parse_trajectory_status);
        trajectory.points.push_back(point);
      }
      result.series.scars.push_back(std::move(trajectory));
    }
    const auto comparisons = root.required("comparisons").elements();
    for (const JsonField& comparison : comparisons) {
      result.series.comparisons.push_back(visit_comparison_from_json(comparison.value(), source, comparison.path()));
    }
    if (result.visit_files.size() != result.series.comparisons.size() + 1) {
      root.member("visits").fail(ErrorCode::bad_input, "expected one visit more than comparisons");
    }
    return result;
  });
}

}  // namespace scarscope
