#include "synth/truth.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "surface/scan_summary.h"

namespace scarscope::synth {
namespace {

// Rounds to a fixed number of decimals so the file is readable and stable.
double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

nlohmann::json point(double x, double y) { return nlohmann::json::array({rounded(x, 4), rounded(y, 4)}); }

std::string describe_reason(const ScarTruth& t) {
  char buffer[160];
  if (t.type == ScarType::hypertrophic) {
    std::snprintf(buffer, sizeof buffer, "synthetic %s: %.2f mm wide, %.0f um high", type_name(t.type).c_str(),
                  t.diameter_mm, t.depth_um);
  } else {
    std::snprintf(buffer, sizeof buffer, "synthetic %s: %.2f mm wide, %.0f um deep%s", type_name(t.type).c_str(),
                  t.diameter_mm, t.depth_um, t.depth_is_lower_bound ? ", floor not seen" : "");
  }
  return buffer;
}

const ScarShape* shape_of(const SyntheticScan& scan, int id) {
  for (const ScarShape& s : scan.scars) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

nlohmann::json shape_json(const ScarShape& s) {
  nlohmann::json j = {{"center_mm", point(s.x_mm, s.y_mm)},
                      {"nominal_diameter_mm", rounded(s.diameter_mm, 4)},
                      {"nominal_depth_um", rounded(s.depth_um, 3)},
                      {"axis_ratio", rounded(s.axis_ratio, 4)},
                      {"orientation_deg", rounded(s.orientation_deg, 3)},
                      {"semi_major_mm", rounded(s.semi_major_mm, 4)},
                      {"semi_minor_mm", rounded(s.semi_minor_mm, 4)},
                      {"undulation", s.undulation},
                      {"shape_exponent", rounded(s.shape_exponent, 4)}};
  if (s.type == ScarType::boxcar) {
    j["floor_fraction"] = rounded(s.floor_fraction, 4);
    j["floor_tilt"] = rounded(s.floor_tilt, 4);
  }
  if (s.type == ScarType::rolling) {
    nlohmann::json tethers = nlohmann::json::array();
    for (const Tether& t : s.tethers) {
      tethers.push_back({{"at", point(t.x, t.y)}, {"width", rounded(t.width, 4)}, {"strength", rounded(t.strength, 4)}});
    }
    j["tethers"] = tethers;
  }
  if (s.floor_occluded) j["visible_depth_fraction"] = rounded(s.visible_depth_fraction, 4);
  if (s.type == ScarType::ice_pick) j["tip"] = s.tip_rounding > 0.0 ? "rounded" : "sharp";
  if (s.tip_rounding > 0.0) j["tip_rounding"] = rounded(s.tip_rounding, 4);
  return j;
}

nlohmann::json scar_json(const SyntheticScan& scan, const ScarTruth& t) {
  nlohmann::json j;
  j["id"] = t.id;
  j["type"] = type_name(t.type);
  j["confidence"] = 1.0;
  j["reason"] = describe_reason(t);
  j["centroid_mm"] = point(t.centroid_x_mm, t.centroid_y_mm);
  j["area_mm2"] = rounded(t.area_mm2, 5);
  j["diameter_mm"] = rounded(t.diameter_mm, 5);
  j["major_mm"] = rounded(t.major_mm, 5);
  j["minor_mm"] = rounded(t.minor_mm, 5);
  if (t.type == ScarType::hypertrophic) {
    j["height_um"] = rounded(t.depth_um, 3);
    j["mean_height_um"] = rounded(t.mean_depth_um, 3);
  } else {
    j["depth_um"] = rounded(t.depth_um, 3);
    j["depth_is_lower_bound"] = t.depth_is_lower_bound;
    j["visible_depth_um"] = rounded(t.visible_depth_um, 3);
    j["mean_depth_um"] = rounded(t.mean_depth_um, 3);
  }
  j["volume_mm3"] = rounded(t.volume_mm3, 6);
  j["wall_slope_deg"] = rounded(t.wall_slope_deg, 2);
  j["profile"] = profile_name(t.type);
  j["fully_in_view"] = t.fully_in_view;
  if (const ScarShape* shape = shape_of(scan, t.id)) {
    j["shape"] = shape_json(*shape);
    j["touching"] = shape->touching;  // ids of the scars whose full extent meets this one's
  }
  return j;
}

nlohmann::json pose_json(const Pose& pose) {
  return {{"shift_mm", point(pose.shift_x_mm, pose.shift_y_mm)},
          {"rotation_deg", rounded(pose.rotation_deg, 5)},
          {"center_mm", point(pose.center_x_mm, pose.center_y_mm)},
          {"convention", "baseline -> follow-up: rotate by rotation_deg about center_mm, then shift by shift_mm"}};
}

}  // namespace

nlohmann::json truth_json(const SyntheticScan& scan, const std::string& scan_file, const nlohmann::json* baseline_truth) {
  nlohmann::json truth;
  nlohmann::json summary = scan_summary_json(scan.map);
  summary["file"] = std::filesystem::path(scan_file).filename().string();
  std::string extension = std::filesystem::path(scan_file).extension().string();
  if (!extension.empty()) extension.erase(0, 1);
  summary["format"] = extension.empty() ? "synthetic" : extension;
  truth["scan"] = summary;
  truth["definitions"] = {
      {"rim", "the full extent of a scar is every grid point where its own contribution (before noise) is at least "
              "rim_fraction of its depth (or height)"},
      {"rim_fraction", kRimFraction},
      {"depth_um", "largest |contribution| on the grid: the depth of the scar's shape, without the microrelief on its floor"},
      {"touching", "ids of the scars whose full extent meets or overlaps this scar's"},
      {"volume_mm3", "sum of |contribution| times the cell area, over the scar's whole support"},
      {"mean_depth_um", "mean |contribution| over the full extent"},
      {"wall_slope_deg", "mean slope of the contribution where it is 10-75 % of the depth (the wall, not a slightly tilted floor)"},
      {"major_mm", "full axes of the ellipse with the extent's second moments"},
      {"depth_is_lower_bound", "no valid point of the scan lies within 90 % of the depth: the floor was not seen"}};

  nlohmann::json scars = nlohmann::json::array();
  nlohmann::json counts = {{"ice_pick", 0}, {"boxcar", 0}, {"rolling", 0}, {"hypertrophic", 0}};
  std::map<int, nlohmann::json> baseline_scars;
  if (baseline_truth) {
    for (const auto& s : baseline_truth->at("scars")) baseline_scars[s.at("id").get<int>()] = s;
  }
  double baseline_volume = 0.0;
  double expected_volume = 0.0;
  for (const ScarTruth& t : scan.truth) {
    nlohmann::json j = scar_json(scan, t);
    counts[type_name(t.type)] = counts[type_name(t.type)].get<int>() + 1;
    if (scan.is_followup) {
      const double change = (t.response_factor - 1.0) * 100.0;
      j["response_factor"] = rounded(t.response_factor, 6);
      nlohmann::json expected = {{"volume_change_pct", rounded(change, 4)},
                                 {"depth_change_pct", rounded(change, 4)},
                                 {"centroid_mm", j["centroid_mm"]}};
      const auto it = baseline_scars.find(t.id);
      if (it != baseline_scars.end()) {
        j["baseline_centroid_mm"] = it->second.at("centroid_mm");
        j["baseline_volume_mm3"] = it->second.at("volume_mm3");
        if (it->second.contains("depth_um")) j["baseline_depth_um"] = it->second.at("depth_um");
        if (it->second.contains("height_um")) j["baseline_height_um"] = it->second.at("height_um");
        if (t.fully_in_view && t.type != ScarType::hypertrophic) {
          const double v = it->second.at("volume_mm3").get<double>();
          baseline_volume += v;
          expected_volume += v * t.response_factor;
        }
      }
      j["expected"] = expected;
    }
    scars.push_back(j);
  }
  truth["scars"] = scars;
  truth["counts"] = counts;

  nlohmann::json generator;
  generator["name"] = "scarscope synth";
  generator["version"] = SCARSCOPE_VERSION;
  generator["preset"] = scan.preset;
  if (scan.parameters.realism.condition != "plain") generator["condition"] = scan.parameters.realism.condition;
  generator["seed"] = scan.seed;
  generator["size_mm"] = {scan.width_mm, scan.height_mm};
  generator["spacing_um"] = scan.spacing_um;
  generator["scars_requested"] = scan.requested_scar_count;
  generator["parameters"] = to_json(scan.parameters);
  generator["drawn"] = {{"form",
                         {{"curvature_radius_x_mm", rounded(scan.form.curvature_radius_x_mm, 4)},
                          {"curvature_radius_y_mm", rounded(scan.form.curvature_radius_y_mm, 4)},
                          {"apex_mm", point(scan.form.apex_x_mm, scan.form.apex_y_mm)},
                          {"tilt_x_deg", rounded(scan.form.tilt_x_deg, 4)},
                          {"tilt_y_deg", rounded(scan.form.tilt_y_deg, 4)}}},
                        {"furrow_directions_deg", scan.furrow_directions_deg},
                        {"pores_in_view", scan.pore_count_in_view},
                        {"scars_placed", scan.scars.size()}};
  if (scan.parameters.realism.condition != "plain") {
    generator["drawn"]["scattered_missing_share"] = rounded(scan.scattered_missing_share, 6);
  }
  if (scan.is_followup) {
    generator["followup_seed"] = scan.followup_seed;
    truth["pose"] = pose_json(scan.pose);
    truth["scars_out_of_view"] = scan.scars_out_of_view;
    if (baseline_truth) {
      truth["followup_of"] = baseline_truth->at("scan").value("file", "");
      generator["baseline"] = baseline_truth->at("generator");
    }
    nlohmann::json global = {{"scope", "atrophic scars fully in view of the follow-up"},
                             {"count_baseline", baseline_scars.size()},
                             {"count_followup", scan.truth.size()}};
    global["volume_change_pct"] =
        baseline_volume > 0.0 ? rounded((expected_volume / baseline_volume - 1.0) * 100.0, 4) : 0.0;
    truth["expected_global"] = global;
  }
  truth["generator"] = generator;
  return truth;
}

SynthRequest request_from_truth(const nlohmann::json& truth, const std::string& file_name) {
  if (!truth.is_object() || !truth.contains("generator") || !truth["generator"].is_object()) {
    throw InputError(file_name + ": not a truth file of `scarscope synth` (no \"generator\" object)");
  }
  const nlohmann::json& g = truth["generator"];
  if (g.contains("followup_seed")) {
    throw InputError(file_name + ": is the truth of a follow-up; pass the baseline's truth to --followup-of");
  }
  SynthRequest request;
  try {
    request.preset = g.at("preset").get<std::string>();
    request.seed = g.at("seed").get<std::uint64_t>();
    request.width_mm = g.at("size_mm").at(0).get<double>();
    request.height_mm = g.at("size_mm").at(1).get<double>();
    request.spacing_um = g.at("spacing_um").get<double>();
    request.scar_count = g.value("scars_requested", -1);
    request.condition = g.value("condition", std::string("plain"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file_name + ": generator: " + e.what());
  }
  SkinParameters check = preset_parameters(request.preset);  // an unknown preset is an error here, not later
  apply_condition(check, request.condition);                  // and so is an unknown condition
  return request;
}

FollowupRequest parse_response(const std::string& response) {
  FollowupRequest request;
  if (response.empty()) throw InputError("--response is empty (give a factor such as 0.6, or a JSON file)");
  char* end = nullptr;
  const double value = std::strtod(response.c_str(), &end);
  if (end && *end == '\0') {
    if (!(value > 0.0 && value <= 5.0)) {
      throw InputError("--response " + response + ": a factor must be in (0, 5] (0.6 = 40 % less depth and volume)");
    }
    request.global_response = value;
    return request;
  }
  std::ifstream in(response);
  if (!in) throw InputError("--response " + response + ": neither a number nor a readable JSON file");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(response + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw InputError(response + ": expected an object {\"<scar id>\": factor, ...}");
  for (const auto& [key, factor] : j.items()) {
    if (key == "*" || key == "default") {
      if (!factor.is_number()) throw InputError(response + ": \"" + key + "\" must be a number");
      request.global_response = factor.get<double>();
      continue;
    }
    int id = 0;
    try {
      std::size_t used = 0;
      id = std::stoi(key, &used);
      if (used != key.size()) throw std::invalid_argument(key);
    } catch (const std::exception&) {
      throw InputError(response + ": key \"" + key + "\" is not a scar id (use the ids of the baseline truth)");
    }
    if (!factor.is_number()) throw InputError(response + ": factor of scar " + key + " must be a number");
    request.per_scar[id] = factor.get<double>();
  }
  return request;
}

std::string describe(const SyntheticScan& scan) {
  std::map<std::string, int> counts;
  for (const ScarTruth& t : scan.truth) ++counts[type_name(t.type)];
  std::ostringstream out;
  out << scan.truth.size() << " scars";
  if (!scan.truth.empty()) {
    out << " (";
    bool first = true;
    for (const char* type : {"ice_pick", "boxcar", "rolling", "hypertrophic"}) {
      if (!counts[type]) continue;
      out << (first ? "" : ", ") << counts[type] << " " << type;
      first = false;
    }
    out << ")";
  }
  out << ", " << scan.pore_count_in_view << " pores, " << scan.map.nx() << " x " << scan.map.ny() << " points at "
      << scan.spacing_um << " um";
  return out.str();
}

}  // namespace scarscope::synth
