// The reference surface's fast paths against plain implementations: the block means (row sums of
// the cells' columns, missing points masked through their bits) with missing points at cell edges
// and in the map's partial last row and column of cells; the exact median by counting the
// numbers' bits; and the bilinear subtraction whose corner values are gathered once per pair of
// cell rows. The harmonic fill that measures scars: its vectorised relaxation against the portable
// one, bit for bit, and a harmonic function recovered across a hole.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/random.h"
#include "scars/detection.h"
#include "scars/measurement.h"
#include "scars/reference_surface.h"

namespace scarscope {
namespace {

// Random heights (a slope plus noise of tens of µm), with missing points: scattered ones, whole
// columns at cell edges, and a patch reaching into the partial last cells.
HeightMap random_map(int nx, int ny, double spacing_um, std::uint32_t seed) {
  HeightMap map(nx, ny, spacing_um, spacing_um);
  Random rng(seed);
  const auto noise = [&] { return static_cast<float>(rng.gaussian(0.0, 25.0)); };
  const auto unit = [&] { return static_cast<float>(rng.uniform()); };
  for (int row = 0; row < ny; ++row)
    for (int col = 0; col < nx; ++col) {
      map.heights()[map.index(row, col)] = 300.0f + 0.8f * static_cast<float>(col) - 0.5f * static_cast<float>(row) + noise();
      if (unit() < 0.08f) map.set_missing(row, col);
    }
  return map;
}

TEST(ReferenceParts, BlockMeansEqualAPlainLoopWithMissingPointsAtCellEdgesAndPartialCells) {
  // 40 µm spacing, 200 µm cells: 5 x 5 points; 103 = 20 x 5 + 3 columns, 77 = 15 x 5 + 2 rows, so
  // the last column and row of cells are partial.
  HeightMap map = random_map(103, 77, 40.0, 7);
  for (int row = 0; row < map.ny(); ++row) {
    map.set_missing(row, 4);    // last column of cell 0
    map.set_missing(row, 5);    // first column of cell 1
    map.set_missing(row, 101);  // inside the partial last column of cells
  }
  for (int col = 0; col < map.nx(); ++col) map.set_missing(75, col);  // the partial last row of cells
  for (int row = 10; row < 15; ++row)                                  // a whole cell missing
    for (int col = 30; col < 35; ++col) map.set_missing(row, col);
  int nx = 0, ny = 0;
  std::vector<double> mean, fraction;
  detail::reference_block_means(map, 200.0, nx, ny, mean, fraction);
  ASSERT_EQ(nx, 21);
  ASSERT_EQ(ny, 16);
  ASSERT_EQ(mean.size(), 21u * 16u);
  int empty_cells = 0;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      double sum = 0.0;
      int valid = 0, points = 0;
      for (int row = j * 5; row < std::min(map.ny(), j * 5 + 5); ++row)
        for (int col = i * 5; col < std::min(map.nx(), i * 5 + 5); ++col) {
          ++points;
          if (!map.valid(row, col)) continue;
          sum += map.height(row, col);
          ++valid;
        }
      const std::size_t k = static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(i);
      if (valid == 0) {
        ++empty_cells;
        EXPECT_EQ(mean[k], 0.0);
        EXPECT_EQ(fraction[k], 0.0);
        continue;
      }
      EXPECT_NEAR(mean[k], sum / valid, 1e-4) << "cell " << i << ", " << j;  // float sums of <= 5 heights of ~300 µm
      EXPECT_DOUBLE_EQ(fraction[k], static_cast<double>(valid) / points) << "cell " << i << ", " << j;
    }
  EXPECT_EQ(empty_cells, 1);
}

TEST(ReferenceParts, BlockMeansCountCellsTallerThanSixteenBitsOfRows) {
  // A cell of 200 um at a 0.002 um row spacing is 100000 rows tall: its counts must not wrap.
  HeightMap map(2, 70000, 100.0, 0.002);
  for (int row = 0; row < map.ny(); ++row) {
    map.heights()[map.index(row, 0)] = 1.0f;
    map.heights()[map.index(row, 1)] = 3.0f;
  }
  for (int row = 0; row < 10000; ++row) map.set_missing(row, 1);
  int nx = 0, ny = 0;
  std::vector<double> mean, fraction;
  detail::reference_block_means(map, 200.0, nx, ny, mean, fraction);
  ASSERT_EQ(nx, 1);
  ASSERT_EQ(ny, 1);
  EXPECT_NEAR(mean[0], (70000.0 * 1.0 + 60000.0 * 3.0) / 130000.0, 1e-3);
  EXPECT_DOUBLE_EQ(fraction[0], 130000.0 / 140000.0);
}

TEST(ReferenceParts, MedianIsTheExactUpperMedian) {
  Random rng(3);
  const auto spread = [&] { return std::exp(rng.gaussian(1.0, 2.0)); };  // log-normal
  for (const std::size_t n : {1u, 2u, 3u, 10u, 1001u, 20000u, 70000u}) {  // (70000: past the selection by buckets)
    std::vector<double> values(n);
    for (double& v : values) v = spread();
    // Ties, zeros and values that share their exponent and top mantissa bits with the median.
    if (n > 10) {
      for (std::size_t i = 0; i < n / 10; ++i) values[i] = 0.0;
      for (std::size_t i = n / 10; i < n / 5; ++i) values[i] = 2.5;
      for (std::size_t i = n / 5; i < n / 5 + 50; ++i) values[i] = std::nextafter(2.5, 3.0) + 1e-12 * static_cast<double>(i);
    }
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(detail::upper_median(values), sorted[n / 2]) << n << " values";
  }
  std::vector<double> none;
  EXPECT_EQ(detail::upper_median(none), 0.0);
}

TEST(ReferenceParts, SubtractionEqualsAPlainBilinearEvaluation) {
  // Cells of 4 x 3 points over 37 x 26 points: partial last cells both ways (1 column, 2 rows);
  // also grids of one cell row and one cell column (the interpolation degenerates to a line).
  struct Case {
    int nx, ny, fx, fy;
  };
  for (const Case c : {Case{37, 26, 4, 3}, Case{37, 2, 4, 3}, Case{3, 26, 4, 3}, Case{50, 40, 1, 1}}) {
    const int cx = (c.nx + c.fx - 1) / c.fx, cy = (c.ny + c.fy - 1) / c.fy;
    Random rng(static_cast<std::uint64_t>(c.nx * 100 + c.ny));
    const auto level = [&] { return static_cast<float>(rng.uniform(-400.0, 400.0)); };
    std::vector<float> reference(static_cast<std::size_t>(cx) * static_cast<std::size_t>(cy));
    for (float& r : reference) r = level();
    HeightMap map(c.nx, c.ny, 20.0, 20.0);
    for (int row = 0; row < c.ny; ++row)
      for (int col = 0; col < c.nx; ++col) map.heights()[map.index(row, col)] = level();
    map.set_missing(0, 0);
    map.set_missing(c.ny - 1, c.nx - 1);
    map.set_missing(c.ny / 2, c.nx / 2);
    HeightMap before = map.clone();
    detail::subtract_cell_bilinear(map, reference.data(), cx, cy, c.fx, c.fy);
    auto at = [&](int j, int i) { return static_cast<double>(reference[static_cast<std::size_t>(j) * static_cast<std::size_t>(cx) + static_cast<std::size_t>(i)]); };
    double worst = 0.0;
    for (int row = 0; row < c.ny; ++row)
      for (int col = 0; col < c.nx; ++col) {
        if (!before.valid(row, col)) {
          EXPECT_TRUE(std::isnan(map.height(row, col)));
          continue;
        }
        // Cell coordinates of the point, held at the outer centres.
        const double u = std::clamp((col - (c.fx - 1) / 2.0) / c.fx, 0.0, cx - 1.0);
        const double v = std::clamp((row - (c.fy - 1) / 2.0) / c.fy, 0.0, cy - 1.0);
        const int i0 = std::min(static_cast<int>(u), std::max(0, cx - 2)), i1 = std::min(i0 + 1, cx - 1);
        const int j0 = std::min(static_cast<int>(v), std::max(0, cy - 2)), j1 = std::min(j0 + 1, cy - 1);
        const double t = u - i0, s = v - j0;
        const double expected = (1 - s) * ((1 - t) * at(j0, i0) + t * at(j0, i1)) + s * ((1 - t) * at(j1, i0) + t * at(j1, i1));
        const double got = before.height(row, col) - map.height(row, col);
        worst = std::max(worst, std::abs(got - expected));
      }
    EXPECT_LT(worst, 2e-4) << c.nx << " x " << c.ny;  // float arithmetic on levels of +-400 µm
  }
}

TEST(ReferenceParts, ReferenceOfAPlaneWithWholeCellsMissingIsThePlane) {
  // A tilted plane (block means of a plane are the plane at the cells' centres, and bilinear
  // interpolation of a plane is the plane): the relief is zero inside the outer half cells
  // wherever the data is, whole missing cells included.
  HeightMap map(203, 151, 40.0, 40.0);  // 8.1 x 6.0 mm, 5 x 5-point cells, partial last cells
  for (int row = 0; row < map.ny(); ++row)
    for (int col = 0; col < map.nx(); ++col)
      map.heights()[map.index(row, col)] = static_cast<float>(100.0 + 0.5 * col - 0.3 * row);
  for (int row = 50; row < 60; ++row)
    for (int col = 100; col < 115; ++col) map.set_missing(row, col);
  subtract_reference_surface(map, ReferenceSettings{});
  double worst = 0.0;
  for (int row = 3; row < map.ny() - 3; ++row)
    for (int col = 3; col < map.nx() - 5; ++col) {
      if (!map.valid(row, col)) {
        EXPECT_TRUE(std::isnan(map.height(row, col)));
        continue;
      }
      worst = std::max(worst, static_cast<double>(std::abs(map.height(row, col))));
    }
  EXPECT_LT(worst, 0.01);  // µm, of a plane spanning 145 µm
}

// Unknown points as a scar's fill has them (a disc, a neighbour's patch reaching the grid's edge)
// plus scattered ones, also on the grid's edges; known points hold a relief with noise.
struct FillCase {
  int w, h;
  std::vector<float> values;
  std::vector<std::uint8_t> unknown;
};
FillCase fill_case(int w, int h, std::uint32_t seed) {
  FillCase c{w, h, std::vector<float>(static_cast<std::size_t>(w) * static_cast<std::size_t>(h)),
             std::vector<std::uint8_t>(static_cast<std::size_t>(w) * static_cast<std::size_t>(h))};
  Random rng(seed);
  const double radius = 0.35 * std::min(w, h);
  for (int row = 0; row < h; ++row)
    for (int col = 0; col < w; ++col) {
      const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col);
      const bool disc = std::hypot(col - 0.5 * w, row - 0.45 * h) < radius;
      const bool patch = col > w - 4 && row < h / 3;
      c.unknown[i] = disc || patch || rng.uniform() < 0.05 ? 1 : 0;
      c.values[i] = static_cast<float>(40.0 * std::sin(0.2 * col) + 0.7 * row + rng.gaussian(0.0, 5.0));
    }
  return c;
}

TEST(MeasurementParts, HarmonicFillVectorisedGivesThePortableBits) {
  // Sizes around the coarsest level (12), the vector width (8) and the level that relaxes 8 times
  // (48 x 48), odd and even, with anisotropic spacing.
  const int sizes[][2] = {{5, 7}, {12, 12}, {13, 9}, {17, 30}, {31, 31}, {48, 48}, {49, 50}, {64, 37}, {90, 131}};
  std::uint32_t seed = 1;
  for (const auto& size : sizes) {
    for (const double dy : {20.0, 33.0}) {
      FillCase c = fill_case(size[0], size[1], seed++);
      std::vector<float> portable = c.values, vectorised = c.values;
      detail::harmonic_fill(portable, c.unknown, c.w, c.h, 20.0, dy, false);
      detail::harmonic_fill(vectorised, c.unknown, c.w, c.h, 20.0, dy, true);
      EXPECT_EQ(std::memcmp(portable.data(), vectorised.data(), portable.size() * sizeof(float)), 0)
          << c.w << " x " << c.h << ", dy " << dy;
      std::size_t changed = 0;
      for (std::size_t i = 0; i < portable.size(); ++i) {
        if (!c.unknown[i]) {
          EXPECT_EQ(portable[i], c.values[i]);  // known points are held
        }
        changed += c.unknown[i] && portable[i] != c.values[i];
      }
      EXPECT_GT(changed, 0u) << c.w << " x " << c.h;
    }
  }
}

TEST(MeasurementParts, HarmonicFillRecoversAHarmonicFunctionAcrossAHole) {
  // x^2 - y^2 plus a tilt is harmonic: filled in across a disc from its surroundings, it comes back
  // (to the loose tolerance the multigrid is built for: 0.65 um measured on a 250 um span).
  for (const bool vectorised : {false, true}) {
    const int w = 120, h = 100;
    std::vector<float> truth(static_cast<std::size_t>(w) * h), values(truth.size());
    std::vector<std::uint8_t> unknown(truth.size());
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        const std::size_t i = static_cast<std::size_t>(row) * w + static_cast<std::size_t>(col);
        const double x = (col - 60) / 60.0, y = (row - 50) / 60.0;
        truth[i] = static_cast<float>(100.0 * (x * x - y * y) + 30.0 * x - 20.0 * y);
        unknown[i] = std::hypot(col - 60.0, row - 50.0) < 40.0;
        values[i] = unknown[i] ? 0.0f : truth[i];
      }
    detail::harmonic_fill(values, unknown, w, h, 20.0, 20.0, vectorised);
    double worst = 0.0;
    for (std::size_t i = 0; i < truth.size(); ++i) worst = std::max(worst, static_cast<double>(std::abs(values[i] - truth[i])));
    EXPECT_LT(worst, 1.0) << (vectorised ? "vectorised" : "portable");
  }
}

}  // namespace
}  // namespace scarscope
