// A patient's course of visits (`scarscope compare --series`, the server's progress view): every
// later visit against the first, and one trajectory per scar whose id stays the same across the
// series. From scans (registers each visit onto the baseline), or from comparisons already made
// and stored (nothing registered again).
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result_version.h"
#include "followup/series.h"
#include "workflows/comparison.h"

namespace scarscope {

struct ProgressSeries {
  ResultVersion made_by;
  std::vector<std::string> visit_files;    // the visits' scan names, baseline first
  std::vector<std::size_t> visit_counts;   // scars each visit's analysis lists
  SeriesComparison series;                 // comparisons (visit k against visit 1) and trajectories
  std::vector<std::vector<std::byte>> overlay_pngs;  // one per follow-up visit, when asked for
};

// Every visit against the first (at least two visits). A visit without an analysis is analysed.
// A visit that cannot be registered gives "not_registered" points, not an error.
ProgressSeries progress_series(const std::vector<ComparedVisit>& visits, const CompareOptions& options = {},
                               bool overlay_pngs = false, const Progress* progress = nullptr);

// The same from stored results: each visit's scars (baseline first) and each later visit's
// comparison against the baseline, in order (taken: a comparison holds its registered maps, which
// are not copied). `matching` must be what the comparisons used.
ProgressSeries progress_series(const std::vector<ScarInventory>& visit_scars, std::vector<Comparison> comparisons,
                               const MatchingOptions& matching = {});

// {"visits", "scars" (trajectories), "comparisons", "scarscope"}.
nlohmann::json to_json(const ProgressSeries& series);
// A stored series back: to_json(progress_series_from_json(j)) == j.
ProgressSeries progress_series_from_json(const nlohmann::json& document, const std::string& source);

}  // namespace scarscope
