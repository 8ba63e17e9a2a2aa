// Test support: a patch of rough skin with bowl-shaped scars, scanned twice: once as the baseline
// and once from a new pose (rotation, shift, tilt, change of curvature, noise) after the scars
// changed depth by known factors. Built here so the follow-up tests need no other part.
#pragma once
#include <array>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/random.h"
#include "followup/grid_tools.h"
#include "surface/height_map.h"

namespace scarscope::test {

struct BowlScar {
  std::array<double, 2> centre_mm;
  double radius_mm;
  double depth_um;
  double followup_factor = 1.0;  // follow-up depth = depth × factor (0 = resolved)
  bool new_at_followup = false;  // absent at baseline, depth_um × factor at follow-up
};

// Volume of a bowl depth·(1 − (r/R)²)² in mm³: π R² depth / 3.
inline double bowl_volume_mm3(double radius_mm, double depth_um) {
  return 3.14159265358979323846 * radius_mm * radius_mm * depth_um * 1e-3 / 3.0;
}

inline OutlineMm circle_outline(std::array<double, 2> centre, double radius, int points = 32) {
  OutlineMm outline;
  for (int i = 0; i < points; ++i) {
    const double a = 2.0 * 3.14159265358979323846 * i / points;
    outline.push_back({centre[0] + radius * std::cos(a), centre[1] + radius * std::sin(a)});
  }
  return outline;
}

struct PairSpec {
  int nx = 300, ny = 300;
  double spacing_um = 40.0;
  double followup_spacing_um = 40.0;
  double rotation_deg = 3.0;
  std::array<double, 2> shift_mm{0.6, -0.4};
  double tilt_x_um_per_mm = 4.0, tilt_y_um_per_mm = -3.0, offset_um = 25.0;
  double curvature_um_per_mm2 = 0.8;  // added to the follow-up's x² term
  double noise_um = 1.0;
  double roughness_um = 8.0;
  unsigned seed = 7;
  unsigned followup_skin_seed = 0;  // non-zero: the follow-up shows different skin
  std::vector<BowlScar> scars;
  // Round holes where the scanner saw nothing (centre x, y and radius in mm, in each scan's own
  // coordinates): they fall on different skin at each visit, as real dropouts do.
  std::vector<std::array<double, 3>> baseline_dropouts, followup_dropouts;
};

struct Pair {
  HeightMap baseline;
  HeightMap followup;
  std::array<double, 2> center_mm;  // rotation centre used to make the pair (the baseline's centre)
};

namespace detail {

// Rough skin as a smooth random field on a fine world grid (20 µm) larger than the scans.
inline cv::Mat world_skin(unsigned seed, double world_mm, double spacing_mm, double roughness_um) {
  const int n = static_cast<int>(world_mm / spacing_mm);
  cv::Mat fine(n, n, CV_32F), coarse(n, n, CV_32F);
  Random rng(seed);  // ScarScope's own random numbers: the same skin on every library
  for (float& v : cv::Mat_<float>(fine)) v = static_cast<float>(rng.gaussian());
  for (float& v : cv::Mat_<float>(coarse)) v = static_cast<float>(rng.gaussian());
  cv::GaussianBlur(fine, fine, cv::Size(0, 0), 0.08 / spacing_mm, 0.08 / spacing_mm, cv::BORDER_REFLECT);
  cv::GaussianBlur(coarse, coarse, cv::Size(0, 0), 0.6 / spacing_mm, 0.6 / spacing_mm, cv::BORDER_REFLECT);
  cv::Scalar mf, sf, mc, sc;
  cv::meanStdDev(fine, mf, sf);
  cv::meanStdDev(coarse, mc, sc);
  cv::Mat skin = (fine - mf[0]) * (roughness_um / sf[0]) + (coarse - mc[0]) * (2.0 * roughness_um / sc[0]);
  return skin;
}

inline double bowl(const BowlScar& scar, double depth, double x, double y) {
  const double r2 = ((x - scar.centre_mm[0]) * (x - scar.centre_mm[0]) + (y - scar.centre_mm[1]) * (y - scar.centre_mm[1])) /
                    (scar.radius_mm * scar.radius_mm);
  if (r2 >= 1.0) return 0.0;
  return -depth * (1.0 - r2) * (1.0 - r2);
}

inline bool in_dropout(const std::vector<std::array<double, 3>>& dropouts, double x, double y) {
  for (const auto& d : dropouts)
    if ((x - d[0]) * (x - d[0]) + (y - d[1]) * (y - d[1]) < d[2] * d[2]) return true;
  return false;
}

}  // namespace detail

// Samples a world surface at baseline coordinates (mm), bilinearly.
inline double sample(const cv::Mat& world, double world_origin_mm, double world_spacing_mm, double x, double y) {
  const double u = (x - world_origin_mm) / world_spacing_mm, v = (y - world_origin_mm) / world_spacing_mm;
  const int c = static_cast<int>(std::floor(u)), r = static_cast<int>(std::floor(v));
  const double fu = u - c, fv = v - r;
  auto at = [&](int rr, int cc) {
    rr = std::clamp(rr, 0, world.rows - 1);
    cc = std::clamp(cc, 0, world.cols - 1);
    return static_cast<double>(world.at<float>(rr, cc));
  };
  return (1 - fv) * ((1 - fu) * at(r, c) + fu * at(r, c + 1)) + fv * ((1 - fu) * at(r + 1, c) + fu * at(r + 1, c + 1));
}

inline Pair make_pair(const PairSpec& spec) {
  const double s = spec.spacing_um / 1000.0;
  const double extent = std::max(spec.nx, spec.ny) * s;
  const double world_spacing = 0.02;
  const double world_origin = -0.3 * extent;
  const double world_mm = 1.6 * extent;
  const cv::Mat skin = detail::world_skin(spec.seed, world_mm, world_spacing, spec.roughness_um);
  const cv::Mat other_skin = spec.followup_skin_seed
                                 ? detail::world_skin(spec.followup_skin_seed, world_mm, world_spacing, spec.roughness_um)
                                 : skin;
  Pair pair;
  pair.center_mm = {0.5 * spec.nx * s, 0.5 * spec.ny * s};  // n × spacing / 2, as compare and synth use
  Random noise_rng(spec.seed + 1000);
  const auto noise = [&] { return noise_rng.gaussian(0.0, spec.noise_um); };
  // A cheek-like form common to both visits.
  auto form = [&](double x, double y) {
    const double dx = x - pair.center_mm[0], dy = y - pair.center_mm[1];
    return -3.0 * dx * dx - 2.0 * dy * dy + 0.5 * dx * dy;
  };
  pair.baseline = HeightMap(spec.nx, spec.ny, spec.spacing_um, spec.spacing_um);
  for (int r = 0; r < spec.ny; ++r)
    for (int c = 0; c < spec.nx; ++c) {
      const double x = c * s, y = r * s;
      double z = sample(skin, world_origin, world_spacing, x, y) + form(x, y);
      for (const BowlScar& scar : spec.scars)
        if (!scar.new_at_followup) z += detail::bowl(scar, scar.depth_um, x, y);
      pair.baseline.set(r, c, static_cast<float>(z + noise()));
      if (detail::in_dropout(spec.baseline_dropouts, x, y)) pair.baseline.set_missing(r, c);
    }
  const double fs = spec.followup_spacing_um / 1000.0;
  const int fnx = static_cast<int>(std::lround(spec.nx * s / fs)), fny = static_cast<int>(std::lround(spec.ny * s / fs));
  pair.followup = HeightMap(fnx, fny, spec.followup_spacing_um, spec.followup_spacing_um);
  const double th = spec.rotation_deg * 3.14159265358979323846 / 180.0;
  for (int r = 0; r < fny; ++r)
    for (int c = 0; c < fnx; ++c) {
      // Follow-up point -> baseline coordinates (the inverse of: rotate about the centre, then shift).
      const double px = c * fs - spec.shift_mm[0] - pair.center_mm[0];
      const double py = r * fs - spec.shift_mm[1] - pair.center_mm[1];
      const double x = std::cos(th) * px + std::sin(th) * py + pair.center_mm[0];
      const double y = -std::sin(th) * px + std::cos(th) * py + pair.center_mm[1];
      double z = sample(other_skin, world_origin, world_spacing, x, y) + form(x, y);
      for (const BowlScar& scar : spec.scars) z += detail::bowl(scar, scar.depth_um * scar.followup_factor, x, y);
      const double dx = x - pair.center_mm[0], dy = y - pair.center_mm[1];
      z += spec.offset_um + spec.tilt_x_um_per_mm * dx + spec.tilt_y_um_per_mm * dy + spec.curvature_um_per_mm2 * dx * dx;
      pair.followup.set(r, c, static_cast<float>(z + noise()));
      if (detail::in_dropout(spec.followup_dropouts, c * fs, r * fs)) pair.followup.set_missing(r, c);
    }
  return pair;
}

}  // namespace scarscope::test
