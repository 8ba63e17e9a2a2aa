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

struct TrajectoryPoint {
  int visit = 0;                 // 1-based, 1 = baseline
  std::optional<int> scan_scar_id;  // the scar's id in that visit's own analysis
  double volume_mm3 = 0.0;
  double volume_change_pct = 0.0;  // against the baseline (NaN for scars new after it)
  double volume_mdc_mm3 = 0.0;
  double depth_um = 0.0;
  std::string status;            // "baseline", or the status against the baseline; "not_seen"
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

// {"visits": [...], "scars": [{"id", "baseline_id", "type", "trajectory": [...]}], "comparisons": [...]}
nlohmann::json series_to_json(const SeriesComparison& series, const std::vector<SeriesVisit>& visits);

}  // namespace scarscope
