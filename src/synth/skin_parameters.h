// Parameters of the synthetic skin model, in physical units, with their defaults and the ranges
// they are meant for, and the presets (cheek, forehead, severe, mild, clear, hard) built from them.
// Scar morphology follows Jacob, Dover & Kaminer 2001 as summarised in shared/CLINICAL.md §1.1:
// ice pick < 2 mm wide, V, deep; boxcar 1.5-4 mm, U, shallow 0.1-0.5 mm or deep >= 0.5 mm;
// rolling wider than 4-5 mm, M, shallow; hypertrophic raised. Keeping these numbers here (not in
// kb/) is deliberate: they shape synthetic test data, they drive no clinical decision.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace scarscope::synth {

// The face under the scanner: a paraboloid with its apex off the scan centre, then tilted.
// Each scan draws its radii, apex and tilt uniformly from these ranges.
struct FormParameters {
  double curvature_radius_min_mm = 60.0;  // 40-200 mm (cheek 60-120, forehead 120-200, hard 40-60)
  double curvature_radius_max_mm = 120.0;
  double apex_offset_max_mm = 15.0;       // apex within this distance of the scan centre, 0-30 mm
  double tilt_max_deg = 6.0;              // tilt of the best plane in x and in y, 0-15 deg
};

// Skin furrows (the "skin microrelief" network): lines in 2-3 main directions.
struct FurrowParameters {
  int directions = 3;              // 2-3 main directions
  double spacing_mm = 0.45;        // mean distance between parallel furrows, 0.2-1.0 mm
  double depth_um = 30.0;          // mean depth, 10-80 um ("tens of um")
  double width_um = 60.0;          // full width at half depth, 20-150 um
  double wobble_um = 60.0;         // lateral waviness of a furrow, 0-200 um
  double fade_length_mm = 1.5;     // length over which a furrow's depth changes (it fades in and out), 0.5-5 mm
};

// Pores: small round pits.
struct PoreParameters {
  double density_per_cm2 = 40.0;   // 0-150 per cm2 ("tens per cm2")
  double width_min_um = 50.0;      // opening width range, 50-250 um
  double width_max_um = 250.0;
  double depth_min_um = 15.0;      // 10-100 um ("tens of um")
  double depth_max_um = 60.0;
};

// Self-affine (fractal) roughness, made by spectral synthesis (power spectrum ~ k^-(2H+2)).
struct RoughnessParameters {
  double rms_um = 4.0;             // 0-15 um
  double hurst = 0.7;              // Hurst exponent 0.3-0.9
  double min_wavelength_um = 40.0; // shorter waves are left out, 20-200 um
  double max_wavelength_mm = 4.0;  // longer waves are flattened (the roll-off), 1-20 mm
};

// What the instrument adds or loses.
struct InstrumentParameters {
  double noise_um = 2.0;                 // white noise sd, 1-5 um (0 = none)
  double dropout_blobs_per_cm2 = 0.3;    // missing-data blobs (hair, specular spots), 0-5 per cm2
  double dropout_radius_min_mm = 0.05;   // blob radius 0.05-1 mm
  double dropout_radius_max_mm = 0.4;
  double steep_wall_missing_deg = 78.0;  // surface steeper than this is not seen, 60-90 deg (90 = off)
  double ice_pick_occluded_fraction = 0.6;  // share of ice pick scars whose floor is not seen, 0-1
  double occluded_visible_min = 0.35;       // of those, the visible part of the depth, 0.2-0.8
  double occluded_visible_max = 0.7;
  double spike_fraction = 0.0;           // share of points replaced by outliers, 0-1e-3
  double spike_height_um = 300.0;        // outlier amplitude, 50-2000 um
};

// Per-type ranges of a scar population.
struct ScarTypeRange {
  double share = 0.0;           // share of the scars of this type (shares are normalised)
  double diameter_min_mm = 0.0; // full-extent diameter range outside the overlap bands
  double diameter_max_mm = 0.0;
  double depth_min_um = 0.0;    // depth (height for hypertrophic) range
  double depth_max_um = 0.0;
};

struct ScarPopulationParameters {
  double density_per_cm2 = 1.2;  // scars per cm2, 0-4
  ScarTypeRange ice_pick{0.35, 0.5, 1.5, 300.0, 1500.0};      // V, < 2 mm, deep (to 2-3 mm)
  ScarTypeRange boxcar{0.35, 2.0, 4.0, 100.0, 900.0};         // U, 1.5-4 mm, 0.1-0.5 or > 0.5 mm
  ScarTypeRange rolling{0.25, 5.0, 9.0, 80.0, 350.0};         // M, > 4-5 mm, shallow
  ScarTypeRange hypertrophic{0.05, 2.0, 5.0, 200.0, 900.0};   // raised dome
  double deep_boxcar_share = 0.4;     // share of boxcar deeper than 500 um
  double overlap_band_share = 0.25;   // share of ice pick/boxcar/rolling drawn in the overlap bands
                                      // (ice pick and boxcar 1.5-2 mm; boxcar and rolling 4-5 mm)
  double touching_share = 0.15;       // share of scars placed with their rim touching another
  double rolling_cluster_share = 0.6; // share of rolling scars placed beside another rolling scar
  double min_gap_mm = 0.3;            // smallest rim-to-rim gap between scars that do not touch
};

// Properties of real skin and real scanners that the "plain" condition leaves out (issue 17), so the
// suites can vary them one at a time. The defaults are the plain condition: the generator's output
// is then exactly what it was before these existed (no extra random draws).
// Model of the microrelief on scar floors: a rolling scar is normal skin tethered down (Jacob 2001,
// CLINICAL.md §1.1: "normal-looking skin between the tethers"), so its pores and furrows continue
// over its floor and walls unchanged; a boxcar floor is scar tissue under a thinned epidermis, whose
// texture we model as partly kept (about half of the skin's microrelief: a modelling choice, no
// published measurement of it was found); ice picks keep the scar_smoothing attenuation.
struct RealismParameters {
  std::string condition = "plain";
  // Multiplies scar_smoothing for the microrelief inside rolling (boxcar) scars: 1 = plain,
  // 0 = the floor carries the skin's full microrelief. 0-1.
  double rolling_smoothing_factor = 1.0;
  double boxcar_smoothing_factor = 1.0;
  // Share of ice picks whose tip is rounded (a parabola over tip_rounding of the radius, matching
  // the cone's slope there); the others keep the sharp tip of the V. 0-1.
  double rounded_ice_pick_share = 0.0;
  double tip_rounding_min = 0.15;  // 0.05-0.6
  double tip_rounding_max = 0.45;
  // Share of boxcars placed touching or overlapping a boxcar already placed (pairs, and clusters
  // when the partner already has one), overlapping by up to boxcar_overlap_max of the smaller
  // rim radius. 0-1, 0-0.3.
  double boxcar_pair_share = 0.0;
  double boxcar_overlap_max = 0.2;
  // Single points missing at random, the share drawn per scan in this range. 0-0.05.
  double scattered_missing_min = 0.0;
  double scattered_missing_max = 0.0;
};

struct SkinParameters {
  std::string preset = "cheek";
  RealismParameters realism;
  FormParameters form;
  FurrowParameters furrows;
  PoreParameters pores;
  RoughnessParameters roughness;
  InstrumentParameters instrument;
  ScarPopulationParameters scars;
  // Inside a scar the microrelief (furrows, pores, roughness) is attenuated by this factor at
  // the scar's floor: scar tissue is smoother than the skin around it. 0-1.
  double scar_smoothing = 0.7;
};

// The preset names, in the order the help lists them.
const std::vector<std::string>& preset_names();
// One-line description of a preset (for --help and the README).
std::string preset_description(const std::string& preset);
// The parameters of a preset, with the per-scan variations (form, furrow directions) still to be
// drawn by the generator. Throws InputError naming the known presets for an unknown name.
SkinParameters preset_parameters(const std::string& preset);

// The conditions (plain first), in the order the help lists them, and one line on each.
const std::vector<std::string>& condition_names();
std::string condition_description(const std::string& condition);
// Sets parameters.realism (and the steep-wall dropout) for a condition on top of a preset's
// parameters. Throws InputError naming the known conditions for an unknown name.
void apply_condition(SkinParameters& parameters, const std::string& condition);

nlohmann::json to_json(const SkinParameters& parameters);

}  // namespace scarscope::synth
