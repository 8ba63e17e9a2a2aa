// ISO 25178-2 areal parameters over the valid points.
//
// Two passes over the map. The first, row by row, gathers the mean and extremes, the gradients
// (Sdq) and the developed area of the cells between the row and the next (Sdr); the second takes
// the height moments about that mean exactly (in double), as Sa = mean |z - mean| needs the mean
// before it can start (no sampling, no shifted-moment approximation).
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
#include <opencv2/core.hpp>
#include <vector>

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

}  // namespace

SurfaceParameters compute_surface_parameters(const HeightMap& map) {
  const std::size_t count = map.size();
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  const int nx = map.nx();
  const int ny = map.ny();
  const double dx = map.dx_um();
  const double dy = map.dy_um();
  const std::size_t row_step = static_cast<std::size_t>(nx);
  const double inv_dx = 1.0 / dx, inv_dy = 1.0 / dy;

  std::size_t n = 0;
  double sum = 0.0;
  float highest_z = -std::numeric_limits<float>::infinity();
  float lowest_z = std::numeric_limits<float>::infinity();
  double gradient_sq_sum = 0.0;
  std::size_t gradient_points = 0;
  // Sdr: each cell (corners a b / c d, centre m = their mean) is four triangles through m, one on
  // each edge. A triangle on the edge a-b has slope (b - a) / dx along the edge and
  // (m - (a + b) / 2) / (dy / 2) across it; its area is dx dy / 4 * sqrt(1 + slopes^2). A row of
  // cells fills `developed` with 1 + slopes^2 (1 for a cell with a missing corner), takes the
  // square roots in one vectorised call and sums them.
  double area_excess = 0.0;  // in units of dx dy / 4
  std::size_t cells = 0;
  const std::size_t row_cells = nx > 1 ? static_cast<std::size_t>(nx - 1) : 0;
  std::vector<double> developed(4 * row_cells);

  for (int r = 0; r < ny; ++r) {
    const std::size_t row = map.index(r, 0);
    const float* zr = z + row;
    const std::uint8_t* vr = valid + row;
    const bool up = r > 0, down = r + 1 < ny;
    for (int c = 0; c < nx; ++c) {
      if (!vr[c]) continue;
      const float h = zr[c];
      ++n;
      sum += h;
      highest_z = std::max(highest_z, h);
      lowest_z = std::min(lowest_z, h);
      // Along an axis of a single point there is no slope to see: it counts as zero.
      double gx = 0.0, gy = 0.0;
      const std::size_t i = row + static_cast<std::size_t>(c);
      if (c > 0 && c + 1 < nx && up && down && vr[c - 1] && vr[c + 1] && valid[i - row_step] && valid[i + row_step]) {
        gx = (static_cast<double>(zr[c + 1]) - zr[c - 1]) / (2.0 * dx);
        gy = (static_cast<double>(z[i + row_step]) - z[i - row_step]) / (2.0 * dy);
      } else {
        if (nx > 1 && !axis_gradient(z, valid, i, 1, c > 0, c + 1 < nx, dx, &gx)) continue;
        if (ny > 1 && !axis_gradient(z, valid, i, row_step, up, down, dy, &gy)) continue;
      }
      gradient_sq_sum += gx * gx + gy * gy;
      ++gradient_points;
    }
    if (!down || row_cells == 0) continue;
    const float* z0 = zr;
    const float* z1 = zr + row_step;
    const std::uint8_t* v0 = vr;
    const std::uint8_t* v1 = vr + row_step;
    double* t = developed.data();
    for (std::size_t c = 0; c < row_cells; ++c) {  // every cell, missing corners or not: vectorises
      const double a = z0[c], b = z0[c + 1], cc = z1[c], d = z1[c + 1];
      const double m = 0.25 * (a + b + cc + d);
      const double s1 = (b - a) * inv_dx, s2 = (2.0 * m - a - b) * inv_dy;
      const double s3 = (d - cc) * inv_dx, s4 = (cc + d - 2.0 * m) * inv_dy;
      const double s5 = (d - b) * inv_dy, s6 = (b + d - 2.0 * m) * inv_dx;
      const double s7 = (cc - a) * inv_dy, s8 = (2.0 * m - a - cc) * inv_dx;
      t[4 * c] = 1.0 + s1 * s1 + s2 * s2;
      t[4 * c + 1] = 1.0 + s3 * s3 + s4 * s4;
      t[4 * c + 2] = 1.0 + s5 * s5 + s6 * s6;
      t[4 * c + 3] = 1.0 + s7 * s7 + s8 * s8;
    }
    std::size_t row_valid_cells = 0;
    for (std::size_t c = 0; c < row_cells; ++c) {
      if (v0[c] & v0[c + 1] & v1[c] & v1[c + 1]) {
        ++row_valid_cells;
      } else {  // a cell with a missing corner (NaN heights) does not count: sqrt(1) - 1 = 0
        t[4 * c] = t[4 * c + 1] = t[4 * c + 2] = t[4 * c + 3] = 1.0;
      }
    }
    if (row_valid_cells == 0) continue;
    cv::Mat roots(1, static_cast<int>(developed.size()), CV_64F, developed.data());
    cv::sqrt(roots, roots);
    // sum(sqrt(1 + s)) - 4 (nx - 1): the excess is ~1e-16 of each term, far below any Sdr worth reporting.
    area_excess += cv::sum(roots)[0] - static_cast<double>(developed.size());
    cells += row_valid_cells;
  }
  if (n == 0) {
    throw InputError("surface parameters: the height map has no valid points");
  }
  const double mean = sum / static_cast<double>(n);

  double abs_sum = 0.0, sq_sum = 0.0, cube_sum = 0.0, fourth_sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!valid[i]) continue;
    const double h = z[i] - mean;
    const double h2 = h * h;
    abs_sum += std::fabs(h);
    sq_sum += h2;
    cube_sum += h2 * h;
    fourth_sum += h2 * h2;
  }
  const double points = static_cast<double>(n);
  SurfaceParameters p;
  p.Sa_um = abs_sum / points;
  p.Sq_um = std::sqrt(sq_sum / points);
  p.Sp_um = highest_z - mean;  // the same double as the largest z - mean (rounding is monotonic)
  p.Sv_um = -(lowest_z - mean);
  p.Sz_um = p.Sp_um + p.Sv_um;
  // Skewness and kurtosis are undefined on a flat surface; report 0 rather than NaN in JSON.
  if (p.Sq_um > 0.0) {
    const double sq2 = p.Sq_um * p.Sq_um;
    p.Ssk = cube_sum / points / (sq2 * p.Sq_um);
    p.Sku = fourth_sum / points / (sq2 * sq2);
  }
  if (gradient_points > 0) p.Sdq = std::sqrt(gradient_sq_sum / static_cast<double>(gradient_points));
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
