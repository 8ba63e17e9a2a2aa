// A course of visits: every later visit compared with the first, and one trajectory per scar with
// an id that stays the same across the series (the baseline id; scars first seen later get new
// ids above the baseline's, kept at every visit that sees them again).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "followup/comparison.h"

namespace scarscope {

struct SeriesVisit {
  std::string name;  // file name, for the report
  const HeightMap* map = nullptr;
  const ScarInventory* scars = nullptr;
};

// A scar at one visit of a series (JSON: trajectory_status_name): at the baseline, its change
// against the baseline, or why there is none.
enum class TrajectoryStatus {
  baseline, improved, stable, worse, new_scar, resolved, not_found,
  not_seen,        // the visit was registered but does not list the scar
  not_registered,  // the visit could not be registered onto the baseline
};
// "baseline", the change status names ("improved", ..., "new", ...), "not_seen", "not_registered".
const char* trajectory_status_name(TrajectoryStatus status);
TrajectoryStatus trajectory_status(ChangeStatus change);
// InputError for anything else.
TrajectoryStatus parse_trajectory_status(const std::string& name);

struct TrajectoryPoint {
  int visit = 0;                 // 1-based, 1 = baseline
  std::optional<int> scan_scar_id;  // the scar's id in that visit's own analysis
  double volume_mm3 = 0.0;
  double volume_change_pct = 0.0;  // against the baseline (NaN for scars new after it)
  double volume_mdc_mm3 = 0.0;
  double depth_um = 0.0;
  TrajectoryStatus status = TrajectoryStatus::baseline;
};

struct ScarTrajectory {
  int id = 0;  // stable across the series
  std::optional<int> baseline_id;
  std::string type;
  std::vector<TrajectoryPoint> points;  // one per visit
};

struct SeriesComparison {
  std::vector<VisitComparison> comparisons;  // visit k (k >= 2) against visit 1
  std::vector<ScarTrajectory> scars;
};

// Throws InputError for fewer than two visits. With `progress`, each comparison reports its share.
SeriesComparison compare_series(const std::vector<SeriesVisit>& visits, const CompareOptions& options = {},
                                const Progress* progress = nullptr);

// The trajectories from comparisons already made (each later visit against the first, in order):
// what compare_series does after comparing, so that a course can be followed from stored
// comparisons without registering the scans again. `scars[k]` is visit k's inventory (k = 0: the
// baseline); `matching` must be the options the comparisons were made with.
SeriesComparison series_from_comparisons(const std::vector<const ScarInventory*>& scars,
                                         std::vector<VisitComparison> comparisons, const MatchingOptions& matching = {});

// {"visits": [...], "scars": [{"id", "baseline_id", "type", "trajectory": [...]}], "comparisons": [...]};
// `files` and `counts` are each visit's scan name and number of listed scars, baseline first.
nlohmann::json series_to_json(const SeriesComparison& series, const std::vector<std::string>& files,
                              const std::vector<std::size_t>& counts);

}  // namespace scarscope
