// harmonic_fill_to: the harmonic fill stopped at a tolerance in micrometres (what scar measurement
// needs: a fraction of a micrometre is far below skin noise), which leaves a region with nothing
// known around it unfilled instead of throwing. A harmonic function (x^2 - y^2 solves the
// discrete equation exactly, at any spacing) must come back to within a few tolerances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/error.h"
#include "surface/fill.h"

using scarscope::harmonic_fill_to;
using scarscope::InputError;

namespace {

struct Case {
  int nx = 160, ny = 120;
  double dx = 10.0, dy = 15.0;  // um
  std::vector<float> truth, heights;
  std::vector<std::uint8_t> region;
};

// Saddle (x^2 - y^2) / 1000 um (about 2 mm of relief over the grid), with a disk of `radius`
// points and a rectangle hole (region) in it, plus a few NaN points inside the disk's box.
Case saddle_with_holes(int radius) {
  Case k;
  const std::size_t n = static_cast<std::size_t>(k.nx) * k.ny;
  k.truth.resize(n);
  k.region.assign(n, 0);
  for (int r = 0; r < k.ny; ++r) {
    for (int c = 0; c < k.nx; ++c) {
      const double x = (c - 70) * k.dx, y = (r - 50) * k.dy;
      const std::size_t i = static_cast<std::size_t>(r) * k.nx + c;
      k.truth[i] = static_cast<float>((x * x - y * y) / 1000.0);
      const bool disk = (r - 55) * (r - 55) + (c - 60) * (c - 60) <= radius * radius;
      const bool rectangle = r >= 20 && r < 30 && c >= 100 && c < 140;
      k.region[i] = disk || rectangle ? 1 : 0;
    }
  }
  k.heights = k.truth;
  for (std::size_t i = 0; i < n; ++i) {
    if (k.region[i]) k.heights[i] = 5000.0f;  // whatever was there (a scar) must not matter
  }
  k.heights[static_cast<std::size_t>(55 - radius - 1) * k.nx + 60] = std::numeric_limits<float>::quiet_NaN();
  return k;
}

double worst_error(const Case& k) {
  double worst = 0.0;
  for (std::size_t i = 0; i < k.truth.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::fabs(k.heights[i] - k.truth[i])));
  }
  return worst;
}

}  // namespace

TEST(HarmonicFillTo, SaddleComesBackWithinAFewTolerances) {
  for (const double tolerance : {0.02, 0.001}) {
    Case k = saddle_with_holes(30);
    ASSERT_TRUE(harmonic_fill_to(k.heights.data(), k.region.data(), k.nx, k.ny, k.dx, k.dy, tolerance));
    // Every point is finite now: the region and the NaN inside the box were filled.
    for (const float h : k.heights) ASSERT_TRUE(std::isfinite(h));
    EXPECT_LT(worst_error(k), 10.0 * tolerance + 1e-3) << "tolerance " << tolerance;
  }
}

TEST(HarmonicFillTo, TighterToleranceGivesASmallerError) {
  Case loose = saddle_with_holes(30);
  Case tight = saddle_with_holes(30);
  ASSERT_TRUE(harmonic_fill_to(loose.heights.data(), loose.region.data(), loose.nx, loose.ny, loose.dx, loose.dy, 0.5));
  ASSERT_TRUE(
      harmonic_fill_to(tight.heights.data(), tight.region.data(), tight.nx, tight.ny, tight.dx, tight.dy, 1e-3));
  EXPECT_LT(worst_error(tight), 0.02);
  EXPECT_LE(worst_error(tight), worst_error(loose));
}

TEST(HarmonicFillTo, PointsOutsideTheRegionAreNotChanged) {
  Case k = saddle_with_holes(20);
  const std::vector<float> before = k.heights;
  ASSERT_TRUE(harmonic_fill_to(k.heights.data(), k.region.data(), k.nx, k.ny, k.dx, k.dy, 0.02));
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (k.region[i] || !std::isfinite(before[i])) continue;
    ASSERT_EQ(k.heights[i], before[i]) << "point " << i;
  }
}

TEST(HarmonicFillTo, NothingToFillFromReturnsFalseAndLeavesTheHeights) {
  const int nx = 12, ny = 9;
  std::vector<float> heights(static_cast<std::size_t>(nx) * ny, 3.0f);
  heights[5] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> before = heights;
  const std::vector<std::uint8_t> everything(heights.size(), 1);
  EXPECT_FALSE(harmonic_fill_to(heights.data(), everything.data(), nx, ny, 10.0, 10.0, 0.02));
  for (std::size_t i = 0; i < heights.size(); ++i) {
    if (i == 5) {
      EXPECT_TRUE(std::isnan(heights[i]));
    } else {
      EXPECT_EQ(heights[i], before[i]);
    }
  }
  // All known points outside the region's box, all missing inside it: nothing to fill from either.
  std::vector<float> partly(heights.size(), 1.0f);
  std::vector<std::uint8_t> corner(heights.size(), 0);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * nx + c;
      if (r < 2 && c < 2) {
        corner[i] = 1;  // the region: rows 0-1, columns 0-1; its box reaches row 2 and column 2
      } else {
        partly[i] = std::numeric_limits<float>::quiet_NaN();
      }
    }
  }
  EXPECT_FALSE(harmonic_fill_to(partly.data(), corner.data(), nx, ny, 10.0, 10.0, 0.02));
  EXPECT_TRUE(std::isnan(partly[2]));
}

TEST(HarmonicFillTo, EmptyRegionIsNothingToDo) {
  const int nx = 7, ny = 5;
  std::vector<float> heights(static_cast<std::size_t>(nx) * ny, 2.0f);
  const std::vector<std::uint8_t> none(heights.size(), 0);
  EXPECT_TRUE(harmonic_fill_to(heights.data(), none.data(), nx, ny, 10.0, 10.0, 0.02));
  for (const float h : heights) EXPECT_EQ(h, 2.0f);
}

TEST(HarmonicFillTo, BadToleranceOrSpacingIsAnInputError) {
  std::vector<float> heights(16, 1.0f);
  std::vector<std::uint8_t> region(16, 0);
  region[5] = 1;
  EXPECT_THROW(harmonic_fill_to(heights.data(), region.data(), 4, 4, 10.0, 10.0, 0.0), InputError);
  EXPECT_THROW(harmonic_fill_to(heights.data(), region.data(), 4, 4, 10.0, 10.0, std::nan("")), InputError);
  EXPECT_THROW(harmonic_fill_to(heights.data(), region.data(), 4, 4, -1.0, 10.0, 0.02), InputError);
  EXPECT_THROW(harmonic_fill_to(heights.data(), region.data(), 0, 4, 10.0, 10.0, 0.02), InputError);
}
