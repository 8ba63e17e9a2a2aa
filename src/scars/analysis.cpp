#include "scars/analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "core/error.h"
#include "core/format.h"
#include "core/progress.h"
#include "scars/classification.h"
#include "scars/detection.h"
#include "scars/measurement.h"
#include "core/selection.h"
#include "surface/height_range.h"

namespace scarscope {
namespace {

constexpr double kMinSpacingUm = 1.0;
constexpr double kMaxSpacingUm = 200.0;
constexpr int kMinPoints = 8;

void check_analysable(const HeightMap& map) {
  const std::string name = map.metadata.source_file.empty() ? "scan" : map.metadata.source_file;
  if (map.nx() < kMinPoints || map.ny() < kMinPoints) {
    throw InputError(name + ": " + std::to_string(map.nx()) + " x " + std::to_string(map.ny()) +
                         " points is too small to analyse (at least " + std::to_string(kMinPoints) + " x " +
                         std::to_string(kMinPoints) + " needed)",
                     ErrorCode::out_of_range, "size");
  }
  for (const double spacing : {map.dx_um(), map.dy_um()}) {
    if (!(spacing >= kMinSpacingUm && spacing <= kMaxSpacingUm)) {
      throw InputError(name + ": lateral spacing " + general_decimal(spacing) +
                           " um is outside the 1-200 um that skin scans are analysed at"
                           " (check the file's units or --spacing-um)",
                       ErrorCode::out_of_range, "spacing");
    }
  }
}

// Robust spread (1.4826 × MAD) of the smoothed relief over a sample of the detection grid's cells
// that hold valid points (the cell's first point valid).
double robust_spread(const DetectionGrid& grid, const HeightMap& map) {
  std::vector<float> sample;
  const std::size_t cells = grid.smoothed.size();
  const std::size_t step = std::max<std::size_t>(1, cells / 200000);
  sample.reserve(cells / step + 1);
  const std::uint8_t* mask = map.mask();
  if (step == 1) {  // (under 400,000 cells: every cell, row by row, without a division per cell)
    for (int j = 0; j < grid.ny; ++j) {
      const std::uint8_t* first_points = mask + map.index(j * grid.fy, 0);
      const float* cell = grid.smoothed.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(grid.nx);
      for (int i = 0; i < grid.nx; ++i)
        if (first_points[static_cast<std::size_t>(i) * static_cast<std::size_t>(grid.fx)]) sample.push_back(cell[i]);
    }
  } else {
    for (std::size_t c = 0; c < cells; c += step) {
      const int row = static_cast<int>(c / static_cast<std::size_t>(grid.nx)) * grid.fy;
      const int col = static_cast<int>(c % static_cast<std::size_t>(grid.nx)) * grid.fx;
      if (mask[map.index(row, col)]) sample.push_back(grid.smoothed[c]);
    }
  }
  if (sample.empty()) return 0.0;
  const std::size_t half = sample.size() / 2;
  std::vector<float> work = sample;  // kth_smallest overwrites its input
  const float median = kth_smallest(work, half);
  for (float& v : sample) v = std::abs(v - median);
  return 1.4826 * kth_smallest(sample, half);
}

}  // namespace

HeightMap skin_relief(const HeightMap& map, const AnalysisSettings& settings) {
  check_analysable(map);
  HeightMap relief = map.clone();
  relief.normalize_missing();
  check_height_range(relief);
  if (relief.valid_count() > 0) subtract_reference_surface(relief, settings.reference);
  return relief;
}

ScanAnalysis analyze_height_map(HeightMap map, const AnalysisSettings& settings, HeightMap* relief_out,
                                const Progress* progress) {
  progress_step(progress, "checking heights", 0.0);
  check_analysable(map);
  map.normalize_missing();
  // Before anything is sized or looped over by the heights: a relief no skin has is refused.
  check_height_range(map);
  ScanAnalysis result;
  result.settings = settings;
  result.dx_um = map.dx_um();
  result.dy_um = map.dy_um();
  const std::size_t valid = map.valid_count();
  result.inventory.coverage_cm2 = static_cast<double>(valid) * map.dx_um() * map.dy_um() * 1e-8;
  if (!map.metadata.source_file.empty()) {
    result.inventory.scans.push_back(std::filesystem::path(map.metadata.source_file).filename().string());
  }
  if (valid < static_cast<std::size_t>(kMinPoints * kMinPoints)) {
    result.notes.push_back(valid == 0 ? "the scan holds no valid point: nothing to analyse"
                                      : "the scan holds only " + std::to_string(valid) + " valid points: nothing to analyse");
    if (relief_out) *relief_out = std::move(map);
    progress_step(progress, "done", 1.0);
    return result;
  }
  const double missing_fraction = 1.0 - static_cast<double>(valid) / static_cast<double>(map.size());
  if (missing_fraction > 0.5) {
    result.notes.push_back(std::to_string(static_cast<int>(std::lround(100 * missing_fraction))) +
                           " % of the scan has no data: scars there cannot be seen");
  }

  progress_step(progress, "reference surface", 0.05);
  result.reference = subtract_reference_surface(map, settings.reference);
  progress_step(progress, "surface parameters", 0.2);
  result.surface = compute_surface_parameters(map, settings.surface.sdq);
  result.surface_measured = true;
  progress_step(progress, "filling gaps", 0.3);
  std::vector<std::size_t> pit_mouths, walled_mouths;
  fill_missing_relief(map, settings.detection, &pit_mouths, &walled_mouths);
  progress_step(progress, "detection grid", 0.35);
  const DetectionGrid grid = make_detection_grid(map, settings.detection, pit_mouths, walled_mouths);
  result.detection_dx_um = grid.dx_um;
  result.detection_dy_um = grid.dy_um;
  result.morphology_step_um = grid.morphology_step_um;
  result.noise_um = robust_spread(grid, map);
  progress_step(progress, "segmentation", 0.55);
  const Segmentation segmentation = segment_relief(grid, settings.detection);
  result.tally.candidates = static_cast<int>(segmentation.candidates.size());

  const DetectionSettings& detection = settings.detection;
  std::vector<Scar> scars;
  const double candidates = static_cast<double>(segmentation.candidates.size());
  for (std::size_t k = 0; k < segmentation.candidates.size(); ++k) {
    progress_step(progress, "measuring scars", 0.65 + 0.34 * static_cast<double>(k) / candidates);
    const CandidateRegion& candidate = segmentation.candidates[k];
    const ScarMeasurement m = measure_candidate(map, grid, segmentation.labels, static_cast<int>(k + 1), candidate,
                                                detection, settings.measurement);
    const double seed = candidate.elevation ? detection.seed_height_um : detection.seed_depth_um;
    if (m.area_mm2 <= 0.0 || m.depth_um < seed) {
      ++result.tally.rejected_shallow;
      continue;
    }
    if (m.diameter_mm < detection.pore_max_diameter_mm || m.area_mm2 < detection.min_area_mm2) {
      ++result.tally.rejected_pores;
      continue;
    }
    if (m.elongation >= detection.furrow_min_elongation && m.depth_um < detection.furrow_max_depth_um) {
      ++result.tally.rejected_furrows;
      continue;
    }
    const ScarTyping typing = classify_scar(m, settings.classification);
    Scar scar;
    scar.type = typing.type;
    scar.confidence = std::round(typing.confidence * 100.0) / 100.0;
    scar.reason = typing.reason;
    scar.profile = typing.profile;
    scar.centroid_mm = m.centroid_mm;
    scar.area_mm2 = m.area_mm2;
    scar.diameter_mm = m.diameter_mm;
    scar.major_mm = m.major_mm;
    scar.minor_mm = m.minor_mm;
    scar.depth_um = m.depth_um;
    scar.depth_is_lower_bound = m.depth_is_lower_bound;
    scar.mean_depth_um = m.mean_depth_um;
    scar.volume_mm3 = m.volume_mm3;
    scar.wall_slope_deg = m.wall_slope_deg;
    scar.outline_mm = m.outline_mm;
    scar.shape.floor_fraction = m.floor_fraction;
    scar.shape.flat_fraction = m.flat_fraction;
    scar.shape.wall_sharpness = m.wall_sharpness;
    scar.shape.depth_to_width = m.depth_to_width;
    scar.shape.elongation = m.elongation;
    scar.shape.unseen_fraction = m.unseen_fraction;
    scar.shape.rim_level_um = m.rim_level_um;
    scar.shape.max_depth_um = m.max_depth_um;
    scar.shape.extent_extrapolated = m.extent_extrapolated;
    scars.push_back(std::move(scar));
  }
  // Reading order (rows of about 2 mm, left to right) makes ids stable and easy to find on the overlay.
  std::sort(scars.begin(), scars.end(), [](const Scar& a, const Scar& b) {
    const auto band_a = std::floor(a.centroid_mm[1] / 2.0), band_b = std::floor(b.centroid_mm[1] / 2.0);
    if (band_a != band_b) return band_a < band_b;
    return a.centroid_mm[0] < b.centroid_mm[0];
  });
  for (std::size_t i = 0; i < scars.size(); ++i) scars[i].id = static_cast<int>(i + 1);
  result.inventory.scars = std::move(scars);
  if (relief_out) {
    map.normalize_missing();  // the unseen points filled for detection go back to missing
    *relief_out = std::move(map);
  }
  progress_step(progress, "done", 1.0);
  return result;
}

nlohmann::json analysis_settings_json(const AnalysisSettings& s, double dx_um, double dy_um) {
  nlohmann::json j;
  j["pixel_dx_um"] = dx_um;
  j["pixel_dy_um"] = dy_um;
  j["reference"] = {{"method", "polynomial form + robust (Tukey biweight) Gaussian regression on a coarse grid"},
                    {"cell_um", s.reference.cell_um},
                    {"form_degree", s.reference.form_degree},
                    {"gaussian_sigma_mm", s.reference.gaussian_sigma_mm},
                    {"biweight_cutoff_sigmas", s.reference.biweight_cutoff},
                    {"robust_iterations", s.reference.robust_iterations}};
  j["detection"] = {{"grid_cell_um", s.detection.grid_cell_um},
                    {"smoothing_sigma_um", s.detection.smoothing_sigma_um},
                    {"narrow_feature_width_um", s.detection.narrow_feature_width_um},
                    {"rim_depth_um", s.detection.rim_depth_um},
                    {"seed_depth_um", s.detection.seed_depth_um},
                    {"seed_height_um", s.detection.seed_height_um},
                    {"split_min_dynamic_um", s.detection.split_min_dynamic_um},
                    {"split_relative_dynamic", s.detection.split_relative_dynamic},
                    {"split_floor_share", s.detection.split_floor_share},
                    {"merge_min_saddle_fraction", s.detection.merge_min_saddle_fraction},
                    {"pore_max_diameter_mm", s.detection.pore_max_diameter_mm},
                    {"furrow_min_elongation", s.detection.furrow_min_elongation},
                    {"furrow_max_depth_um", s.detection.furrow_max_depth_um},
                    {"min_area_mm2", s.detection.min_area_mm2},
                    {"unseen_pit_min_diameter_mm", s.detection.unseen_pit_min_diameter_mm},
                    {"unseen_pit_min_descent_um", s.detection.unseen_pit_min_descent_um},
                    {"unseen_pit_ring_mm", s.detection.unseen_pit_ring_mm},
                    {"split_floor_max_slope", s.detection.split_floor_max_slope},
                    {"split_floor_min_diameter_mm", s.detection.split_floor_min_diameter_mm},
                    {"split_floor_max_spread", s.detection.split_floor_max_spread},
                    {"split_floor_max_neck", s.detection.split_floor_max_neck}};
  j["measurement"] = {{"fill", "harmonic (Laplace) from the rim"},
                      {"rim_fraction", s.measurement.rim_fraction},
                      {"rim_min_um", s.measurement.rim_min_um},
                      {"extrapolate_to_fraction", s.measurement.extrapolate_to_fraction},
                      {"unseen_floor_share", s.measurement.unseen_floor_share},
                      {"box_margin_fraction", s.measurement.box_margin_fraction},
                      {"min_points_across", s.measurement.min_points_across}};
  j["classification"] = {{"ice_pick_max_diameter_mm", s.classification.ice_pick_max_diameter_mm},
                         {"boxcar_min_diameter_mm", s.classification.boxcar_min_diameter_mm},
                         {"boxcar_max_diameter_mm", s.classification.boxcar_max_diameter_mm},
                         {"rolling_min_diameter_mm", s.classification.rolling_min_diameter_mm},
                         {"flat_floor_fraction", s.classification.flat_floor_fraction},
                         {"steep_floor_fraction", s.classification.steep_floor_fraction},
                         {"steep_wall_sharpness", s.classification.steep_wall_sharpness},
                         {"ice_pick_min_depth_to_width", s.classification.ice_pick_min_depth_to_width}};
  j["surface"] = {{"sdq", sdq_method_name(s.surface.sdq)}, {"sdr", "complete cells only (all four corners valid)"}};
  return j;
}

nlohmann::json analysis_to_json(const ScanAnalysis& analysis, const nlohmann::json& scan) {
  nlohmann::json j;
  j["scan"] = scan;
  if (analysis.surface_measured) {
    j["surface"] = surface_parameters_json(analysis.surface);
  } else {
    j["surface"] = nullptr;
  }
  j["settings"] = analysis_settings_json(analysis.settings, analysis.dx_um, analysis.dy_um);
  j["settings"]["measured_noise_um"] = analysis.noise_um;
  j["settings"]["detection"]["grid_dx_um"] = analysis.detection_dx_um;
  j["settings"]["detection"]["grid_dy_um"] = analysis.detection_dy_um;
  // Closing and opening run on heights rounded to this step (0: in float).
  j["settings"]["detection"]["morphology_step_um"] = analysis.morphology_step_um;
  j["settings"]["reference"]["robust_sigma_um"] = analysis.reference.robust_sigma_um;
  const nlohmann::json inventory = inventory_to_json(analysis.inventory);
  j["scars"] = inventory.at("scars");
  j["counts"] = inventory.at("counts");
  j["coverage_cm2"] = analysis.inventory.coverage_cm2;
  j["candidates"] = candidate_tally_json(analysis.tally);
  j["notes"] = analysis.notes;
  return j;
}

nlohmann::json candidate_tally_json(const CandidateTally& tally) {
  return {{"found", tally.candidates},
          {"rejected_pores", tally.rejected_pores},
          {"rejected_furrows", tally.rejected_furrows},
          {"rejected_shallow", tally.rejected_shallow}};
}

}  // namespace scarscope
