// compute_surface_parameters takes branch-free kernels eight columns at a time (unmasked on rows
// with no missing point, masked on the others) and the point-by-point rules next to missing points
// and on the grid's edges; each kernel exists as portable code and as an AVX2 copy chosen at run
// time. All of it must give the textbook definitions: here they are checked against a plain, direct
// implementation of those definitions on a rough random surface, complete and with holes
// (scattered points, part of a row, a whole row, random dropouts), at widths that leave every
// remainder of eight, on one-row and one-column maps; and the two copies must agree bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/random.h"
#include "surface/height_map.h"
#include "surface/parameters.h"

using scarscope::Random;
using scarscope::compute_surface_parameters;
using scarscope::detail::compute_surface_parameters_baseline;
using scarscope::HeightMap;
using scarscope::SurfaceParameters;

namespace {

HeightMap rough_map(int nx, int ny, double dx, double dy, unsigned seed) {
  HeightMap map(nx, ny, dx, dy);
  Random random(seed);
  const auto noise = [&] { return random.gaussian(0.0, 3.0); };
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      const double relief = 40.0 * std::sin(c * 0.21) * std::cos(r * 0.17) + 0.5 * c - 0.3 * r;
      map.set(r, c, static_cast<float>(1000.0 + relief + noise()));  // an offset, as scans have
    }
  }
  return map;
}

// The definitions, one point and one cell at a time, in double.
SurfaceParameters direct(const HeightMap& m) {
  const int nx = m.nx(), ny = m.ny();
  const double dx = m.dx_um(), dy = m.dy_um();
  double sum = 0.0, high = -1e300, low = 1e300;
  std::size_t n = 0;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      if (!m.valid(r, c)) continue;
      const double h = m.height(r, c);
      sum += h;
      high = std::max(high, h);
      low = std::min(low, h);
      ++n;
    }
  }
  const double mean = sum / static_cast<double>(n);
  double a = 0, q = 0, cube = 0, fourth = 0;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      if (!m.valid(r, c)) continue;
      const double h = m.height(r, c) - mean;
      a += std::fabs(h);
      q += h * h;
      cube += h * h * h;
      fourth += h * h * h * h;
    }
  }
  // Gradient along an axis: central where both neighbours are valid, else one-sided, else none.
  auto slope = [&](int r, int c, int dr, int dc, double spacing, double* g) {
    const bool before = r - dr >= 0 && c - dc >= 0 && m.valid(r - dr, c - dc);
    const bool after = r + dr < ny && c + dc < nx && m.valid(r + dr, c + dc);
    const double z = m.height(r, c);
    if (before && after) {
      *g = (m.height(r + dr, c + dc) - static_cast<double>(m.height(r - dr, c - dc))) / (2.0 * spacing);
    } else if (after) {
      *g = (m.height(r + dr, c + dc) - z) / spacing;
    } else if (before) {
      *g = (z - m.height(r - dr, c - dc)) / spacing;
    } else {
      return false;
    }
    return true;
  };
  double gradient = 0.0;
  std::size_t gradient_points = 0;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      if (!m.valid(r, c)) continue;
      double gx = 0.0, gy = 0.0;  // along an axis of a single point: no slope, zero
      if ((nx > 1 && !slope(r, c, 0, 1, dx, &gx)) || (ny > 1 && !slope(r, c, 1, 0, dy, &gy))) continue;
      gradient += gx * gx + gy * gy;
      ++gradient_points;
    }
  }
  // Developed area: four triangles per cell through the centre (the mean of the corners).
  double area = 0.0;
  std::size_t cells = 0;
  for (int r = 0; r + 1 < ny; ++r) {
    for (int c = 0; c + 1 < nx; ++c) {
      if (!(m.valid(r, c) && m.valid(r, c + 1) && m.valid(r + 1, c) && m.valid(r + 1, c + 1))) continue;
      const double za = m.height(r, c), zb = m.height(r, c + 1), zc = m.height(r + 1, c), zd = m.height(r + 1, c + 1);
      const double zm = 0.25 * (za + zb + zc + zd);
      auto triangle = [](double along, double across) { return std::sqrt(1.0 + along * along + across * across); };
      area += triangle((zb - za) / dx, (zm - 0.5 * (za + zb)) / (0.5 * dy)) +
              triangle((zd - zc) / dx, (0.5 * (zc + zd) - zm) / (0.5 * dy)) +
              triangle((zd - zb) / dy, (0.5 * (zb + zd) - zm) / (0.5 * dx)) +
              triangle((zc - za) / dy, (zm - 0.5 * (za + zc)) / (0.5 * dx)) - 4.0;
      ++cells;
    }
  }
  SurfaceParameters p;
  const double points = static_cast<double>(n);
  p.Sa_um = a / points;
  p.Sq_um = std::sqrt(q / points);
  p.Sp_um = high - mean;
  p.Sv_um = mean - low;
  p.Sz_um = p.Sp_um + p.Sv_um;
  p.Ssk = cube / points / std::pow(p.Sq_um, 3);
  p.Sku = fourth / points / std::pow(p.Sq_um, 4);
  p.Sdq = std::sqrt(gradient / static_cast<double>(gradient_points));
  p.Sdr_pct = cells > 0 ? 100.0 * area / (4.0 * static_cast<double>(cells)) : 0.0;
  return p;
}

// Every figure of the portable code and of the copy the processor runs, bit for bit.
void expect_identical(const SurfaceParameters& a, const SurfaceParameters& b) {
  EXPECT_EQ(a.Sa_um, b.Sa_um);
  EXPECT_EQ(a.Sq_um, b.Sq_um);
  EXPECT_EQ(a.Sp_um, b.Sp_um);
  EXPECT_EQ(a.Sv_um, b.Sv_um);
  EXPECT_EQ(a.Sz_um, b.Sz_um);
  EXPECT_EQ(a.Ssk, b.Ssk);
  EXPECT_EQ(a.Sku, b.Sku);
  EXPECT_EQ(a.Sdq, b.Sdq);
  EXPECT_EQ(a.Sdr_pct, b.Sdr_pct);
}

void expect_same(const SurfaceParameters& got, const SurfaceParameters& want) {
  auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); };
  EXPECT_PRED2(near, got.Sa_um, want.Sa_um);
  EXPECT_PRED2(near, got.Sq_um, want.Sq_um);
  EXPECT_PRED2(near, got.Sp_um, want.Sp_um);
  EXPECT_PRED2(near, got.Sv_um, want.Sv_um);
  EXPECT_PRED2(near, got.Sz_um, want.Sz_um);
  EXPECT_PRED2(near, got.Ssk, want.Ssk);
  EXPECT_PRED2(near, got.Sku, want.Sku);
  EXPECT_PRED2(near, got.Sdq, want.Sdq);
  // Sdr takes its cell slopes and square roots in float (each term g / (1 + sqrt(1 + g)) within
  // ~5e-7 relative).
  auto near_sdr = [](double a, double b) { return std::fabs(a - b) <= 1e-6 * std::fabs(b); };
  EXPECT_PRED2(near_sdr, got.Sdr_pct, want.Sdr_pct);
}

}  // namespace

TEST(SurfaceParameterPaths, CompleteSurfaceMatchesTheDefinitions) {
  for (const int nx : {3, 4, 7, 61}) {
    const HeightMap map = rough_map(nx, 47, 10.0, 15.0, 7u + static_cast<unsigned>(nx));
    SCOPED_TRACE(nx);
    expect_same(compute_surface_parameters(map), direct(map));
  }
}

TEST(SurfaceParameterPaths, SurfaceWithHolesMatchesTheDefinitions) {
  HeightMap map = rough_map(61, 47, 12.0, 9.0, 3u);
  for (int c = 0; c < 61; c += 13) map.set_missing(5, c);  // scattered points
  for (int c = 20; c < 45; ++c) map.set_missing(20, c);    // part of a row
  for (int c = 0; c < 61; ++c) map.set_missing(33, c);     // a whole row
  map.set_missing(0, 0);                                   // a corner
  map.set_missing(46, 60);
  expect_same(compute_surface_parameters(map), direct(map));
}

TEST(SurfaceParameterPaths, EveryRemainderOfEightMatchesTheDefinitionsWithAndWithoutHoles) {
  // Widths 1 .. 26: no kernel step, one, several, and each tail length; holes in the kernels' part
  // and in the tail, next to a row's ends and at different columns of an eight-column step.
  for (int nx = 1; nx <= 26; ++nx) {
    SCOPED_TRACE(nx);
    HeightMap map = rough_map(nx, 13, 7.0, 11.0, 100u + static_cast<unsigned>(nx));
    expect_same(compute_surface_parameters(map), direct(map));
    expect_identical(compute_surface_parameters(map), compute_surface_parameters_baseline(map));
    map.set_missing(4, nx - 1);
    map.set_missing(6, nx / 2);
    map.set_missing(9, std::min(nx - 1, 9));
    map.set_missing(9, 0);
    expect_same(compute_surface_parameters(map), direct(map));
    expect_identical(compute_surface_parameters(map), compute_surface_parameters_baseline(map));
  }
}

TEST(SurfaceParameterPaths, RandomDropoutsMatchTheDefinitions) {
  // About one point in twelve missing, at random: most rows masked, many points next to a hole.
  for (const int nx : {29, 64, 83}) {
    SCOPED_TRACE(nx);
    HeightMap map = rough_map(nx, 37, 9.0, 9.0, 55u + static_cast<unsigned>(nx));
    Random random(static_cast<std::uint64_t>(nx));
    const auto pick = [&] { return random.uniform_int(0, 11); };
    for (int r = 0; r < map.ny(); ++r) {
      if (r % 5 == 2) continue;  // some rows stay complete, next to masked ones
      for (int c = 0; c < nx; ++c) {
        if (pick() == 0) map.set_missing(r, c);
      }
    }
    expect_same(compute_surface_parameters(map), direct(map));
    expect_identical(compute_surface_parameters(map), compute_surface_parameters_baseline(map));
  }
}

TEST(SurfaceParameterPaths, OneRowAndOneColumnMatchTheDefinitions) {
  // No cells (Sdr 0) and a single-point axis (no slope along it, counted as zero).
  for (const bool row : {true, false}) {
    SCOPED_TRACE(row ? "one row" : "one column");
    HeightMap map = rough_map(row ? 37 : 1, row ? 1 : 37, 6.0, 8.0, 9u);
    map.set_missing(row ? 0 : 20, row ? 20 : 0);
    const SurfaceParameters p = compute_surface_parameters(map);
    expect_same(p, direct(map));
    EXPECT_EQ(p.Sdr_pct, 0.0);
    EXPECT_GT(p.Sdq, 0.0);
    expect_identical(p, compute_surface_parameters_baseline(map));
  }
}

TEST(SurfaceParameterPaths, AnyNonZeroMaskByteIsValid) {
  // Code that writes the mask directly may mark valid points 255 rather than 1: the same figures.
  HeightMap ones = rough_map(45, 21, 10.0, 10.0, 21u);
  for (int c = 3; c < 40; c += 6) ones.set_missing(10, c);
  HeightMap others = ones.clone();
  for (std::size_t i = 0; i < others.size(); ++i) {
    if (others.mask()[i]) others.mask()[i] = static_cast<std::uint8_t>(i % 2 ? 255 : 2);
  }
  expect_identical(compute_surface_parameters(others), compute_surface_parameters(ones));
  expect_identical(compute_surface_parameters_baseline(others), compute_surface_parameters(ones));
}
