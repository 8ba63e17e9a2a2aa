// Detection: candidate depressions and elevations of the skin relief (heights above the reference
// skin), split where two scars touch, before measurement decides which are scars.
#pragma once
#include <cstdint>
#include <vector>

#include "scars/analysis_settings.h"
#include "surface/height_map.h"

namespace scarscope {

// Gives every missing point of the relief a height: the median of the valid points around its
// missing patch. A dropout on plain skin becomes plain skin (no invented scar). A round patch at
// least settings.unseen_pit_min_diameter_mm wide whose rim lies unseen_pit_min_descent_um or more
// below the skin a little further out (settings.unseen_pit_ring_mm) is a pit whose floor the
// scanner did not see: it is filled as a cone continuing the wall's descent from the rim inwards,
// so the pit is found, and its depth is reported as a lower bound (the points stay unseen). The
// mask is left as it was, so the points stay known as unseen. Returns the number of missing patches;
// `pit_mouths`, if given, gets the indices of the points filled in as the mouth of such a pit, and
// `walled_mouths` those of the mouths the seen wall rings (descends into, more steeply than
// split_floor_max_slope, in at least 8 of 12 sectors round it): a pit's own wall does, also where
// the pit is cut into a boxcar's floor; a dropout on a boxcar's wall (floor on one side, skin on
// the other) is filled as a mouth too but is not ringed.
int fill_missing_relief(HeightMap& relief, const DetectionSettings& settings = {},
                        std::vector<std::size_t>* pit_mouths = nullptr,
                        std::vector<std::size_t>* walled_mouths = nullptr);

struct CandidateRegion {
  bool elevation = false;
  float peak = 0.0f;     // depth (or height) of the smoothed relief at its deepest point, µm
  int peak_index = 0;    // row * nx + col of that point
  int min_row = 0, max_row = 0, min_col = 0, max_col = 0;  // bounding box of its points
  int points = 0;
};

struct Segmentation {
  // One label per point: 0 = skin, k = candidates[k - 1].
  std::vector<std::int32_t> labels;
  std::vector<CandidateRegion> candidates;
};

// Floods the smoothed relief from its deepest points up to the rim level (and, for elevations,
// from its highest points down), merging basins separated only by a shallow saddle (the
// undulating floor of one scar) and splitting those separated by a deep one (touching scars).
// Basins that never reach the seed depth (height) are skin microrelief and get label 0.
// `depressions` and `elevations` hold nx * ny relief heights (no NaN): the smoothed relief with
// features narrower than a scar removed (closed for depressions, opened for elevations).
// `pit_mouths` (nx * ny, or null for none; see DetectionGrid::pit_mouths): 2 where a cell holds the
// mouth of a pit whose floor was not seen and whose seen wall rings it (fill_missing_relief). A
// basin deepest there is such a pit: its depth is a lower bound and it has no seen floor for a
// neighbour to be an undulation of, so it and a touching basin are one scar only if the shallower
// of the two rises less than split_min_dynamic_um above their saddle (a ripple), whatever its
// depth. A mouth no wall rings (1: a dropout on a scar's wall) gets no such rule: split off, it
// became an ice pick of its own beside the scar whose wall it is on.
Segmentation segment_relief(const float* depressions, const float* elevations, int nx, int ny,
                            const DetectionSettings& settings, const std::uint8_t* pit_mouths = nullptr);

// Splits every depression of `segmentation` that holds two flat floors or more: touching boxcars
// whose floors meet without a saddle between them (a shallow floor left as a shelf on the deeper
// one's wall, or two floors of about the same depth cut into each other, one floor with a waist),
// which segment_relief cannot tell apart from one scar. A floor is what DetectionSettings::
// split_floor_* says; each cell of the depression goes to the floor it drains to, deepest cells
// first. `closed` is what segment_relief was given for depressions, on a grid of dx_um x dy_um.
// `pit_mouths` (as for segment_relief; null for none): a mouth's cells were not seen, so they are
// never part of a flat floor; a walled mouth (2, see DetectionGrid::pit_mouths) at least as large
// as unseen_pit_min_diameter_mm asks counts as a floor of its own if the depression also holds a
// seen flat floor: a pit whose floor was not seen, cut into a boxcar's floor so that no saddle
// lies between them, is a scar apart from the boxcar (it drops below where the scanner could
// follow it; the boxcar's floor is flat and was seen), and a smaller piece of a mouth is the edge of
// a pit segment_relief already gave a depression of its own.
// Returns the number of candidates added (appended to segmentation.candidates).
int split_flat_floors(Segmentation& segmentation, const float* closed, int nx, int ny, double dx_um, double dy_um,
                      const DetectionSettings& settings, const std::uint8_t* pit_mouths = nullptr);

// The relief as detection sees it: features narrower than `width_um` (pores, furrows) removed by a
// morphological closing (for depressions, `elevations` false) or opening (for elevations).
std::vector<float> without_narrow_features(const float* relief, int nx, int ny, double dx_um, double dy_um,
                                           double width_um, bool elevations);

// Both of the above at once, into `closed` and `opened` (nx * ny each): on 16-bit integers when
// the relief's range allows, about twice as fast as OpenCV's float morphology. Heights are rounded
// to a step of kMorphologyStepUm (1/32 µm), doubled as often as the range needs to fit in 65000
// steps; closing and opening commute exactly with that (monotone) rounding, so each result is the
// float result rounded to the step, i.e. within half a step of it. The ellipse is taken row by row
// as centred segments, rows streamed from one pass to the next (no full-size 16-bit image). A range
// too wide for kMaxMorphologyStepUm (over ~8 mm: not skin) is done in float by OpenCV. Returns the
// step used (0 = float).
constexpr double kMorphologyStepUm = 1.0 / 32.0;
constexpr double kMaxMorphologyStepUm = 1.0 / 8.0;
double close_and_open(const float* relief, int nx, int ny, double dx_um, double dy_um, double width_um, float* closed,
                      float* opened);

// Detection works on a grid of about DetectionSettings::grid_cell_um (block means of fx x fy
// points of the relief; the scan's own grid when its spacing is already that coarse): smoothing,
// closing / opening and flooding need no finer grid, and this makes them cost the same whatever
// the scanner's resolution. Measurement goes back to full resolution inside each scar's box.
struct DetectionGrid {
  int fx = 1, fy = 1;  // points of the scan per cell, along x and y
  int nx = 0, ny = 0;  // cells
  double dx_um = 0.0, dy_um = 0.0;
  // (Not zero-filled when sized: make_detection_grid writes every cell.)
  using Cells = std::vector<float, detail::DefaultInitAllocator<float>>;
  Cells smoothed;  // smoothed relief
  Cells closed;    // smoothed, narrow depressions closed (what depressions are found in)
  Cells opened;    // smoothed, narrow elevations opened (what elevations are found in)
  double morphology_step_um = 0.0;  // closed and opened are rounded to this step (0: exact float), see close_and_open
  // 1 where a cell holds a point filled in as the mouth of a pit whose floor was not seen (see
  // fill_missing_relief), 2 where one of those points is of a mouth that the seen wall rings
  // (walled_mouths); empty when the scan has none.
  std::vector<std::uint8_t> pit_mouths;
};

// The detection grid of a relief whose missing points were filled (fill_missing_relief), given the
// points that call filled in as pit mouths and, of those, the walled ones.
DetectionGrid make_detection_grid(const HeightMap& relief, const DetectionSettings& settings,
                                  const std::vector<std::size_t>& pit_mouths = {},
                                  const std::vector<std::size_t>& walled_mouths = {});

// segment_relief on the grid's closed and opened relief, then split_flat_floors.
Segmentation segment_relief(const DetectionGrid& grid, const DetectionSettings& settings);

}  // namespace scarscope
