// Small analytic skin scans for the scar-analysis tests: a curved face, scars of known shape
// (cone = ice pick, flat-floored steep-walled pit = boxcar, broad cosine bowl = rolling, dome =
// hypertrophic), pores and noise. Independent of the synthetic-skin generator on purpose.
#pragma once
#include <cmath>
#include <numbers>
#include <vector>

#include "core/random.h"
#include "scars/inventory.h"
#include "surface/height_map.h"

namespace scarscope::test {

enum class Shape { cone, box, bowl, dome, pore };

struct AnalyticScar {
  Shape shape;
  double x_mm, y_mm;
  double diameter_mm;  // full extent
  double depth_um;     // depth (height for the dome)
};

// Depth (positive into the skin; negative for a dome) at distance r (mm) from the centre.
inline double analytic_depth(const AnalyticScar& s, double r_mm) {
  const double u = r_mm / (s.diameter_mm / 2.0);
  if (u >= 1.0) return 0.0;
  switch (s.shape) {
    case Shape::cone: return s.depth_um * (1.0 - u);
    case Shape::box: {
      if (u <= 0.7) return s.depth_um;
      const double t = (u - 0.7) / 0.3;
      return s.depth_um * (1.0 - t * t * (3.0 - 2.0 * t));
    }
    case Shape::bowl: return s.depth_um * 0.5 * (1.0 + std::cos(std::numbers::pi * u));
    case Shape::dome: return -s.depth_um * (1.0 - u * u);
    case Shape::pore: return s.depth_um * (1.0 - u * u);
  }
  return 0.0;
}

// Volume (mm³) of an analytic scar by numerical integration of its radial profile.
inline double analytic_volume_mm3(const AnalyticScar& s) {
  const int steps = 2000;
  const double radius = s.diameter_mm / 2.0;
  double volume = 0.0;
  for (int i = 0; i < steps; ++i) {
    const double r = (i + 0.5) * radius / steps;
    volume += std::abs(analytic_depth(s, r)) / 1000.0 * 2.0 * std::numbers::pi * r * radius / steps;
  }
  return volume;
}

// A curved patch of skin (sphere of radius 80 mm, tilted) with the scars, white noise and
// random pores, nx x ny points at `spacing_um`.
inline HeightMap analytic_skin(int nx, int ny, double spacing_um, const std::vector<AnalyticScar>& scars,
                               double noise_um = 2.0, int pores = 0, unsigned seed = 7) {
  HeightMap map(nx, ny, spacing_um, spacing_um);
  Random random(seed);
  const auto uniform = [&] { return random.uniform(); };
  std::vector<AnalyticScar> all = scars;
  for (int p = 0; p < pores; ++p) {
    all.push_back({Shape::pore, uniform() * nx * spacing_um / 1000.0, uniform() * ny * spacing_um / 1000.0,
                   0.10 + 0.12 * uniform(), 20.0 + 30.0 * uniform()});
  }
  const double radius_um = 80000.0;
  for (int row = 0; row < ny; ++row) {
    for (int col = 0; col < nx; ++col) {
      const double x = col * spacing_um / 1000.0, y = row * spacing_um / 1000.0;
      const double cx = x - nx * spacing_um / 2000.0, cy = y - ny * spacing_um / 2000.0;
      double z = -(cx * cx + cy * cy) * 1e6 / (2.0 * radius_um) + 20.0 * cx + 8.0 * cy;
      for (const auto& s : all) z -= analytic_depth(s, std::hypot(x - s.x_mm, y - s.y_mm));
      map.set(row, col, static_cast<float>(z + (noise_um > 0 ? random.gaussian(0.0, noise_um) : 0.0)));
    }
  }
  map.metadata.source_format = "synthetic";
  return map;
}

// The scar of an inventory nearest to (x, y) mm, if one lies closer than within_mm; else null.
inline const Scar* nearest(const ScarInventory& inventory, double x, double y, double within_mm) {
  const Scar* best = nullptr;
  double best_distance = within_mm;
  for (const Scar& s : inventory.scars) {
    const double d = std::hypot(s.centroid_mm[0] - x, s.centroid_mm[1] - y);
    if (d < best_distance) {
      best = &s;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace scarscope::test
