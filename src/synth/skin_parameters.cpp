#include "synth/skin_parameters.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::synth {

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names{"cheek", "forehead", "severe", "mild", "clear", "hard"};
  return names;
}

std::string preset_description(const std::string& preset) {
  if (preset == "cheek") return "cheek: mixed ice pick, boxcar and rolling scars, about 1.2 per cm2";
  if (preset == "forehead") return "forehead: flatter form, fewer and smaller scars (0.6 per cm2), no rolling clusters";
  if (preset == "severe") return "severe: dense (2.5 per cm2), deep, mixed scars, many touching";
  if (preset == "mild") return "mild: few (0.4 per cm2), shallow boxcar and rolling scars, small ice picks";
  if (preset == "clear") return "clear: skin without scars (for false positives)";
  if (preset == "hard") return "hard: cheek scars under strong curvature, 4.5 um noise, dropouts and spikes";
  return "";
}

SkinParameters preset_parameters(const std::string& preset) {
  SkinParameters p;
  p.preset = preset;
  if (preset == "cheek") {
    return p;
  }
  if (preset == "forehead") {
    p.form.curvature_radius_min_mm = 120.0;
    p.form.curvature_radius_max_mm = 200.0;
    p.form.tilt_max_deg = 4.0;
    p.furrows.directions = 2;
    p.furrows.depth_um = 40.0;
    p.furrows.spacing_mm = 0.55;
    p.pores.density_per_cm2 = 25.0;
    p.scars.density_per_cm2 = 0.6;
    p.scars.ice_pick = {0.45, 0.5, 1.5, 300.0, 1200.0};
    p.scars.boxcar = {0.40, 2.0, 4.0, 100.0, 700.0};
    p.scars.rolling = {0.10, 5.0, 7.0, 80.0, 250.0};
    p.scars.hypertrophic = {0.05, 2.0, 4.0, 200.0, 600.0};
    p.scars.deep_boxcar_share = 0.3;
    p.scars.rolling_cluster_share = 0.0;
    p.scars.touching_share = 0.05;
    return p;
  }
  if (preset == "severe") {
    p.scars.density_per_cm2 = 2.5;
    p.scars.ice_pick = {0.35, 0.6, 1.6, 500.0, 2500.0};
    p.scars.boxcar = {0.35, 2.0, 4.0, 150.0, 1100.0};
    p.scars.rolling = {0.25, 5.0, 10.0, 120.0, 450.0};
    p.scars.hypertrophic = {0.05, 2.5, 6.0, 300.0, 1200.0};
    p.scars.deep_boxcar_share = 0.6;
    p.scars.touching_share = 0.3;
    p.scars.rolling_cluster_share = 0.8;
    p.scars.min_gap_mm = 0.2;
    return p;
  }
  if (preset == "mild") {
    p.scars.density_per_cm2 = 0.4;
    p.scars.ice_pick = {0.25, 0.4, 1.0, 200.0, 600.0};
    p.scars.boxcar = {0.45, 1.8, 3.0, 100.0, 400.0};
    p.scars.rolling = {0.30, 4.5, 7.0, 60.0, 200.0};
    p.scars.hypertrophic = {0.0, 2.0, 3.0, 150.0, 400.0};
    p.scars.deep_boxcar_share = 0.0;
    p.scars.touching_share = 0.05;
    p.scars.rolling_cluster_share = 0.3;
    return p;
  }
  if (preset == "clear") {
    p.scars.density_per_cm2 = 0.0;
    return p;
  }
  if (preset == "hard") {
    p.form.curvature_radius_min_mm = 40.0;
    p.form.curvature_radius_max_mm = 60.0;
    p.form.apex_offset_max_mm = 25.0;
    p.form.tilt_max_deg = 12.0;
    p.roughness.rms_um = 6.0;
    p.instrument.noise_um = 4.5;
    p.instrument.dropout_blobs_per_cm2 = 2.0;
    p.instrument.dropout_radius_max_mm = 0.8;
    p.instrument.steep_wall_missing_deg = 68.0;
    p.instrument.ice_pick_occluded_fraction = 0.8;
    p.instrument.spike_fraction = 2e-5;
    p.instrument.spike_height_um = 400.0;
    p.scars.overlap_band_share = 0.4;
    p.scars.touching_share = 0.25;
    return p;
  }
  std::string known;
  for (const auto& name : preset_names()) known += (known.empty() ? "" : ", ") + name;
  throw InputError("unknown preset '" + preset + "' (known presets: " + known + ")");
}

const std::vector<std::string>& condition_names() {
  static const std::vector<std::string> names{"plain", "relief", "touching", "missing", "real"};
  return names;
}

std::string condition_description(const std::string& condition) {
  if (condition == "plain") return "plain: scar floors smoothed, sharp ice picks only, no boxcar pairs, no scattered missing points";
  if (condition == "relief") return "relief: pores and furrows over scar floors (rolling fully, boxcar partly), sharp and rounded ice picks";
  if (condition == "touching") return "touching: relief, and half the boxcars touch or overlap (up to 20 % of radii) another boxcar";
  if (condition == "missing") return "missing: relief, 1-2 % single points missing at random, walls steeper than 70 deg missing";
  if (condition == "real") return "real: relief, touching boxcars (25 %), 0-2 % single points missing, walls over 72 deg missing";
  return "";
}

void apply_condition(SkinParameters& p, const std::string& condition) {
  RealismParameters& r = p.realism;
  if (condition == "plain") {
    r = RealismParameters{};
    return;
  }
  if (condition != "relief" && condition != "touching" && condition != "missing" && condition != "real") {
    std::string known;
    for (const auto& name : condition_names()) known += (known.empty() ? "" : ", ") + name;
    throw InputError("unknown condition '" + condition + "' (known conditions: " + known + ")");
  }
  r.condition = condition;
  r.rolling_smoothing_factor = 0.0;  // tethered normal skin: its microrelief unchanged
  r.boxcar_smoothing_factor = 0.7;   // with scar_smoothing 0.7: about half the microrelief kept
  r.rounded_ice_pick_share = 0.5;
  if (condition == "touching") r.boxcar_pair_share = 0.5;
  if (condition == "real") r.boxcar_pair_share = 0.25;
  if (condition == "missing") {
    r.scattered_missing_min = 0.01;
    r.scattered_missing_max = 0.02;
    p.instrument.steep_wall_missing_deg = std::min(p.instrument.steep_wall_missing_deg, 70.0);
  }
  if (condition == "real") {
    r.scattered_missing_min = 0.0;
    r.scattered_missing_max = 0.02;
    p.instrument.steep_wall_missing_deg = std::min(p.instrument.steep_wall_missing_deg, 72.0);
  }
}

namespace {

nlohmann::json type_range_json(const ScarTypeRange& r) {
  return {{"share", r.share},
          {"diameter_min_mm", r.diameter_min_mm},
          {"diameter_max_mm", r.diameter_max_mm},
          {"depth_min_um", r.depth_min_um},
          {"depth_max_um", r.depth_max_um}};
}

}  // namespace

nlohmann::json to_json(const SkinParameters& p) {
  nlohmann::json j;
  j["preset"] = p.preset;
  j["form"] = {{"curvature_radius_min_mm", p.form.curvature_radius_min_mm},
               {"curvature_radius_max_mm", p.form.curvature_radius_max_mm},
               {"apex_offset_max_mm", p.form.apex_offset_max_mm},
               {"tilt_max_deg", p.form.tilt_max_deg}};
  j["furrows"] = {{"directions", p.furrows.directions},
                  {"spacing_mm", p.furrows.spacing_mm},
                  {"depth_um", p.furrows.depth_um},
                  {"width_um", p.furrows.width_um},
                  {"wobble_um", p.furrows.wobble_um},
                  {"fade_length_mm", p.furrows.fade_length_mm}};
  j["pores"] = {{"density_per_cm2", p.pores.density_per_cm2},
                {"width_min_um", p.pores.width_min_um},
                {"width_max_um", p.pores.width_max_um},
                {"depth_min_um", p.pores.depth_min_um},
                {"depth_max_um", p.pores.depth_max_um}};
  j["roughness"] = {{"rms_um", p.roughness.rms_um},
                    {"hurst", p.roughness.hurst},
                    {"min_wavelength_um", p.roughness.min_wavelength_um},
                    {"max_wavelength_mm", p.roughness.max_wavelength_mm}};
  const auto& in = p.instrument;
  j["instrument"] = {{"noise_um", in.noise_um},
                     {"dropout_blobs_per_cm2", in.dropout_blobs_per_cm2},
                     {"dropout_radius_min_mm", in.dropout_radius_min_mm},
                     {"dropout_radius_max_mm", in.dropout_radius_max_mm},
                     {"steep_wall_missing_deg", in.steep_wall_missing_deg},
                     {"ice_pick_occluded_fraction", in.ice_pick_occluded_fraction},
                     {"occluded_visible_min", in.occluded_visible_min},
                     {"occluded_visible_max", in.occluded_visible_max},
                     {"spike_fraction", in.spike_fraction},
                     {"spike_height_um", in.spike_height_um}};
  const auto& s = p.scars;
  j["scars"] = {{"density_per_cm2", s.density_per_cm2},
                {"ice_pick", type_range_json(s.ice_pick)},
                {"boxcar", type_range_json(s.boxcar)},
                {"rolling", type_range_json(s.rolling)},
                {"hypertrophic", type_range_json(s.hypertrophic)},
                {"deep_boxcar_share", s.deep_boxcar_share},
                {"overlap_band_share", s.overlap_band_share},
                {"touching_share", s.touching_share},
                {"rolling_cluster_share", s.rolling_cluster_share},
                {"min_gap_mm", s.min_gap_mm}};
  j["scar_smoothing"] = p.scar_smoothing;
  if (p.realism.condition != "plain") {  // plain: the file stays as it was before conditions existed
    const auto& r = p.realism;
    j["realism"] = {{"condition", r.condition},
                    {"rolling_smoothing_factor", r.rolling_smoothing_factor},
                    {"boxcar_smoothing_factor", r.boxcar_smoothing_factor},
                    {"rounded_ice_pick_share", r.rounded_ice_pick_share},
                    {"tip_rounding_min", r.tip_rounding_min},
                    {"tip_rounding_max", r.tip_rounding_max},
                    {"boxcar_pair_share", r.boxcar_pair_share},
                    {"boxcar_overlap_max", r.boxcar_overlap_max},
                    {"scattered_missing_min", r.scattered_missing_min},
                    {"scattered_missing_max", r.scattered_missing_max}};
  }
  return j;
}

}  // namespace scarscope::synth
