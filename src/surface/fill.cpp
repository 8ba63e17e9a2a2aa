// Harmonic (Laplace) hole filling by multigrid. A pyramid of 2 x 2 blocks (a block is known when
// any of its points is, with their mean) gives a first guess coarse to fine (full multigrid);
// W-cycles of red-black Gauss-Seidel with coarse-grid corrections then settle it. The coarse
// levels carry the long wavelengths that relaxation alone would need thousands of sweeps for.
#include "surface/fill.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope {

namespace {

// A working grid: heights, and which of them are to be solved for.
struct Grid {
  int nx = 0;
  int ny = 0;
  std::vector<float> u;
  std::vector<std::uint8_t> unknown;
};

// Coupling weights of horizontal and vertical neighbours, 1/dx^2 and 1/dy^2 normalised.
struct Coupling {
  float horizontal;
  float vertical;
};

// The solver stops when a sweep changes no point by more than this fraction of the height range
// (heights are solved about their mean, so float precision is relative to the range).
constexpr double kRelativeTolerance = 1e-6;
constexpr int kSmoothingSweeps = 2;
constexpr int kMaxCycles = 30;

// One level of the hierarchy, on arrays padded by one point on every side (the pad stays zero
// and has no coupling, which makes the grid edge a zero-flux boundary).
struct Level {
  int nx = 0;
  int ny = 0;
  int stride = 0;
  std::vector<std::uint8_t> unknown;  // nx * ny, unpadded
  // The unknown points by colour (red: row + column even): padded index, row, column, and the
  // sum of the coupling weights of their in-grid neighbours (the diagonal of the operator).
  struct Points {
    std::vector<std::uint32_t> index;
    std::vector<int> row, col;
    std::vector<float> diagonal, inverse_diagonal;
  } points[2];
  std::vector<float> u;  // padded: the solution (while solving this level) or a correction
  std::vector<float> f;  // padded right-hand side
  std::size_t padded(int r, int c) const { return static_cast<std::size_t>(r + 1) * stride + (c + 1); }
};

Level make_level(int nx, int ny, std::vector<std::uint8_t> unknown, Coupling coupling) {
  Level level;
  level.nx = nx;
  level.ny = ny;
  level.stride = nx + 2;
  level.unknown = std::move(unknown);
  const std::size_t padded_count = static_cast<std::size_t>(level.stride) * (ny + 2);
  level.u.assign(padded_count, 0.0f);
  level.f.assign(padded_count, 0.0f);
  for (int r = 0; r < ny; ++r) {
    const std::uint8_t* row = &level.unknown[static_cast<std::size_t>(r) * nx];
    for (int c = 0; c < nx; ++c) {
      if (!row[c]) continue;
      const float weight = coupling.horizontal * static_cast<float>((c > 0) + (c + 1 < nx)) +
                           coupling.vertical * static_cast<float>((r > 0) + (r + 1 < ny));
      if (weight <= 0.0f) continue;  // a lone point (1 x 1 grid) has nothing to follow
      Level::Points& points = level.points[(r + c) & 1];
      points.index.push_back(static_cast<std::uint32_t>(level.padded(r, c)));
      points.row.push_back(r);
      points.col.push_back(c);
      points.diagonal.push_back(weight);
      points.inverse_diagonal.push_back(1.0f / weight);
    }
  }
  return level;
}

// Red-black Gauss-Seidel on A u = f; returns the largest change of the last sweep.
float smooth(Level& level, Coupling coupling, int sweeps) {
  const float h = coupling.horizontal;
  const float v = coupling.vertical;
  const std::size_t s = static_cast<std::size_t>(level.stride);
  float* u = level.u.data();
  const float* f = level.f.data();
  float largest_change = 0.0f;
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    largest_change = 0.0f;
    for (const Level::Points& points : level.points) {
      const std::uint32_t* idx = points.index.data();
      const float* inverse = points.inverse_diagonal.data();
      const std::size_t n = points.index.size();
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t p = idx[k];
        const float target = (f[p] + h * (u[p - 1] + u[p + 1]) + v * (u[p - s] + u[p + s])) * inverse[k];
        largest_change = std::max(largest_change, std::fabs(target - u[p]));
        u[p] = target;
      }
    }
  }
  return largest_change;
}

// Residual f - A u summed over 2 x 2 blocks into the coarse right-hand side (only blocks that
// are unknown on the coarse level take part; the smoother handles points next to known ones).
// The coarse correction starts from zero.
void restrict_residual(const Level& fine, Level& coarse, Coupling coupling) {
  std::fill(coarse.f.begin(), coarse.f.end(), 0.0f);
  std::fill(coarse.u.begin(), coarse.u.end(), 0.0f);
  const float h = coupling.horizontal;
  const float v = coupling.vertical;
  const std::size_t s = static_cast<std::size_t>(fine.stride);
  const float* u = fine.u.data();
  for (const Level::Points& points : fine.points) {
    for (std::size_t k = 0; k < points.index.size(); ++k) {
      const int cr = points.row[k] / 2, cc = points.col[k] / 2;
      if (!coarse.unknown[static_cast<std::size_t>(cr) * coarse.nx + cc]) continue;
      const std::size_t p = points.index[k];
      const float residual =
          fine.f[p] + h * (u[p - 1] + u[p + 1]) + v * (u[p - s] + u[p + s]) - points.diagonal[k] * u[p];
      coarse.f[coarse.padded(cr, cc)] += residual;
    }
  }
}

// Bilinear interpolation of the coarse level at the fine unknown points (coarse point J sits at
// fine coordinate 2J + 0.5; clamped at the grid edge), added to them (a correction) or assigned
// (a first guess).
void interpolate(const Level& coarse, Level& fine, bool add) {
  auto coordinate = [](int fine_index, int coarse_size, int* lower, float* fraction) {
    const float x = std::clamp((fine_index - 0.5f) * 0.5f, 0.0f, static_cast<float>(coarse_size - 1));
    *lower = std::min(static_cast<int>(x), std::max(0, coarse_size - 2));
    *fraction = x - static_cast<float>(*lower);
  };
  for (const Level::Points& points : fine.points) {
    for (std::size_t k = 0; k < points.index.size(); ++k) {
      int r0, c0;
      float fr, fc;
      coordinate(points.row[k], coarse.ny, &r0, &fr);
      coordinate(points.col[k], coarse.nx, &c0, &fc);
      const int r1 = std::min(r0 + 1, coarse.ny - 1);
      const int c1 = std::min(c0 + 1, coarse.nx - 1);
      auto at = [&](int rr, int cc) { return coarse.u[coarse.padded(rr, cc)]; };
      const float top = at(r0, c0) + fc * (at(r0, c1) - at(r0, c0));
      const float bottom = at(r1, c0) + fc * (at(r1, c1) - at(r1, c0));
      const float value = top + fr * (bottom - top);
      float& target = fine.u[points.index[k]];
      target = add ? target + value : value;
    }
  }
}

// Solves the coarsest level: Gauss-Seidel until it settles (it is small, or its unknowns are
// isolated points that settle at once).
void solve_coarsest(Level& level, Coupling coupling, double tolerance) {
  const int cap = 50 * (level.nx + level.ny) + 100;
  for (int sweep = 0; sweep < cap; sweep += 10) {
    if (smooth(level, coupling, 10) < 0.01 * tolerance) break;
  }
}

// One W-cycle on level `index` for A u = f: smooth, correct from the coarser level twice, smooth.
void cycle(std::vector<Level>& levels, std::size_t index, Coupling coupling, double tolerance) {
  Level& level = levels[index];
  if (index + 1 == levels.size()) {
    solve_coarsest(level, coupling, tolerance);
    return;
  }
  smooth(level, coupling, kSmoothingSweeps);
  // Two coarse corrections per level (a W-cycle): the boundary of a hole is only roughly seen
  // on the coarse grids, and the second visit makes up for it at twice the coarse work.
  for (int visit = 0; visit < 2; ++visit) {
    restrict_residual(level, levels[index + 1], coupling);
    cycle(levels, index + 1, coupling, tolerance);
    interpolate(levels[index + 1], level, /*add=*/true);
    smooth(level, coupling, kSmoothingSweeps);
  }
}

double tolerance_for(const Grid& g) {
  float low = std::numeric_limits<float>::infinity();
  float high = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < g.u.size(); ++i) {
    if (g.unknown[i]) continue;
    low = std::min(low, g.u[i]);
    high = std::max(high, g.u[i]);
  }
  return kRelativeTolerance * std::max(static_cast<double>(high - low), 1e-3);
}

// Solves for every unknown point of g, which must hold at least one known point.
void solve(Grid& g, Coupling coupling) {
  if (std::find(g.unknown.begin(), g.unknown.end(), 1) == g.unknown.end()) return;
  double sum = 0.0;
  std::size_t known = 0;
  for (std::size_t i = 0; i < g.u.size(); ++i) {
    if (g.unknown[i]) continue;
    sum += g.u[i];
    ++known;
  }
  const double offset = sum / static_cast<double>(known);
  for (std::size_t i = 0; i < g.u.size(); ++i) {
    g.u[i] = g.unknown[i] ? 0.0f : static_cast<float>(g.u[i] - offset);
  }
  const double tolerance = tolerance_for(g);

  // An unknown point whose neighbours are all known (most dropouts of a scan) is solved at once
  // and joins the known points, so the iterations only visit clusters.
  const Coupling w = coupling;
  std::vector<std::uint8_t> unknown = g.unknown;
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * g.nx + c;
      if (!unknown[i]) continue;
      const bool left = c > 0, right = c + 1 < g.nx, up = r > 0, down = r + 1 < g.ny;
      if ((left && unknown[i - 1]) || (right && unknown[i + 1]) || (up && unknown[i - g.nx]) ||
          (down && unknown[i + g.nx])) {
        continue;
      }
      const float weight = w.horizontal * static_cast<float>(left + right) + w.vertical * static_cast<float>(up + down);
      if (weight <= 0.0f) continue;
      float sum_of_neighbours = 0.0f;
      if (left) sum_of_neighbours += w.horizontal * g.u[i - 1];
      if (right) sum_of_neighbours += w.horizontal * g.u[i + 1];
      if (up) sum_of_neighbours += w.vertical * g.u[i - g.nx];
      if (down) sum_of_neighbours += w.vertical * g.u[i + g.nx];
      g.u[i] = sum_of_neighbours / weight;
      unknown[i] = 0;
    }
  }

  // The hierarchy, with the known heights block-averaged onto every level: a coarse block is
  // unknown when all its points are. It ends when nothing is unknown or the grid is tiny.
  std::vector<Level> levels;
  levels.push_back(make_level(g.nx, g.ny, std::move(unknown), coupling));
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) levels[0].u[levels[0].padded(r, c)] = g.u[static_cast<std::size_t>(r) * g.nx + c];
  }
  while (levels.back().nx > 4 || levels.back().ny > 4) {
    const Level& fine = levels.back();
    const int cnx = (fine.nx + 1) / 2, cny = (fine.ny + 1) / 2;
    const std::size_t count = static_cast<std::size_t>(cnx) * cny;
    std::vector<double> block_sum(count, 0.0);
    std::vector<int> block_known(count, 0);
    for (int r = 0; r < fine.ny; ++r) {
      for (int c = 0; c < fine.nx; ++c) {
        if (fine.unknown[static_cast<std::size_t>(r) * fine.nx + c]) continue;
        const std::size_t j = static_cast<std::size_t>(r / 2) * cnx + c / 2;
        block_sum[j] += fine.u[fine.padded(r, c)];
        ++block_known[j];
      }
    }
    std::vector<std::uint8_t> unknown(count);
    for (std::size_t j = 0; j < count; ++j) unknown[j] = block_known[j] == 0 ? 1 : 0;
    if (std::find(unknown.begin(), unknown.end(), 1) == unknown.end()) break;
    Level coarse = make_level(cnx, cny, std::move(unknown), coupling);
    for (int r = 0; r < cny; ++r) {
      for (int c = 0; c < cnx; ++c) {
        const std::size_t j = static_cast<std::size_t>(r) * cnx + c;
        if (block_known[j]) coarse.u[coarse.padded(r, c)] = static_cast<float>(block_sum[j] / block_known[j]);
      }
    }
    levels.push_back(std::move(coarse));
  }

  // Full multigrid: solve the coarsest level from the mean, then each finer level from the
  // interpolated coarser solution with one W-cycle (the top level until it settles).
  Level& coarsest = levels.back();
  for (const Level::Points& points : coarsest.points) {
    for (const std::uint32_t p : points.index) coarsest.u[p] = 0.0f;  // the mean of the known heights
  }
  solve_coarsest(coarsest, coupling, tolerance);
  for (std::size_t index = levels.size() - 1; index-- > 0;) {
    interpolate(levels[index + 1], levels[index], /*add=*/false);
    if (index > 0) cycle(levels, index, coupling, tolerance);
  }
  Level& top = levels.front();
  float previous_change = std::numeric_limits<float>::infinity();
  for (int round = 0; round < kMaxCycles && levels.size() > 1; ++round) {
    cycle(levels, 0, coupling, tolerance);
    const float change = smooth(top, coupling, 1);
    // Converged, or down to float rounding (the change no longer shrinks).
    if (change < tolerance || (round >= 3 && change > 0.7f * previous_change)) break;
    previous_change = change;
  }
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * g.nx + c;
      g.u[i] = static_cast<float>((g.unknown[i] ? top.u[top.padded(r, c)] : g.u[i]) + offset);
    }
  }
}

Coupling coupling_for(double dx_um, double dy_um) {
  if (!std::isfinite(dx_um) || !std::isfinite(dy_um) || dx_um <= 0.0 || dy_um <= 0.0) {
    throw InputError("harmonic fill: lateral spacing must be finite and positive, got dx = " +
                     formats::format_number(dx_um) + " um, dy = " + formats::format_number(dy_um) + " um");
  }
  const double h = 1.0 / (dx_um * dx_um);
  const double v = 1.0 / (dy_um * dy_um);
  const double largest = std::max(h, v);
  return {static_cast<float>(h / largest), static_cast<float>(v / largest)};
}

}  // namespace

void fill_missing(HeightMap& map) {
  map.normalize_missing();
  const std::size_t valid_points = map.valid_count();
  if (valid_points == map.size()) return;
  if (valid_points == 0) {
    throw InputError("hole filling: the height map has no valid point to fill from");
  }
  Grid g;
  g.nx = map.nx();
  g.ny = map.ny();
  g.u.assign(map.heights(), map.heights() + map.size());
  g.unknown.resize(map.size());
  for (std::size_t i = 0; i < map.size(); ++i) g.unknown[i] = map.mask()[i] ? 0 : 1;
  solve(g, coupling_for(map.dx_um(), map.dy_um()));
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const std::size_t i = map.index(r, c);
      if (g.unknown[i]) map.set(r, c, g.u[i]);
    }
  }
}

void harmonic_fill(float* heights, const std::uint8_t* region, int nx, int ny, double dx_um, double dy_um) {
  if (nx <= 0 || ny <= 0) {
    throw InputError("harmonic fill: grid size must be positive, got " + std::to_string(nx) + " x " +
                     std::to_string(ny));
  }
  const Coupling coupling = coupling_for(dx_um, dy_um);
  int row_lo = ny, row_hi = -1, col_lo = nx, col_hi = -1;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      if (!region[static_cast<std::size_t>(r) * nx + c]) continue;
      row_lo = std::min(row_lo, r);
      row_hi = std::max(row_hi, r);
      col_lo = std::min(col_lo, c);
      col_hi = std::max(col_hi, c);
    }
  }
  if (row_hi < 0) return;
  row_lo = std::max(0, row_lo - 1);
  col_lo = std::max(0, col_lo - 1);
  row_hi = std::min(ny - 1, row_hi + 1);
  col_hi = std::min(nx - 1, col_hi + 1);

  Grid g;
  g.nx = col_hi - col_lo + 1;
  g.ny = row_hi - row_lo + 1;
  const std::size_t count = static_cast<std::size_t>(g.nx) * g.ny;
  g.u.resize(count);
  g.unknown.resize(count);
  std::size_t known = 0;
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const std::size_t source = static_cast<std::size_t>(r + row_lo) * nx + (c + col_lo);
      const std::size_t i = static_cast<std::size_t>(r) * g.nx + c;
      const bool unknown = region[source] || !std::isfinite(heights[source]);
      g.unknown[i] = unknown ? 1 : 0;
      g.u[i] = unknown ? 0.0f : heights[source];
      known += !unknown;
    }
  }
  if (known == 0) {
    throw InputError("harmonic fill: no known height around the region to fill from (rows " +
                     std::to_string(row_lo) + "-" + std::to_string(row_hi) + ", columns " +
                     std::to_string(col_lo) + "-" + std::to_string(col_hi) + ")");
  }
  solve(g, coupling);
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * g.nx + c;
      if (g.unknown[i]) heights[static_cast<std::size_t>(r + row_lo) * nx + (c + col_lo)] = g.u[i];
    }
  }
}

std::vector<float> harmonic_filled(const float* heights, const std::uint8_t* region, int nx, int ny, double dx_um,
                                   double dy_um) {
  if (nx <= 0 || ny <= 0) {
    throw InputError("harmonic fill: grid size must be positive, got " + std::to_string(nx) + " x " +
                     std::to_string(ny));
  }
  std::vector<float> result(heights, heights + static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
  harmonic_fill(result.data(), region, nx, ny, dx_um, dy_um);
  return result;
}

}  // namespace scarscope
