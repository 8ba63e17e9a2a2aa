// A user scans a deep, narrow ice pick whose pit the scanner could not see into: only the upper
// wall is measured, the rest is missing data. The pit must still be found, typed ice pick and
// its depth reported as a lower bound; a dropout of the same size on plain skin must not become
// a scar.
#include <gtest/gtest.h>

#include <cmath>

#include "analytic_skin.h"
#include "scars/analysis.h"

namespace scarscope {
namespace {

using test::AnalyticScar;
using test::Shape;

// Removes the points within `radius_mm` of (x, y).
void drop_disc(HeightMap& map, double x_mm, double y_mm, double radius_mm) {
  for (int row = 0; row < map.ny(); ++row)
    for (int col = 0; col < map.nx(); ++col) {
      const double x = col * map.dx_um() / 1000.0, y = row * map.dy_um() / 1000.0;
      if (std::hypot(x - x_mm, y - y_mm) < radius_mm) map.set_missing(row, col);
    }
}

TEST(UnseenPit, DeepPitWithMissingFloorIsAnIcePickOfLowerBoundDepth) {
  // 0.7 mm wide, 1.5 mm deep: the wall falls 100 µm per 23 µm. Only its top 40 µm (about 170 µm
  // of depth) is seen; the 0.62 mm below is missing.
  const std::vector<AnalyticScar> truth = {{Shape::cone, 3.0, 3.0, 0.7, 1500.0}};
  HeightMap map = test::analytic_skin(300, 300, 20.0, truth, 1.5);
  drop_disc(map, 3.0, 3.0, 0.31);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  ASSERT_EQ(analysis.inventory.scars.size(), 1u);
  const Scar& scar = analysis.inventory.scars[0];
  EXPECT_NEAR(scar.centroid_mm[0], 3.0, 0.1);
  EXPECT_NEAR(scar.centroid_mm[1], 3.0, 0.1);
  EXPECT_EQ(scar.type, ScarType::ice_pick) << scar.reason;
  EXPECT_TRUE(scar.depth_is_lower_bound) << scar.reason;
  EXPECT_NE(scar.reason.find("floor not seen"), std::string::npos) << scar.reason;
  EXPECT_GE(scar.depth_um, 40.0);
  EXPECT_LE(scar.depth_um, 1500.0);  // a lower bound
  EXPECT_NEAR(scar.diameter_mm, 0.7, 0.25);
}

TEST(UnseenPit, SameDropoutOnPlainSkinIsNoScar) {
  HeightMap map = test::analytic_skin(300, 300, 20.0, {}, 1.5);
  drop_disc(map, 3.0, 3.0, 0.31);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  EXPECT_TRUE(analysis.inventory.scars.empty());
}

}  // namespace
}  // namespace scarscope
