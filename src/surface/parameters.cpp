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

// Area of the triangle (a, b, c), each given as x, y, z, minus its projected area, written so that
// a nearly flat triangle does not lose the small excess to cancellation.
double triangle_area_excess(const double a[3], const double b[3], const double c[3]) {
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
  const double cx = u[1] * v[2] - u[2] * v[1];
  const double cy = u[2] * v[0] - u[0] * v[2];
  const double cz = std::fabs(u[0] * v[1] - u[1] * v[0]);
  const double slope_part = cx * cx + cy * cy;
  return 0.5 * slope_part / (std::sqrt(cz * cz + slope_part) + cz);
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

  double area_excess = 0.0;
  std::size_t cells = 0;
  for (int r = 0; r + 1 < ny; ++r) {
    for (int c = 0; c + 1 < nx; ++c) {
      const std::size_t i00 = map.index(r, c);
      const std::size_t i01 = i00 + 1;
      const std::size_t i10 = i00 + row_step;
      const std::size_t i11 = i10 + 1;
      if (!(valid[i00] && valid[i01] && valid[i10] && valid[i11])) continue;
      // Heights relative to the first corner keep the cross products small and exact.
      const double z00 = 0.0;
      const double z01 = static_cast<double>(z[i01]) - z[i00];
      const double z10 = static_cast<double>(z[i10]) - z[i00];
      const double z11 = static_cast<double>(z[i11]) - z[i00];
      const double a[3] = {0.0, 0.0, z00};
      const double b[3] = {dx, 0.0, z01};
      const double d[3] = {dx, dy, z11};
      const double e[3] = {0.0, dy, z10};
      const double centre[3] = {0.5 * dx, 0.5 * dy, 0.25 * (z00 + z01 + z10 + z11)};
      area_excess += triangle_area_excess(a, b, centre) + triangle_area_excess(b, d, centre) +
                     triangle_area_excess(d, e, centre) + triangle_area_excess(e, a, centre);
      ++cells;
    }
  }
  if (cells > 0) {
    const double projected_area = static_cast<double>(cells) * dx * dy;
    p.Sdr_pct = 100.0 * area_excess / projected_area;
  }
  return p;
}

nlohmann::json surface_parameters_json(const SurfaceParameters& parameters) {
  return nlohmann::json{{"Sa_um", parameters.Sa_um},   {"Sq_um", parameters.Sq_um}, {"Sp_um", parameters.Sp_um},
                        {"Sv_um", parameters.Sv_um},   {"Sz_um", parameters.Sz_um}, {"Ssk", parameters.Ssk},
                        {"Sku", parameters.Sku},       {"Sdq", parameters.Sdq},     {"Sdr_pct", parameters.Sdr_pct}};
}

}  // namespace scarscope
