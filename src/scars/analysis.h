// The scar analysis of one scan, end to end: reference skin surface, detection, measurement,
// typing; and the analysis JSON of DESIGN.md ("scan", "surface", "settings", "scars", "counts").
#pragma once
#include <nlohmann/json_fwd.hpp>

#include "core/progress.h"
#include "scars/analysis_settings.h"
#include "scars/inventory.h"
#include "scars/reference_surface.h"
#include "surface/height_map.h"
#include "surface/parameters.h"

namespace scarscope {

struct CandidateTally {
  int candidates = 0;        // depressions and elevations that reached the seed level
  int rejected_pores = 0;    // small and round
  int rejected_furrows = 0;  // long, narrow and shallow
  int rejected_shallow = 0;  // shallower than the seed level against the skin around them
};

struct ScanAnalysis {
  ScarInventory inventory;         // the scars, ids 1..N in reading order (top to bottom, left to right)
  SurfaceParameters surface;       // ISO 25178 parameters of the skin relief (form and waviness removed)
  bool surface_measured = false;   // false when the scan had too few valid points
  ReferenceInfo reference;
  CandidateTally tally;
  AnalysisSettings settings;
  double dx_um = 0.0, dy_um = 0.0;
  double detection_dx_um = 0.0, detection_dy_um = 0.0;  // spacing of the grid scars were detected on
  double morphology_step_um = 0.0;  // the closed / opened relief's rounding step (0: float), see close_and_open
  double noise_um = 0.0;           // robust spread of the smoothed relief on skin (µm)
  std::vector<std::string> notes;  // what the analysis had to tolerate ("62 % of the scan has no data")
};

// Analyses a height map (taken by value: it is turned into the relief in place, so a large scan is
// held once). Throws InputError for a scan that cannot be analysed (spacing outside 1-200 µm, fewer
// than 8 x 8 points; ErrorCode::out_of_range for heights no skin has, see surface/height_range.h);
// a scan with no valid point or a flat plane gives an honest empty result.
// With `relief_out`, the relief the scars were found in (heights above the reference skin,
// missing points missing) is handed back for the overlay. With `progress`, each stage and each
// measured candidate is reported (fractions rising from 0 to 1) and a cancellation asked for is
// honoured there (CancelledError). Reentrant: analyses may run concurrently on other threads.
ScanAnalysis analyze_height_map(HeightMap map, const AnalysisSettings& settings = {}, HeightMap* relief_out = nullptr,
                                const Progress* progress = nullptr);

// The relief the analysis works on (heights above the reference skin, missing points kept
// missing), for overlays and for tests. Refuses heights no skin has as analyze_height_map does.
HeightMap skin_relief(const HeightMap& map, const AnalysisSettings& settings = {});

// {"scan": scan, "surface", "settings", "scars", "counts", "coverage_cm2", "candidates"}; "grades"
// is added by the caller (the grading part sits above this one).
nlohmann::json analysis_to_json(const ScanAnalysis& analysis, const nlohmann::json& scan);

// "candidates": {"found", "rejected_pores", "rejected_furrows", "rejected_shallow"}.
nlohmann::json candidate_tally_json(const CandidateTally& tally);

// "settings": every threshold and scale, in physical units, with the pixel size.
nlohmann::json analysis_settings_json(const AnalysisSettings& settings, double dx_um, double dy_um);

}  // namespace scarscope
