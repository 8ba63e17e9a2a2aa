// The shape of one synthetic scar: a radial profile (V, U, M or dome) over an outline that is
// elliptical, undulating and asymmetric, evaluated analytically at any point of the skin.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace scarscope::synth {

enum class ScarType { ice_pick, boxcar, rolling, hypertrophic };

// "ice_pick", "boxcar", "rolling", "hypertrophic" (the analysis JSON's names).
std::string type_name(ScarType type);
// "V", "U", "M", "dome".
std::string profile_name(ScarType type);

// Where a scar ends: its full extent is every point where the scar's own contribution is at least
// this fraction of its depth (or height). The truth's area_mm2 and diameter_mm use this rim.
inline constexpr double kRimFraction = 0.02;

// A tether of a rolling scar: a raised band of its floor (the middle stroke of the M).
struct Tether {
  double x = 0.0;         // position in the scar's normalised frame (-1..1)
  double y = 0.0;
  double width = 0.3;     // in the normalised frame
  double strength = 0.4;  // how much of the depth it lifts, 0-0.6
};

struct ScarShape {
  int id = 0;
  ScarType type = ScarType::boxcar;
  double x_mm = 0.0;            // centre, skin (baseline) frame
  double y_mm = 0.0;
  double diameter_mm = 1.0;     // nominal full-extent diameter (to the kRimFraction rim)
  double depth_um = 100.0;      // depth of a depression, height of a hypertrophic scar (> 0)
  double axis_ratio = 1.0;      // minor / major axis of the outline, 0.55-1 (round to oval)
  double orientation_deg = 0.0; // direction of the major axis
  std::array<double, 4> undulation{};        // outline harmonics 2..5, relative amplitude
  std::array<double, 4> undulation_phase{};  // their phases (rad)
  double shape_exponent = 1.0;  // V: taper exponent 0.8-1.6; M: wall exponent 0.7-1.3; dome: 0.6-1.4
  double floor_fraction = 0.7;  // U: radius fraction of the flat floor, 0.3-0.95 (walls of 55-80 deg)
  double floor_tilt = 0.0;      // U: floor slope as a fraction of the depth across the radius, 0-0.08
  double floor_tilt_deg = 0.0;  // U: direction of that slope
  std::vector<Tether> tethers;  // M: 1-3 tethers
  double tip_rounding = 0.0;    // V: 0 = sharp tip; else the tip is a parabola over this radius fraction
  std::vector<int> touching;    // ids of the scars whose full extent touches or overlaps this one's
  bool floor_occluded = false;  // ice pick: the scanner does not see its floor
  double visible_depth_fraction = 1.0;  // if occluded: the part of the depth that is seen

  // Derived by finish_shape(): outline semi-axes (mm, at u = 1), where the profile crosses the rim
  // fraction, and a radius that bounds the scar's support.
  double semi_major_mm = 0.5;
  double semi_minor_mm = 0.5;
  double rim_u = 1.0;
  double bounding_radius_mm = 0.5;
  double orientation_cos = 1.0;  // cached by finish_shape() for speed
  double orientation_sin = 0.0;
  std::array<double, 4> phase_cos{};
  std::array<double, 4> phase_sin{};
};

// The radial profile in [0, 1] at normalised radius u (0 centre, 1 outline), before modulation.
double base_profile(const ScarShape& scar, double u);
// Computes the derived fields so that the full extent has the nominal diameter.
void finish_shape(ScarShape& scar);
// The scar's own contribution (um, negative for depressions) at skin point (x, y) in mm, and its
// profile value in [0, 1] (how far into the scar the point lies) when profile is not null.
double scar_contribution_um(const ScarShape& scar, double x_mm, double y_mm, double* profile = nullptr);
// Distance from the centre to the rim along a direction (radians), in mm.
double extent_radius_mm(const ScarShape& scar, double direction_rad);

}  // namespace scarscope::synth
