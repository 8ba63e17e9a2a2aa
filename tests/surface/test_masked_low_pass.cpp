// The one masked (normalised-convolution) low-pass: missing points neither count nor pull the
// result towards zero, the grid's edge is estimated from the points that exist, there is no
// estimate where no data is within reach, and the incremental form (points held out) agrees with
// the one-shot form.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"
#include "surface/masked_low_pass.h"

namespace scarscope {
namespace {

struct Field {
  int nx, ny;
  std::vector<float> weighted, weights;
};

// z(row, col) with weight 1 where `valid` says, 0 elsewhere.
template <class Z, class Valid>
Field field(int nx, int ny, Z&& z, Valid&& valid) {
  Field f{nx, ny, std::vector<float>(static_cast<std::size_t>(nx * ny)), std::vector<float>(static_cast<std::size_t>(nx * ny))};
  for (int r = 0; r < ny; ++r)
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * nx + c);
      const bool ok = valid(r, c);
      f.weights[i] = ok ? 1.0f : 0.0f;
      f.weighted[i] = ok ? static_cast<float>(z(r, c)) : 0.0f;
    }
  return f;
}

std::vector<float> one_shot(const Field& f, double sigma, float min_weight) {
  std::vector<float> out(f.weighted.size());
  masked_low_pass(f.weighted.data(), f.weights.data(), f.nx, f.ny, sigma, sigma, min_weight, out.data());
  return out;
}

TEST(MaskedLowPass, ACoarseGridOnlyForWideSigmas) {
  EXPECT_EQ(plan_masked_low_pass(100, 80, 3.0, 3.0).factor, 1);
  const LowPassGrid grid = plan_masked_low_pass(100, 80, 15.0, 20.0);
  EXPECT_EQ(grid.factor, 3);
  EXPECT_EQ(grid.coarse_nx, 34);
  EXPECT_EQ(grid.coarse_ny, 27);
  EXPECT_DOUBLE_EQ(grid.coarse_sigma_x, 5.0);
  // An absurd sigma still gives a usable grid (one coarse cell), never an overflow.
  const LowPassGrid huge = plan_masked_low_pass(10, 10, 1e300, 1e300);
  EXPECT_EQ(huge.coarse_nx, 1);
  EXPECT_EQ(huge.coarse_ny, 1);
}

TEST(MaskedLowPass, AConstantSurfaceWithHolesStaysConstantUpToItsEdges) {
  for (const double sigma : {2.0, 13.0}) {  // direct and on a coarse grid
    const Field f = field(90, 70, [](int, int) { return 42.0; },
                          [](int r, int c) { return !((r - 35) * (r - 35) + (c - 45) * (c - 45) < 25) && (r + c) % 7 != 0; });
    const std::vector<float> low = one_shot(f, sigma, 0.02f);
    for (int r = 0; r < f.ny; ++r)
      for (int c = 0; c < f.nx; ++c) ASSERT_NEAR(low[static_cast<std::size_t>(r * f.nx + c)], 42.0f, 1e-3f) << sigma << " " << r << "," << c;
  }
}

TEST(MaskedLowPass, NoEstimateWhereNoDataIsWithinReach) {
  // Data only in the left tenth of a long strip: far to the right the low-pass is 0, not 42.
  const Field f = field(400, 20, [](int, int) { return 42.0; }, [](int, int c) { return c < 40; });
  const std::vector<float> low = one_shot(f, 5.0, 0.02f);
  EXPECT_NEAR(low[static_cast<std::size_t>(10 * 400 + 20)], 42.0f, 1e-3f);
  EXPECT_EQ(low[static_cast<std::size_t>(10 * 400 + 399)], 0.0f);
}

TEST(MaskedLowPass, AStepIsSmoothedSymmetrically) {
  // A step from 0 to 10 across the middle column: the low-pass at the step is half-way, and it
  // approaches each side's level away from it.
  const Field f = field(200, 40, [](int, int c) { return c < 100 ? 0.0 : 10.0; }, [](int, int) { return true; });
  const std::vector<float> low = one_shot(f, 6.0, 0.02f);
  const auto at = [&](int c) { return low[static_cast<std::size_t>(20 * 200 + c)]; };
  EXPECT_NEAR(0.5f * (at(99) + at(100)), 5.0f, 0.05f);
  EXPECT_NEAR(at(20), 0.0f, 0.01f);
  EXPECT_NEAR(at(180), 10.0f, 0.01f);
  EXPECT_LT(at(90), at(95));
}

TEST(MaskedLowPass, IncrementalSumsAgreeWithTheOneShotForm) {
  // Sizes that are not multiples of the coarse factor (the last coarse cells are partial).
  Random random(9);
  const int nx = 131, ny = 97;
  const double sigma = 14.0;
  Field f = field(nx, ny, [&](int r, int c) { return 30.0 * std::sin(c / 17.0) + 0.2 * r + random.gaussian(); },
                  [&](int r, int c) { return (r * 31 + c * 17) % 11 != 0; });
  const LowPassGrid grid = plan_masked_low_pass(nx, ny, sigma, sigma);
  ASSERT_GT(grid.factor, 1);
  MaskedLowPassSums sums(grid);
  for (int r = 0; r < ny; ++r)
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * nx + c);
      if (f.weights[i] > 0.0f) sums.add(r, c, f.weighted[i], f.weights[i]);
    }
  const auto compare = [&](const Field& data, const MaskedLowPassSums& s) {
    const std::vector<float> expected = one_shot(data, sigma, 0.02f);
    const std::vector<float> coarse = s.coarse_low_pass(0.02f);
    for (int r = 0; r < ny; ++r)
      for (int c = 0; c < nx; ++c)
        ASSERT_NEAR(s.sample(coarse, r, c), expected[static_cast<std::size_t>(r * nx + c)], 2e-3f) << r << "," << c;
  };
  compare(f, sums);
  // Hold out a block of points: the same as the one-shot form without them.
  for (int r = 40; r < 60; ++r)
    for (int c = 70; c < 100; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * nx + c);
      if (f.weights[i] == 0.0f) continue;
      sums.add(r, c, -f.weighted[i], -f.weights[i]);
      f.weighted[i] = 0.0f;
      f.weights[i] = 0.0f;
    }
  compare(f, sums);
}

}  // namespace
}  // namespace scarscope
