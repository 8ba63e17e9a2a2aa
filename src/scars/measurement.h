// Measurement of one candidate over its full extent, out to the rim where it meets the skin:
// depth and volume against the skin filled in from that rim (a harmonic / Laplace fill).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "scars/analysis_settings.h"
#include "scars/detection.h"
#include "surface/height_map.h"

namespace scarscope {

struct ScarMeasurement {
  bool elevation = false;
  std::array<double, 2> centroid_mm{0.0, 0.0};
  double area_mm2 = 0.0;
  double diameter_mm = 0.0;  // equivalent-area diameter of the full extent
  double major_mm = 0.0;
  double minor_mm = 0.0;
  double depth_um = 0.0;     // deepest point (height for an elevation), against the filled skin
  bool depth_is_lower_bound = false;
  double mean_depth_um = 0.0;
  double volume_mm3 = 0.0;
  double wall_slope_deg = 0.0;   // median slope of the wall (between 20 % and 80 % of the depth)
  double wall_sharpness = 0.0;   // wall slope / (depth / radius): ~1 V, ~1.5 M, >= 2.5 U
  double floor_fraction = 0.0;   // share of the extent deeper than half the depth (U high, V and M low)
  double flat_fraction = 0.0;    // share of the extent within 20 % of the deepest point
  double depth_to_width = 0.0;   // depth / diameter (same units)
  double elongation = 1.0;       // major / minor
  double unseen_fraction = 0.0;  // share of the extent with no data
  double rim_level_um = 0.0;     // level the extent was traced at
  bool extent_extrapolated = false;  // the rim lay below the noise floor and was extrapolated
  std::vector<std::array<double, 2>> outline_mm;
};

// `relief`: heights above the reference skin with missing points filled (fill_missing_relief) and
// the original mask; `smoothed`: the smoothed relief; `traced`: the relief the extent is traced on
// (pores and furrows removed); `labels` from segment_relief; `label` is the candidate's (1-based).
// Returns an empty measurement (area 0) if nothing remains.
ScarMeasurement measure_candidate(const HeightMap& relief, const float* smoothed, const float* traced,
                                  const std::vector<std::int32_t>& labels,
                                  int label, const CandidateRegion& candidate, const MeasurementSettings& settings);

// Fills the `unknown` points of a w x h grid harmonically from the others (multigrid-initialised
// relaxation). With no known point at all the unknowns become 0.
void harmonic_fill_box(std::vector<float>& values, const std::vector<std::uint8_t>& unknown, int w, int h,
                       double dx_um, double dy_um);

}  // namespace scarscope
