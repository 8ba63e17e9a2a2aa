// The analysis's building blocks against plain reference implementations: flooding (which
// carries each point's depth in its flooding order and fetches neighbours ahead), the 16-bit
// closing and opening against OpenCV's float ones, the filling of
// missing patches (found with memchr, including at the map's very first and last points) and the
// reference surface's weighted polynomial (normal equations summed as dot products of rows).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/random.h"
#include "analytic_skin.h"
#include "scars/analysis.h"
#include "scars/detection.h"
#include "scars/reference_surface.h"

namespace scarscope {
namespace {

// Flooding as the detection documents it, written plainly: points deeper than the rim in
// 0.25 µm buckets, deepest first (row-major within a bucket); a point joins the deepest
// neighbouring basin; a shallower neighbouring basin merges into it when it is a minor
// undulation (dynamic below max(min, relative x its depth)) above a high saddle.
struct PlainFlood {
  std::vector<int> parent;
  std::vector<float> peak;
  int find(int b) const {
    while (parent[static_cast<std::size_t>(b)] != b) b = parent[static_cast<std::size_t>(b)];
    return b;
  }
};

std::vector<int> plain_flood(const std::vector<float>& relief, float sign, int nx, int ny, const DetectionSettings& s,
                             PlainFlood& basins) {
  const float rim = static_cast<float>(s.rim_depth_um);
  std::vector<int> basin_of(relief.size(), -1);
  std::vector<std::pair<long, int>> order;  // (bucket from the deepest, index)
  float deepest = rim;
  for (const float z : relief) deepest = std::max(deepest, -sign * z);
  const long buckets = static_cast<long>((deepest - rim) / 0.25f) + 2;
  for (int i = 0; i < static_cast<int>(relief.size()); ++i) {
    const float d = -sign * relief[static_cast<std::size_t>(i)];
    if (d > rim) order.push_back({buckets - 1 - static_cast<long>((d - rim) / 0.25f), i});
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [bucket, index] : order) {
    const float level = -sign * relief[static_cast<std::size_t>(index)];
    std::vector<int> roots;
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) {
        const int r = index / nx + dr, c = index % nx + dc;
        if ((dr == 0 && dc == 0) || r < 0 || r >= ny || c < 0 || c >= nx) continue;
        const int b = basin_of[static_cast<std::size_t>(r * nx + c)];
        if (b < 0) continue;
        const int root = basins.find(b);
        if (std::find(roots.begin(), roots.end(), root) == roots.end()) roots.push_back(root);
      }
    if (roots.empty()) {
      basins.parent.push_back(static_cast<int>(basins.parent.size()));
      basins.peak.push_back(level);
      basin_of[static_cast<std::size_t>(index)] = basins.parent.back();
      continue;
    }
    int main = roots[0];
    for (const int r : roots)
      if (basins.peak[static_cast<std::size_t>(r)] > basins.peak[static_cast<std::size_t>(main)]) main = r;
    for (const int other : roots) {
      if (other == main) continue;
      const float other_peak = basins.peak[static_cast<std::size_t>(other)];
      const bool minor = other_peak - level <
                         std::max(static_cast<float>(s.split_min_dynamic_um), static_cast<float>(s.split_relative_dynamic) * other_peak);
      const bool high = level >= static_cast<float>(s.merge_min_saddle_fraction) * basins.peak[static_cast<std::size_t>(main)];
      if (minor && high) basins.parent[static_cast<std::size_t>(other)] = main;
    }
    basin_of[static_cast<std::size_t>(index)] = main;
  }
  return basin_of;
}

// A rough random relief (µm) with a few pits and bumps of various depths, some touching.
std::vector<float> random_relief(int nx, int ny, unsigned seed) {
  Random rng(seed);
  const auto noise = [&] { return static_cast<float>(rng.gaussian(0.0, 6.0)); };
  const auto uniform = [&] { return static_cast<float>(rng.uniform()); };
  std::vector<float> z(static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
  for (float& v : z) v = noise();
  for (int k = 0; k < 14; ++k) {
    const float cx = uniform() * nx, cy = uniform() * ny, radius = 2.0f + 8.0f * uniform();
    const float amplitude = (k % 4 == 3 ? 1.0f : -1.0f) * (20.0f + 180.0f * uniform());
    for (int row = 0; row < ny; ++row)
      for (int col = 0; col < nx; ++col) {
        const float r2 = ((col - cx) * (col - cx) + (row - cy) * (row - cy)) / (radius * radius);
        z[static_cast<std::size_t>(row * nx + col)] += amplitude * std::exp(-r2);
      }
  }
  return z;
}

TEST(DetectionParts, FloodingMatchesAPlainImplementationOnRandomMaps) {
  const DetectionSettings settings;
  int candidates_seen = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const int nx = 57 + static_cast<int>(seed) * 7, ny = 43 + static_cast<int>(seed) * 5;
    // One relief for both, as detection's closed and opened reliefs never both pass the rim at a point.
    const std::vector<float> depressions = random_relief(nx, ny, seed);
    const std::vector<float>& elevations = depressions;
    const Segmentation segmentation = segment_relief(depressions.data(), elevations.data(), nx, ny, settings);

    PlainFlood down, up;
    const std::vector<int> down_of = plain_flood(depressions, 1.0f, nx, ny, settings, down);
    const std::vector<int> up_of = plain_flood(elevations, -1.0f, nx, ny, settings, up);
    // Every point's candidate: the root of its basin if that reaches the seed depth (height), in
    // the order segment_relief numbers them (depression roots by basin id, then elevation roots).
    std::vector<int> label_of_down(down.parent.size(), 0), label_of_up(up.parent.size(), 0);
    int next = 0;
    for (std::size_t b = 0; b < down.parent.size(); ++b)
      if (down.find(static_cast<int>(b)) == static_cast<int>(b) && down.peak[b] >= settings.seed_depth_um) label_of_down[b] = ++next;
    for (std::size_t b = 0; b < up.parent.size(); ++b)
      if (up.find(static_cast<int>(b)) == static_cast<int>(b) && up.peak[b] >= settings.seed_height_um) label_of_up[b] = ++next;
    ASSERT_EQ(static_cast<int>(segmentation.candidates.size()), next) << "seed " << seed;
    candidates_seen += next;
    for (std::size_t i = 0; i < depressions.size(); ++i) {
      int expected = 0;
      if (down_of[i] >= 0) expected = label_of_down[static_cast<std::size_t>(down.find(down_of[i]))];
      if (expected == 0 && down_of[i] < 0 && up_of[i] >= 0) expected = label_of_up[static_cast<std::size_t>(up.find(up_of[i]))];
      ASSERT_EQ(segmentation.labels[i], expected) << "seed " << seed << ", point " << i;
    }
    for (const CandidateRegion& c : segmentation.candidates) {
      const float at_peak = c.elevation ? elevations[static_cast<std::size_t>(c.peak_index)]
                                        : -depressions[static_cast<std::size_t>(c.peak_index)];
      EXPECT_EQ(c.peak, at_peak);
      EXPECT_GE(c.points, 1);
    }
  }
  EXPECT_GE(candidates_seen, 12);  // the maps do hold pits and bumps to find
}

// The 16-bit closing / opening (hand-made segment morphology) against OpenCV's float one: each
// result must be the float result rounded to the step, so within half a step of it.
void expect_close_and_open_like_float(const std::vector<float>& relief, int nx, int ny, double dx_um, double dy_um,
                                      double expected_step, const char* what) {
  std::vector<float> closed(relief.size()), opened(relief.size());
  const double step = close_and_open(relief.data(), nx, ny, dx_um, dy_um, 300.0, closed.data(), opened.data());
  EXPECT_EQ(step, expected_step) << what;
  const std::vector<float> closed_float = without_narrow_features(relief.data(), nx, ny, dx_um, dy_um, 300.0, false);
  const std::vector<float> opened_float = without_narrow_features(relief.data(), nx, ny, dx_um, dy_um, 300.0, true);
  double worst = 0.0;
  int changed = 0;  // points the closing or opening moved: the comparison is not of the relief with itself
  for (std::size_t i = 0; i < relief.size(); ++i) {
    const double tolerance = 0.5 * step + 1e-6 * std::abs(closed_float[i]) + 1e-6 * std::abs(opened_float[i]);
    ASSERT_NEAR(closed[i], closed_float[i], tolerance) << what << ", closed, point " << i;
    ASSERT_NEAR(opened[i], opened_float[i], tolerance) << what << ", opened, point " << i;
    worst = std::max({worst, std::abs(static_cast<double>(closed[i]) - closed_float[i]),
                      std::abs(static_cast<double>(opened[i]) - opened_float[i])});
    changed += closed_float[i] > relief[i] + 1.0f || opened_float[i] < relief[i] - 1.0f;
  }
  if (step == 0.0) {
    EXPECT_EQ(worst, 0.0) << what;  // the float fallback is OpenCV's float morphology itself
  }
  EXPECT_GT(changed, static_cast<int>(relief.size() / 4)) << what;
}

TEST(DetectionParts, SixteenBitClosingAndOpeningEqualTheFloatOnesWithinHalfAStep) {
  // 30 µm cells: an 11 x 11 ellipse; 30 x 40 µm: 11 x 7 (not square); 25 µm: 13 x 13; 40 µm: 9 x 9.
  expect_close_and_open_like_float(random_relief(157, 123, 11), 157, 123, 30.0, 30.0, 1.0 / 32.0, "30 um");
  expect_close_and_open_like_float(random_relief(91, 140, 12), 91, 140, 30.0, 40.0, 1.0 / 32.0, "30 x 40 um");
  expect_close_and_open_like_float(random_relief(120, 77, 13), 120, 77, 25.0, 25.0, 1.0 / 32.0, "25 um");
  expect_close_and_open_like_float(random_relief(64, 99, 14), 64, 99, 40.0, 40.0, 1.0 / 32.0, "40 um");
  // Maps smaller than the kernel: the replicated border does everything.
  expect_close_and_open_like_float(random_relief(9, 6, 15), 9, 6, 30.0, 30.0, 1.0 / 32.0, "9 x 6 points");
  // A range of ~2600 µm (a deep pit) needs 1/16 µm steps to fit 16 bits.
  std::vector<float> deep = random_relief(80, 70, 16);
  deep[40 * 80 + 40] = -2600.0f;
  expect_close_and_open_like_float(deep, 80, 70, 30.0, 30.0, 1.0 / 16.0, "2600 um range");
  // A range of 20 mm (a spike no skin has) does not fit at 1/8 µm: done in float, exactly.
  std::vector<float> spiked = random_relief(80, 70, 17);
  spiked[10 * 80 + 20] = 20000.0f;
  expect_close_and_open_like_float(spiked, 80, 70, 30.0, 30.0, 0.0, "20 mm range");
}

TEST(DetectionParts, TheAnalysisReportsTheRoundingStepOfItsClosingAndOpening) {
  // A boxcar 1.6 mm wide and 250 µm deep on 12 x 12 mm at 30 µm: found as it is, with the
  // closed and opened relief rounded to 1/32 µm, which the settings say.
  const std::vector<test::AnalyticScar> truth = {{test::Shape::box, 6.0, 6.0, 1.6, 250.0}};
  const ScanAnalysis analysis = analyze_height_map(test::analytic_skin(400, 400, 30.0, truth, 1.5));
  EXPECT_EQ(analysis.morphology_step_um, 1.0 / 32.0);
  const nlohmann::json j = analysis_to_json(analysis, nlohmann::json::object());
  EXPECT_EQ(j["settings"]["detection"]["morphology_step_um"].get<double>(), 1.0 / 32.0);
  ASSERT_EQ(analysis.inventory.scars.size(), 1u);
  EXPECT_NEAR(analysis.inventory.scars[0].depth_um, 250.0, 25.0);
  EXPECT_NEAR(analysis.inventory.scars[0].diameter_mm, 1.6, 0.2);
}

// The detection grid's block means (no smoothing) against a plain average of each block, the last
// column and row of blocks partial: 2, 3 and 4 points a cell (summed four cells at a time) and 5.
TEST(DetectionParts, DetectionGridCellsAreTheMeansOfTheirBlocksIncludingPartialOnes) {
  DetectionSettings settings;
  settings.smoothing_sigma_um = 0.0;
  // A 30 µm cell: blocks of 2, 3, 4 and 5 points (each block width has its own summing code).
  settings.grid_cell_um = 30.0;
  for (const double dx_um : {15.0, 10.0, 7.5, 6.0}) {
    const int nx = 83, ny = 37;
    const std::vector<float> z = random_relief(nx, ny, 21);
    HeightMap relief(nx, ny, dx_um, dx_um);
    std::copy(z.begin(), z.end(), relief.heights());
    const DetectionGrid grid = make_detection_grid(relief, settings);
    const int f = static_cast<int>(std::lround(settings.grid_cell_um / dx_um));
    ASSERT_EQ(grid.fx, f);
    ASSERT_EQ(grid.nx, (nx + f - 1) / f);
    ASSERT_EQ(grid.ny, (ny + f - 1) / f);
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) {
        // Each row's part of the block summed in float, the rows in double (the grid's own order).
        double sum = 0.0;
        int points = 0;
        for (int row = j * f; row < std::min(ny, (j + 1) * f); ++row) {
          float part = 0.0f;
          for (int col = i * f; col < std::min(nx, (i + 1) * f); ++col, ++points) part += z[static_cast<std::size_t>(row * nx + col)];
          sum += part;
        }
        ASSERT_EQ(grid.smoothed[static_cast<std::size_t>(j * grid.nx + i)], static_cast<float>(sum / points))
            << dx_um << " um, cell " << i << ", " << j;
      }
  }
}

TEST(DetectionParts, MissingPatchesAreFilledEverywhereIncludingTheMapsFirstAndLastPoints) {
  HeightMap relief(40, 30, 20.0, 20.0);
  for (int row = 0; row < 30; ++row)
    for (int col = 0; col < 40; ++col) relief.heights()[relief.index(row, col)] = 3.0f;
  relief.set_missing(0, 0);    // first point
  relief.set_missing(29, 39);  // last point
  relief.set_missing(29, 38);
  for (int row = 10; row < 14; ++row)
    for (int col = 20; col < 23; ++col) relief.set_missing(row, col);
  relief.set_missing(5, 39);  // end of a row: not connected to the next row's start
  relief.set_missing(6, 0);
  const int patches = fill_missing_relief(relief);
  EXPECT_EQ(patches, 5);
  for (std::size_t i = 0; i < relief.size(); ++i) ASSERT_FLOAT_EQ(relief.heights()[i], 3.0f) << "point " << i;
  EXPECT_EQ(relief.mask()[0], 0);  // the points stay known as unseen
  EXPECT_EQ(relief.mask()[relief.size() - 1], 0);
  HeightMap complete(12, 12, 20.0, 20.0);
  EXPECT_EQ(fill_missing_relief(complete), 0);
}

TEST(DetectionParts, ReferenceSurfaceRemovesACubicFormWithHoles) {
  // 32 x 32 mm at 100 µm (a cubic form is fitted from 30 mm up): a cubic face form of several hundred µm, with missing rows and a hole;
  // the robust polynomial + Gaussian reference must take it all away.
  HeightMap map(320, 320, 100.0, 100.0);
  for (int row = 0; row < map.ny(); ++row)
    for (int col = 0; col < map.nx(); ++col) {
      const double x = col * 0.1 - 16.0, y = row * 0.1 - 16.0;
      map.heights()[map.index(row, col)] =
          static_cast<float>(40.0 + 12.0 * x - 7.0 * y + 0.9 * x * x - 0.4 * x * y + 0.6 * y * y + 0.02 * x * x * x - 0.015 * y * y * x);
    }
  for (int col = 0; col < map.nx(); ++col) map.set_missing(3, col);
  for (int row = 100; row < 140; ++row)
    for (int col = 150; col < 200; ++col) map.set_missing(row, col);
  const ReferenceInfo info = subtract_reference_surface(map, ReferenceSettings{});
  EXPECT_EQ(info.form_coefficients.size(), 10u);  // cubic: 10 terms
  // The outer half cell (100 µm) holds the reference level with the last cell centre's (clamped,
  // not extrapolated), so the form's slope shows there; inside, nothing of the form is left.
  double worst = 0.0;
  for (int row = 0; row < map.ny(); ++row)
    for (int col = 0; col < map.nx(); ++col) {
      const std::size_t i = map.index(row, col);
      if (!map.mask()[i]) {
        EXPECT_TRUE(std::isnan(map.heights()[i]));
        continue;
      }
      if (row < 2 || col < 2 || row >= map.ny() - 2 || col >= map.nx() - 2) continue;
      worst = std::max(worst, static_cast<double>(std::abs(map.heights()[i])));
    }
  EXPECT_LT(worst, 0.5);  // µm, of a form spanning over 1000 µm
}

}  // namespace
}  // namespace scarscope
