// Harmonic hole filling: holes in a scan are filled with the smoothest surface that meets their
// surroundings, and a scar region is rebuilt from its rim as the skin it replaced. Harmonic
// functions (a plane, x^2 - y^2) solve the discrete equation exactly, so they must come back.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/random.h"
#include "core/error.h"
#include "surface/fill.h"
#include "surface/height_map.h"

using scarscope::Random;
using scarscope::fill_missing;
using scarscope::harmonic_fill;
using scarscope::harmonic_filled;
using scarscope::HeightMap;
using scarscope::InputError;

namespace {

using Surface = std::function<double(double x_um, double y_um)>;

HeightMap map_of(const Surface& z, int nx, int ny, double dx, double dy) {
  HeightMap map(nx, ny, dx, dy);
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) map.set(r, c, static_cast<float>(z(c * dx, r * dy)));
  }
  return map;
}

// Largest |filled - truth| over the points that were missing, `margin` points or more from the edge.
double worst_error(const HeightMap& filled, const std::vector<std::uint8_t>& was_missing, const Surface& z,
                   int margin = 0) {
  double worst = 0.0;
  for (int r = margin; r < filled.ny() - margin; ++r) {
    for (int c = margin; c < filled.nx() - margin; ++c) {
      if (!was_missing[filled.index(r, c)]) continue;
      worst = std::max(worst, std::fabs(filled.height(r, c) - z(c * filled.dx_um(), r * filled.dy_um())));
    }
  }
  return worst;
}

// Removes a disk of `radius` points around (row, col); returns which points it removed.
std::vector<std::uint8_t> punch_disk(HeightMap& map, int row, int col, int radius) {
  std::vector<std::uint8_t> removed(map.size(), 0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if ((r - row) * (r - row) + (c - col) * (c - col) <= radius * radius) {
        map.set_missing(r, c);
        removed[map.index(r, c)] = 1;
      }
    }
  }
  return removed;
}

}  // namespace

TEST(HoleFilling, HoleInAPlaneIsFilledWithThePlane) {
  const Surface plane = [](double x, double y) { return 40.0 + 0.05 * x - 0.02 * y; };
  HeightMap map = map_of(plane, 200, 180, 10.0, 10.0);
  const std::vector<std::uint8_t> hole = punch_disk(map, 90, 100, 60);  // 1.2 mm across
  fill_missing(map);
  EXPECT_EQ(map.valid_count(), map.size());
  // The plane spans 40..140 um here; 1e-3 um is 1e-5 of that.
  EXPECT_LT(worst_error(map, hole, plane), 1e-3);
}

TEST(HoleFilling, HarmonicSaddleIsReproducedInsideALargeHole) {
  // z = (x^2 - y^2) / 1000 with x, y in um about the centre: harmonic, range about +-250 um here,
  // with unequal spacing so the physical (not pixel) Laplacian must be used.
  const double dx = 5.0, dy = 8.0;
  const Surface saddle = [](double x, double y) {
    const double u = x - 500.0, v = y - 500.0;
    return (u * u - v * v) / 1000.0;
  };
  HeightMap map = map_of(saddle, 201, 126, dx, dy);
  // An elliptic hole 600 um x 560 um (121 x 71 points).
  std::vector<std::uint8_t> hole(map.size(), 0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      const double u = (c * dx - 500.0) / 300.0, v = (r * dy - 500.0) / 280.0;
      if (u * u + v * v <= 1.0) {
        map.set_missing(r, c);
        hole[map.index(r, c)] = 1;
      }
    }
  }
  fill_missing(map);
  EXPECT_LT(worst_error(map, hole, saddle), 0.01) << "0.01 um of a 250 um relief";
}

TEST(HoleFilling, ScatteredDropoutsAcrossAWholeScanAreFilled) {
  // 10 % of the points missing at random, plus a few blobs, on a smooth harmonic surface.
  const Surface surface = [](double x, double y) {
    return 20.0 * std::exp(x / 2000.0) * std::cos(y / 2000.0) + 0.01 * x;
  };
  HeightMap map = map_of(surface, 400, 300, 10.0, 10.0);
  Random random(1);
  const auto drop = [&] { return random.chance(0.1); };
  std::vector<std::uint8_t> missing(map.size(), 0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (drop()) {
        map.set_missing(r, c);
        missing[map.index(r, c)] = 1;
      }
    }
  }
  for (const auto& [row, col] : {std::pair{50, 60}, std::pair{200, 300}, std::pair{150, 200}}) {
    const std::vector<std::uint8_t> blob = punch_disk(map, row, col, 25);
    for (std::size_t i = 0; i < blob.size(); ++i) missing[i] |= blob[i];
  }
  fill_missing(map);
  EXPECT_EQ(map.valid_count(), map.size());
  for (std::size_t i = 0; i < map.size(); ++i) ASSERT_TRUE(std::isfinite(map.heights()[i]));
  // e^(x/L) cos(y/L) is harmonic; the grid Laplacian is off by (h/L)^2/12 of it: tiny. At the
  // edge of the scan nothing is known beyond, so a missing edge point takes its neighbours'
  // level (zero slope across the edge): exact only away from the edge.
  EXPECT_LT(worst_error(map, missing, surface, 3), 0.01);
  EXPECT_LT(worst_error(map, missing, surface), 1.0) << "edge points: within one slope step (0.85 um)";
}

TEST(HoleFilling, ScarRegionIsRebuiltFromItsRim) {
  // Skin: a gentle tilted plane. Scar: a 400 um deep pit inside the region. The region fill must
  // give back the skin under the scar and touch nothing outside the region's box.
  const int nx = 150, ny = 120;
  const Surface skin = [](double x, double y) { return 0.03 * x + 0.01 * y; };
  std::vector<float> heights(static_cast<std::size_t>(nx) * ny);
  std::vector<std::uint8_t> region(heights.size(), 0);
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * nx + c;
      const double d2 = (c - 70.0) * (c - 70.0) + (r - 60.0) * (r - 60.0);
      heights[i] = static_cast<float>(skin(c * 20.0, r * 20.0) - 400.0 * std::exp(-d2 / 50.0));
      region[i] = d2 <= 20.0 * 20.0 ? 1 : 0;
    }
  }
  heights[static_cast<std::size_t>(60) * nx + 70] = std::nanf("");  // floor not seen by the scanner
  const std::vector<float> before = heights;
  const std::vector<float> rebuilt = harmonic_filled(heights.data(), region.data(), nx, ny, 20.0, 20.0);
  double worst = 0.0;
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * nx + c;
      if (region[i]) {
        worst = std::max(worst, std::fabs(rebuilt[i] - skin(c * 20.0, r * 20.0)));
      } else if (r < 39 || r > 81 || c < 49 || c > 91) {
        ASSERT_EQ(rebuilt[i], before[i]) << "outside the box, row " << r << " col " << c;
      }
    }
  }
  // The rim still carries the pit's tail (exp(-400/50) * 400 um = 0.13 um), so the skin comes
  // back to within that.
  EXPECT_LT(worst, 0.15);

  // In place gives the same.
  harmonic_fill(heights.data(), region.data(), nx, ny, 20.0, 20.0);
  EXPECT_EQ(heights, rebuilt);
}

TEST(HoleFilling, NothingToFillFromIsAnInputError) {
  HeightMap map(8, 8, 1.0, 1.0);
  for (int r = 0; r < 8; ++r) {
    for (int c = 0; c < 8; ++c) map.set_missing(r, c);
  }
  EXPECT_THROW(fill_missing(map), InputError);

  std::vector<float> heights(64, 1.0f);
  std::vector<std::uint8_t> everything(64, 1);
  EXPECT_THROW(harmonic_fill(heights.data(), everything.data(), 8, 8), InputError);
  EXPECT_THROW(harmonic_fill(heights.data(), everything.data(), 8, 8, 0.0, 1.0), InputError);

  std::vector<std::uint8_t> nothing(64, 0);
  harmonic_fill(heights.data(), nothing.data(), 8, 8);
  EXPECT_EQ(heights, std::vector<float>(64, 1.0f)) << "an empty region changes nothing";
}

TEST(HoleFilling, FullMapIsLeftAsItIs) {
  HeightMap map(5, 4, 1.0, 1.0);
  map.set(1, 1, 3.0f);
  fill_missing(map);
  EXPECT_EQ(map.height(1, 1), 3.0f);
  EXPECT_EQ(map.height(0, 0), 0.0f);
}
