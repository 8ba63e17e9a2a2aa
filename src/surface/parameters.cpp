// ISO 25178-2 areal parameters over the valid points.
//
// Height parameters are moments about the mean of the valid heights (two passes, in double).
// Sdq uses the gradient at every valid point: central differences where both neighbours along an
// axis are valid, one-sided where only one is; a point with no valid neighbour along an axis that
// has more than one point does not take part. Sdr sums the developed area of every grid cell whose
// four corners are valid, each cell split into four triangles through its centre (mean of the
// corners), as Gwyddion does, so no diagonal is preferred.
#include "surface/parameters.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope {

namespace {

// Gradient of z along one axis at index i, with neighbours at i - step and i + step
// (`has_before` / `has_after` say whether they exist in the grid). False if no valid neighbour.
bool axis_gradient(const float* z, const std::uint8_t* valid, std::size_t i, std::size_t step, bool has_before,
                   bool has_after, double spacing, double* gradient) {
  const bool before = has_before && valid[i - step];
  const bool after = has_after && valid[i + step];
  if (before && after) {
    *gradient = (static_cast<double>(z[i + step]) - z[i - step]) / (2.0 * spacing);
  } else if (after) {
    *gradient = (static_cast<double>(z[i + step]) - z[i]) / spacing;
  } else if (before) {
    *gradient = (static_cast<double>(z[i]) - z[i - step]) / spacing;
  } else {
    return false;
  }
  return true;
}

// Developed area of a grid triangle over its projected area, minus 1, from its two slopes.
// sqrt(1 + s) - 1 is exact to about 1e-16 here, far below any Sdr worth reporting.
inline double slope_area_excess(double slope_x, double slope_y) {
  return std::sqrt(1.0 + slope_x * slope_x + slope_y * slope_y) - 1.0;
}

}  // namespace

SurfaceParameters compute_surface_parameters(const HeightMap& map) {
  const std::size_t count = map.size();
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();

  std::size_t n = 0;
  double sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!valid[i]) continue;
    ++n;
    sum += z[i];
  }
  if (n == 0) {
    throw InputError("surface parameters: the height map has no valid points");
  }
  const double mean = sum / static_cast<double>(n);

  double abs_sum = 0.0, sq_sum = 0.0, cube_sum = 0.0, fourth_sum = 0.0;
  double highest = -std::numeric_limits<double>::infinity();
  double lowest = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < count; ++i) {
    if (!valid[i]) continue;
    const double h = z[i] - mean;
    const double h2 = h * h;
    abs_sum += std::fabs(h);
    sq_sum += h2;
    cube_sum += h2 * h;
    fourth_sum += h2 * h2;
    highest = std::max(highest, h);
    lowest = std::min(lowest, h);
  }
  const double points = static_cast<double>(n);
  SurfaceParameters p;
  p.Sa_um = abs_sum / points;
  p.Sq_um = std::sqrt(sq_sum / points);
  p.Sp_um = highest;
  p.Sv_um = -lowest;
  p.Sz_um = p.Sp_um + p.Sv_um;
  // Skewness and kurtosis are undefined on a flat surface; report 0 rather than NaN in JSON.
  if (p.Sq_um > 0.0) {
    const double sq2 = p.Sq_um * p.Sq_um;
    p.Ssk = cube_sum / points / (sq2 * p.Sq_um);
    p.Sku = fourth_sum / points / (sq2 * sq2);
  }

  const int nx = map.nx();
  const int ny = map.ny();
  const double dx = map.dx_um();
  const double dy = map.dy_um();
  const std::size_t row_step = static_cast<std::size_t>(nx);

  double gradient_sq_sum = 0.0;
  std::size_t gradient_points = 0;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = map.index(r, c);
      if (!valid[i]) continue;
      // Along an axis of a single point there is no slope to see: it counts as zero.
      double gx = 0.0, gy = 0.0;
      if (nx > 1 && !axis_gradient(z, valid, i, 1, c > 0, c + 1 < nx, dx, &gx)) continue;
      if (ny > 1 && !axis_gradient(z, valid, i, row_step, r > 0, r + 1 < ny, dy, &gy)) continue;
      gradient_sq_sum += gx * gx + gy * gy;
      ++gradient_points;
    }
  }
  if (gradient_points > 0) p.Sdq = std::sqrt(gradient_sq_sum / static_cast<double>(gradient_points));

  // Each cell (corners a b / c d, centre m = their mean) is four triangles through m, one on
  // each edge. A triangle on the edge a-b has slope (b - a) / dx along the edge and
  // (m - (a + b) / 2) / (dy / 2) across it; its area is dx dy / 4 * sqrt(1 + slopes^2).
  double area_excess = 0.0;  // in units of dx dy / 4
  std::size_t cells = 0;
  const double inv_dx = 1.0 / dx, inv_dy = 1.0 / dy;
  for (int r = 0; r + 1 < ny; ++r) {
    const float* z0 = z + map.index(r, 0);
    const float* z1 = z0 + row_step;
    const std::uint8_t* v0 = valid + map.index(r, 0);
    const std::uint8_t* v1 = v0 + row_step;
    for (int c = 0; c + 1 < nx; ++c) {
      if (!(v0[c] && v0[c + 1] && v1[c] && v1[c + 1])) continue;
      const double a = z0[c], b = z0[c + 1], cc = z1[c], d = z1[c + 1];
      const double m = 0.25 * (a + b + cc + d);
      area_excess += slope_area_excess((b - a) * inv_dx, (2.0 * m - a - b) * inv_dy) +
                     slope_area_excess((d - cc) * inv_dx, (cc + d - 2.0 * m) * inv_dy) +
                     slope_area_excess((d - b) * inv_dy, (b + d - 2.0 * m) * inv_dx) +
                     slope_area_excess((cc - a) * inv_dy, (2.0 * m - a - cc) * inv_dx);
      ++cells;
    }
  }
  if (cells > 0) {
    p.Sdr_pct = 100.0 * area_excess / (4.0 * static_cast<double>(cells));
  }
  return p;
}

nlohmann::json surface_parameters_json(const SurfaceParameters& parameters) {
  return nlohmann::json{{"Sa_um", parameters.Sa_um},   {"Sq_um", parameters.Sq_um}, {"Sp_um", parameters.Sp_um},
                        {"Sv_um", parameters.Sv_um},   {"Sz_um", parameters.Sz_um}, {"Ssk", parameters.Ssk},
                        {"Sku", parameters.Sku},       {"Sdq", parameters.Sdq},     {"Sdr_pct", parameters.Sdr_pct}};
}

}  // namespace scarscope
