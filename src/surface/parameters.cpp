// ISO 25178-2 areal parameters over the valid points.
//
// Two passes over the map. The first, row by row, gathers the mean and extremes, the gradients
// (Sdq) and the developed area of the cells between the row and the next (Sdr); the second takes
// the height moments about that mean exactly (in double), as Sa = mean |z - mean| needs the mean
// before it can start (no sampling, no shifted-moment approximation). Rows with no missing point
// (most of a scan) go through branch-free loops whose sums run in four interleaved lanes (they
// vectorise); the figures agree with a point-by-point sum to the last digits (Sdr, whose square
// roots and cell slopes are taken in float, to ~3e-8 on scans, within 5e-7 at worst).
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
#include <opencv2/core/hal/hal.hpp>
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

// Sum of values[0..count) in four interleaved partial sums (independent chains the compiler can
// vectorise), added in a fixed order: the same result on every run, last digits apart from a
// point-by-point sum.
double lane_sum(const double* values, std::size_t count) {
  double lane[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (std::size_t k = 0; k < 4; ++k) lane[k] += values[i + k];
  }
  for (; i < count; ++i) lane[i & 3] += values[i];
  return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

}  // namespace

SurfaceParameters compute_surface_parameters(const HeightMap& map) {
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
  // (m - (a + b) / 2) / (dy / 2) across it; its area is dx dy / 4 * sqrt(1 + g) with g the sum of
  // the squared slopes, and its excess over the flat area dx dy / 4 * (sqrt(1 + g) - 1)
  // = dx dy / 4 * g / (1 + sqrt(1 + g)). That form keeps its precision however flat the surface
  // (no 1 - 1 cancellation), so the square root can be taken in float: a row of cells fills
  // `slope_sq` with g (in float, slopes too: 4 lanes; 0 for a cell with a missing corner) and
  // `root` with 1 + g, takes the square roots in one vectorised call and sums g / (1 + root) in
  // double. Each term is within ~5e-7 of its exact value relative; Sdr of suite scans moves by
  // 3e-8 against slopes and square roots in double (mostly the float rounding of 1 / dx).
  double area_excess = 0.0;  // in units of dx dy / 4
  std::size_t cells = 0;
  const std::size_t row_cells = nx > 1 ? static_cast<std::size_t>(nx - 1) : 0;
  std::vector<float> slope_sq(4 * row_cells), root(4 * row_cells);
  const float inv_dx_f = static_cast<float>(inv_dx), inv_dy_f = static_cast<float>(inv_dy);

  // Rows with no missing point take branch-free loops that the compiler can vectorise.
  std::vector<std::uint8_t> complete(static_cast<std::size_t>(ny));
  for (int r = 0; r < ny; ++r) {
    const std::uint8_t* vr = valid + map.index(r, 0);
    complete[static_cast<std::size_t>(r)] = std::find(vr, vr + nx, std::uint8_t{0}) == vr + nx ? 1 : 0;
  }
  std::vector<double> gradient_sq(static_cast<std::size_t>(nx));
  const double half_inv_dx = 0.5 / dx, half_inv_dy = 0.5 / dy;
  const double two_dx = 2.0 * dx, two_dy = 2.0 * dy;

  for (int r = 0; r < ny; ++r) {
    const std::size_t row = map.index(r, 0);
    const float* zr = z + row;
    const std::uint8_t* vr = valid + row;
    const bool up = r > 0, down = r + 1 < ny;
    // The gradient of point c where the general rules apply (grid edges, missing neighbours).
    auto general_gradient = [&](int c) {
      double gx = 0.0, gy = 0.0;
      const std::size_t i = row + static_cast<std::size_t>(c);
      if (c > 0 && c + 1 < nx && up && down && vr[c - 1] && vr[c + 1] && valid[i - row_step] && valid[i + row_step]) {
        gx = (static_cast<double>(zr[c + 1]) - zr[c - 1]) / two_dx;
        gy = (static_cast<double>(z[i + row_step]) - z[i - row_step]) / two_dy;
      } else {
        // Along an axis of a single point there is no slope to see: it counts as zero.
        if (nx > 1 && !axis_gradient(z, valid, i, 1, c > 0, c + 1 < nx, dx, &gx)) return;
        if (ny > 1 && !axis_gradient(z, valid, i, row_step, up, down, dy, &gy)) return;
      }
      gradient_sq_sum += gx * gx + gy * gy;
      ++gradient_points;
    };
    if (complete[static_cast<std::size_t>(r)]) {
      n += static_cast<std::size_t>(nx);
      // Four interleaved lanes: independent chains that vectorise (extremes are exact in any order).
      double lane[4] = {0.0, 0.0, 0.0, 0.0};
      float high[4] = {zr[0], zr[0], zr[0], zr[0]}, low[4] = {zr[0], zr[0], zr[0], zr[0]};
      int c = 0;
      for (; c + 4 <= nx; c += 4) {
        for (int k = 0; k < 4; ++k) {
          const float h = zr[c + k];
          lane[k] += h;
          high[k] = high[k] < h ? h : high[k];
          low[k] = h < low[k] ? h : low[k];
        }
      }
      for (; c < nx; ++c) {
        const float h = zr[c];
        lane[c & 3] += h;
        high[c & 3] = std::max(high[c & 3], h);
        low[c & 3] = std::min(low[c & 3], h);
      }
      sum += (lane[0] + lane[1]) + (lane[2] + lane[3]);
      for (int k = 0; k < 4; ++k) {
        highest_z = std::max(highest_z, high[k]);
        lowest_z = std::min(lowest_z, low[k]);
      }
      const bool neighbours_complete =
          up && down && complete[static_cast<std::size_t>(r - 1)] && complete[static_cast<std::size_t>(r + 1)];
      if (nx >= 3 && neighbours_complete) {
        const float* zu = zr - row_step;
        const float* zd = zr + row_step;
        double* g = gradient_sq.data();
        for (int c = 1; c + 1 < nx; ++c) {  // central differences everywhere: vectorises
          const double gx = (static_cast<double>(zr[c + 1]) - zr[c - 1]) * half_inv_dx;
          const double gy = (static_cast<double>(zd[c]) - zu[c]) * half_inv_dy;
          g[c] = gx * gx + gy * gy;
        }
        general_gradient(0);
        gradient_sq_sum += lane_sum(g + 1, static_cast<std::size_t>(nx - 2));
        gradient_points += static_cast<std::size_t>(nx - 2);
        general_gradient(nx - 1);
      } else {
        for (int c = 0; c < nx; ++c) general_gradient(c);
      }
    } else {
      for (int c = 0; c < nx; ++c) {
        if (!vr[c]) continue;
        const float h = zr[c];
        ++n;
        sum += h;
        highest_z = std::max(highest_z, h);
        lowest_z = std::min(lowest_z, h);
        general_gradient(c);
      }
    }
    if (!down || row_cells == 0) continue;
    const float* z0 = zr;
    const float* z1 = zr + row_step;
    const std::uint8_t* v0 = vr;
    const std::uint8_t* v1 = vr + row_step;
    float* g = slope_sq.data();
    for (std::size_t c = 0; c < row_cells; ++c) {  // every cell, missing corners or not: vectorises
      const float a = z0[c], b = z0[c + 1], cc = z1[c], d = z1[c + 1];
      // The slope across the edge is the same for opposite edges: m - (a + b) / 2 = (c + d) / 2 - m
      // = (c + d - a - b) / 4, and likewise for the left and right edges.
      const float across_top_bottom = 0.5f * ((cc - a) + (d - b)) * inv_dy_f;
      const float across_left_right = 0.5f * ((b - a) + (d - cc)) * inv_dx_f;
      const float s1 = (b - a) * inv_dx_f, s3 = (d - cc) * inv_dx_f;
      const float s5 = (d - b) * inv_dy_f, s7 = (cc - a) * inv_dy_f;
      const float tb = across_top_bottom * across_top_bottom;
      const float lr = across_left_right * across_left_right;
      g[4 * c] = tb + s1 * s1;
      g[4 * c + 1] = tb + s3 * s3;
      g[4 * c + 2] = lr + s5 * s5;
      g[4 * c + 3] = lr + s7 * s7;
    }
    std::size_t row_valid_cells = 0;
    if (complete[static_cast<std::size_t>(r)] && complete[static_cast<std::size_t>(r + 1)]) {
      row_valid_cells = row_cells;
    } else {
      for (std::size_t c = 0; c < row_cells; ++c) {
        if (v0[c] & v0[c + 1] & v1[c] & v1[c + 1]) {
          ++row_valid_cells;
        } else {  // a cell with a missing corner (NaN heights) adds nothing
          g[4 * c] = g[4 * c + 1] = g[4 * c + 2] = g[4 * c + 3] = 0.0f;
        }
      }
    }
    if (row_valid_cells == 0) continue;
    const std::size_t terms = slope_sq.size();
    float* u = root.data();
    for (std::size_t k = 0; k < terms; ++k) u[k] = 1.0f + g[k];
    cv::hal::sqrt32f(u, u, static_cast<int>(terms));
    double excess[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t k = 0; k < terms; k += 4) {  // terms is a multiple of 4
      for (std::size_t j = 0; j < 4; ++j) excess[j] += static_cast<double>(g[k + j] / (1.0f + u[k + j]));
    }
    area_excess += (excess[0] + excess[1]) + (excess[2] + excess[3]);
    cells += row_valid_cells;
  }
  if (n == 0) {
    throw InputError("surface parameters: the height map has no valid points");
  }
  const double mean = sum / static_cast<double>(n);

  double abs_sum = 0.0, sq_sum = 0.0, cube_sum = 0.0, fourth_sum = 0.0;
  auto add_moments = [&](float height) {
    const double h = height - mean;
    const double h2 = h * h;
    abs_sum += std::fabs(h);
    sq_sum += h2;
    cube_sum += h2 * h;
    fourth_sum += h2 * h2;
  };
  for (int r = 0; r < ny; ++r) {
    const float* zr = z + map.index(r, 0);
    const std::uint8_t* vr = valid + map.index(r, 0);
    if (complete[static_cast<std::size_t>(r)]) {
      // Four interleaved lanes per moment, as above.
      double a[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0}, cu[4] = {0, 0, 0, 0}, fo[4] = {0, 0, 0, 0};
      int c = 0;
      for (; c + 4 <= nx; c += 4) {
        for (int k = 0; k < 4; ++k) {
          const double h = zr[c + k] - mean;
          const double h2 = h * h;
          a[k] += std::fabs(h);
          q[k] += h2;
          cu[k] += h2 * h;
          fo[k] += h2 * h2;
        }
      }
      abs_sum += (a[0] + a[1]) + (a[2] + a[3]);
      sq_sum += (q[0] + q[1]) + (q[2] + q[3]);
      cube_sum += (cu[0] + cu[1]) + (cu[2] + cu[3]);
      fourth_sum += (fo[0] + fo[1]) + (fo[2] + fo[3]);
      for (; c < nx; ++c) add_moments(zr[c]);
    } else {
      for (int c = 0; c < nx; ++c) {
        if (vr[c]) add_moments(zr[c]);
      }
    }
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
