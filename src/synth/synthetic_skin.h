// The synthetic skin generator: a scene (form, microrelief, scars) drawn from a preset and a seed,
// rendered into a HeightMap with instrument effects, together with the exact truth of every scar.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "surface/height_map.h"
#include "synth/scar_shape.h"
#include "synth/skin_parameters.h"

namespace scarscope::synth {

// What to generate. Everything about the scan follows from these fields.
struct SynthRequest {
  std::string preset = "cheek";
  // What of real skin and scanners the scan has (skin_parameters.h, condition_names()); applied on
  // top of the preset, not on explicit `parameters`.
  std::string condition = "plain";
  std::uint64_t seed = 1;
  double width_mm = 40.0;    // 1-200 mm
  double height_mm = 40.0;
  double spacing_um = 20.0;  // 2-200 um
  int scar_count = -1;       // -1: the preset's density times the area
  // Replaces the preset's parameters (tests switch effects off with it); the preset name stays.
  std::optional<SkinParameters> parameters;
  // Progress messages ("roughness", "scars 3/19", ...); may be empty.
  std::function<void(const std::string&)> progress;
};

// Where the skin lies in a scan: maps skin (baseline) coordinates to scan coordinates, in the
// convention of the follow-up JSON: rotate by rotation_deg about center_mm, then shift by shift_mm.
struct Pose {
  double shift_x_mm = 0.0;
  double shift_y_mm = 0.0;
  double rotation_deg = 0.0;
  double center_x_mm = 0.0;
  double center_y_mm = 0.0;
};

// A follow-up visit of the same synthetic patient.
struct FollowupRequest {
  std::uint64_t seed = 1;              // new pose, form, noise and dropouts
  double global_response = 1.0;        // depth/volume factor for every scar not in per_scar
  std::map<int, double> per_scar;      // scar id -> factor
  double max_shift_mm = 3.0;           // the pose is drawn within these limits
  double max_rotation_deg = 4.0;
  std::optional<Pose> pose;            // a fixed pose instead of a drawn one
};

// The form drawn for one scan.
struct DrawnForm {
  double curvature_radius_x_mm = 0.0;
  double curvature_radius_y_mm = 0.0;
  double apex_x_mm = 0.0;  // scan coordinates
  double apex_y_mm = 0.0;
  double tilt_x_deg = 0.0;
  double tilt_y_deg = 0.0;
};

// The exact measurements of one scar, made on its own rendered contribution (before noise).
struct ScarTruth {
  int id = 0;
  ScarType type = ScarType::boxcar;
  double centroid_x_mm = 0.0;  // scan coordinates, area centroid of the full extent
  double centroid_y_mm = 0.0;
  double area_mm2 = 0.0;       // full extent: |contribution| >= kRimFraction * depth
  double diameter_mm = 0.0;    // equivalent-area diameter of that extent
  double major_mm = 0.0;       // full axes of the extent's equivalent ellipse (second moments)
  double minor_mm = 0.0;
  double depth_um = 0.0;       // largest |contribution| on the grid (height for hypertrophic): the
                               // depth of the scar's shape, never of the microrelief on its floor
  double mean_depth_um = 0.0;  // mean |contribution| over the extent
  double volume_mm3 = 0.0;     // integral of |contribution|
  double wall_slope_deg = 0.0; // mean slope where |contribution| is 10-75 % of the depth
  double visible_depth_um = 0.0;   // largest |contribution| at a point the scan holds
  bool depth_is_lower_bound = false;  // no valid point within 90 % of the depth: floor not seen
  bool fully_in_view = true;   // false: part of the extent lies outside the scan (follow-ups)
  double response_factor = 1.0;  // follow-ups: the depth/volume factor applied
};

struct SyntheticScan {
  HeightMap map;
  SkinParameters parameters;
  std::string preset;
  std::uint64_t seed = 0;
  double width_mm = 0.0;
  double height_mm = 0.0;
  double spacing_um = 0.0;
  int requested_scar_count = -1;
  DrawnForm form;
  Pose pose;                           // identity for a baseline
  bool is_followup = false;
  std::uint64_t followup_seed = 0;
  std::vector<ScarShape> scars;        // skin frame; depths scaled by the response in a follow-up
  std::vector<ScarTruth> truth;        // scars at least partly in view, in id order
  std::vector<int> scars_out_of_view;  // follow-ups: scars entirely outside the scan
  int pore_count_in_view = 0;
  double scattered_missing_share = 0.0;  // share of points dropped at random (realism), as drawn
  std::vector<double> furrow_directions_deg;
};

// Makes a baseline scan. Throws InputError for an unknown preset or absurd sizes. With `progress`:
// its stages and one report per scar (fractions rising to 1), CancelledError at the next report once
// cancelled. Reentrant: scans may be made concurrently on other threads.
SyntheticScan generate_scan(const SynthRequest& request, const Progress* progress = nullptr);

// Makes a follow-up of the baseline that `baseline` describes: the same skin (microrelief, scars),
// each scar's depth scaled by its factor, a new pose, form and noise. `progress` as generate_scan.
SyntheticScan generate_followup(const SynthRequest& baseline, const FollowupRequest& followup,
                                const Progress* progress = nullptr);

// The scars of a request without rendering anything (the scene is deterministic in the request).
std::vector<ScarShape> generate_scars(const SynthRequest& request);

// Maps a point from skin (baseline) coordinates to scan coordinates, and back.
void pose_apply(const Pose& pose, double x_mm, double y_mm, double& out_x_mm, double& out_y_mm);
void pose_invert(const Pose& pose, double x_mm, double y_mm, double& out_x_mm, double& out_y_mm);

}  // namespace scarscope::synth
