// The depth of a scar is the depth of the scar, not of the microrelief on it (issue 17): a user
// scans skin whose scar floors carry pores, sharp ice picks, touching boxcars and scattered
// missing points, and expects each scar's depth, count and type as the analytic truth has them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

#include "analytic_skin.h"
#include "core/random.h"
#include "scars/analysis.h"

namespace scarscope {
namespace {

using test::AnalyticScar;
using test::Shape;
using test::nearest;

// Pores (0.2 mm wide, 50 um deep) in a ring on the floor of a scar centred at (x, y).
std::vector<AnalyticScar> pores_on_floor(double x, double y, double ring_mm, int count) {
  std::vector<AnalyticScar> pores;
  pores.push_back({Shape::pore, x, y, 0.2, 50.0});
  for (int k = 0; k < count; ++k) {
    const double a = 2.0 * std::numbers::pi * k / count;
    pores.push_back({Shape::pore, x + ring_mm * std::cos(a), y + ring_mm * std::sin(a), 0.2, 50.0});
  }
  return pores;
}

// Every scar found, one per line, for failure messages.
std::string listing(const ScanAnalysis& analysis) {
  std::string text;
  for (const Scar& s : analysis.inventory.scars) {
    text += "\n  at " + std::to_string(s.centroid_mm[0]) + ", " + std::to_string(s.centroid_mm[1]) + ": " + s.reason;
  }
  return text;
}

TEST(ScarDepth, AFloorWithPoresMeasuresTheFloorsDepth) {
  // A 120 um boxcar and a 150 um rolling bowl, their floors dotted with 50 um pores: the deepest
  // point of the smoothed relief lies 40-50 um below the floor, the scar's depth does not.
  std::vector<AnalyticScar> scene = {{Shape::box, 3.0, 3.0, 3.0, 120.0}, {Shape::bowl, 8.5, 6.0, 6.0, 150.0}};
  for (const auto& p : pores_on_floor(3.0, 3.0, 0.5, 6)) scene.push_back(p);
  for (const auto& p : pores_on_floor(8.5, 6.0, 0.6, 6)) scene.push_back(p);
  const ScanAnalysis analysis = analyze_height_map(test::analytic_skin(300, 250, 40.0, scene, 1.5, 0));
  for (const auto& [x, y, depth] : {std::tuple{3.0, 3.0, 120.0}, std::tuple{8.5, 6.0, 150.0}}) {
    SCOPED_TRACE(x);
    const Scar* scar = nearest(analysis.inventory, x, y, 0.6);
    ASSERT_NE(scar, nullptr);
    EXPECT_NEAR(scar->depth_um, depth, 0.05 * depth) << scar->reason;
  }
  const Scar* boxcar = nearest(analysis.inventory, 3.0, 3.0, 0.6);
  ASSERT_NE(boxcar, nullptr);
  EXPECT_EQ(boxcar->type, ScarType::boxcar) << boxcar->reason;
}

TEST(ScarDepth, AVShapedPitKeepsItsTipDepth) {
  // A cone 1 mm wide, 600 um deep, its tip on a grid point of a 20 um scan: smoothing by the
  // detection's 30 um kernel would lower the tip by ~5 %.
  const std::vector<AnalyticScar> scene = {{Shape::cone, 2.0, 2.0, 1.0, 600.0}};
  const ScanAnalysis analysis = analyze_height_map(test::analytic_skin(200, 200, 20.0, scene, 1.0, 0));
  ASSERT_EQ(analysis.inventory.scars.size(), 1u);
  const Scar& pit = analysis.inventory.scars.front();
  EXPECT_EQ(pit.type, ScarType::ice_pick) << pit.reason;
  EXPECT_NEAR(pit.depth_um, 600.0, 0.02 * 600.0) << pit.reason;
  EXPECT_FALSE(pit.depth_is_lower_bound);
}

// Skin with pores (analytic_skin) and scars that overlap as real ones do: the deeper one wins
// where they meet (analytic_skin would add them).
HeightMap deeper_wins(int nx, int ny, double spacing_um, const std::vector<AnalyticScar>& scars, int pores) {
  HeightMap map = test::analytic_skin(nx, ny, spacing_um, {}, 1.5, pores);
  for (int row = 0; row < ny; ++row)
    for (int col = 0; col < nx; ++col) {
      double depth = 0.0;
      for (const auto& s : scars)
        depth = std::max(depth, test::analytic_depth(s, std::hypot(col * spacing_um / 1000.0 - s.x_mm, row * spacing_um / 1000.0 - s.y_mm)));
      map.set(row, col, map.height(row, col) - static_cast<float>(depth));
    }
  return map;
}

TEST(ScarDepth, TwoTouchingBoxcarsAreTwoScars) {
  // Two 3 mm boxcars, 250 and 200 um deep, whose rims overlap by 0.45 mm (30 % of their radius):
  // their walls meet about half-way down, a saddle the shallower rises only ~45 % of its depth
  // above (an undulating floor by the rise alone), between two flat floors.
  const std::vector<AnalyticScar> scene = {{Shape::box, 4.0, 4.0, 3.0, 250.0}, {Shape::box, 6.55, 4.0, 3.0, 200.0}};
  const ScanAnalysis analysis = analyze_height_map(deeper_wins(300, 200, 40.0, scene, 10));
  ASSERT_EQ(analysis.inventory.scars.size(), 2u) << listing(analysis);
  for (const auto& [x, depth] : {std::pair{4.0, 250.0}, std::pair{6.55, 200.0}}) {
    const Scar* scar = nearest(analysis.inventory, x, 4.0, 0.5);
    ASSERT_NE(scar, nullptr) << x;
    EXPECT_EQ(scar->type, ScarType::boxcar) << scar->reason;
    EXPECT_NEAR(scar->depth_um, depth, 0.03 * depth) << scar->reason;
  }
}

TEST(ScarDepth, ScatteredMissingPointsDoNotHideABoxcarsFloor) {
  // 1 % of single points missing at random over a 2.5 mm, 300 um boxcar: its floor was seen.
  const std::vector<AnalyticScar> scene = {{Shape::box, 3.0, 3.0, 2.5, 300.0}};
  HeightMap map = test::analytic_skin(150, 150, 40.0, scene, 1.5, 8);
  Random random(11);
  const auto points = static_cast<std::int64_t>(map.size());
  for (std::int64_t k = 0; k < points / 100; ++k) {
    const auto i = static_cast<std::size_t>(random.uniform_int(0, points - 1));
    map.set_missing(static_cast<int>(i / static_cast<std::size_t>(map.nx())), static_cast<int>(i % static_cast<std::size_t>(map.nx())));
  }
  ASSERT_GT(map.size() - map.valid_count(), map.size() / 200);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  ASSERT_EQ(analysis.inventory.scars.size(), 1u);
  const Scar& boxcar = analysis.inventory.scars.front();
  EXPECT_FALSE(boxcar.depth_is_lower_bound) << boxcar.reason;
  EXPECT_EQ(boxcar.type, ScarType::boxcar) << boxcar.reason;
  EXPECT_NEAR(boxcar.depth_um, 300.0, 0.05 * 300.0);
}

TEST(ScarDepth, APitOnARollingWallIsNotASeparateScar) {
  // A pore 0.45 mm wide and 80 um deep (just over the 0.4 mm pore cutoff) on the sloping wall of a
  // 7 mm, 160 um rolling scar: one scar, measured as the bowl without the pore is.
  const AnalyticScar bowl{Shape::bowl, 5.0, 5.0, 7.0, 160.0};
  const ScanAnalysis with_pit = analyze_height_map(test::analytic_skin(250, 250, 40.0, {bowl, {Shape::pore, 7.0, 5.0, 0.45, 80.0}}, 1.5, 0));
  const ScanAnalysis without = analyze_height_map(test::analytic_skin(250, 250, 40.0, {bowl}, 1.5, 0));
  ASSERT_EQ(with_pit.inventory.scars.size(), 1u) << listing(with_pit);
  ASSERT_EQ(without.inventory.scars.size(), 1u) << listing(without);
  const Scar& rolling = with_pit.inventory.scars.front();
  EXPECT_EQ(rolling.type, ScarType::rolling) << rolling.reason;
  EXPECT_NEAR(rolling.depth_um, without.inventory.scars.front().depth_um, 0.02 * 160.0);
}

}  // namespace
}  // namespace scarscope
