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
  // Depth of the scar (height for an elevation): the deepest point of the relief with pores and
  // furrows removed (detection's closing), against that relief filled in from the rim; at a narrow
  // pit's tip, which the closing blunts, the grid's own samples there.
  double depth_um = 0.0;
  double max_depth_um = 0.0;  // the deepest of the grid's own samples, microrelief included
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
// the original mask; `grid`, `labels` and `candidate` (label `label`, 1-based) from detection,
// which ran on the coarser detection grid. The candidate is measured at the relief's full
// resolution inside a padded box around it: the relief there is smoothed by
// detection.smoothing_sigma_um (depth is read from it), and the extent is traced on it with the
// narrow features the detection grid's closing (opening) removed taken out too.
// Returns an empty measurement (area 0) if nothing remains.
ScarMeasurement measure_candidate(const HeightMap& relief, const DetectionGrid& grid, const std::vector<std::int32_t>& labels,
                                  int label, const CandidateRegion& candidate, const DetectionSettings& detection,
                                  const MeasurementSettings& settings);

namespace detail {
// measure_candidate's harmonic fill of the `unknown` points of a w x h grid (row by row, spacing
// dx_um x dy_um) from the others, in place. With `vectorised` false the relaxation runs its portable
// code whatever the processor (the AVX2 copy gives the same bits). For tests.
void harmonic_fill(std::vector<float>& values, const std::vector<std::uint8_t>& unknown, int w, int h, double dx_um,
                   double dy_um, bool vectorised);
// measure_candidate's region of a w x h grid (row by row): the 8-connected component of `inside`
// holding `seed`, with the `allowed` points it encloses filled in; empty if `seed` is not inside.
std::vector<std::uint8_t> component_with_holes(const std::vector<std::uint8_t>& inside, const std::vector<std::uint8_t>& allowed, int w,
                                               int h, std::size_t seed);
// measure_candidate's dilation of a w x h region by an ellipse of `radius` points.
std::vector<std::uint8_t> dilate(const std::vector<std::uint8_t>& region, int w, int h, int radius);
}  // namespace detail

}  // namespace scarscope
