// A user scans a deep, narrow ice pick whose pit the scanner could not see into: only the upper
// wall is measured, the rest is missing data. The pit must still be found, typed ice pick and
// its depth reported as a lower bound; a dropout of the same size on plain skin must not become
// a scar. Nor may such a pit, touching a boxcar, swallow it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

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

// The analysis of `map` with detection on cells of about cell_um.
ScanAnalysis analyze_on_cells(const HeightMap& map, double cell_um) {
  AnalysisSettings settings;
  settings.detection.grid_cell_um = cell_um;
  return analyze_height_map(map.clone(), settings);
}

// Where each scar found lies and why it was typed so, for a failure's message.
std::string scar_listing(const ScanAnalysis& analysis) {
  std::string listing;
  for (const Scar& s : analysis.inventory.scars)
    listing += "\n  at " + std::to_string(s.centroid_mm[0]) + ", " + std::to_string(s.centroid_mm[1]) + ": " + s.reason;
  return listing;
}

// A 2 mm boxcar 200 um deep at (3, 3) mm (flat floor out to `flat_fraction` of its radius, then a
// smoothstep wall) and a 0.6 mm ice pick 1.2 mm deep `apart_mm` away (the deeper of the two wins
// where they overlap) whose floor below its top 160 um (0.52 mm across) the scanner did not see,
// on a 20 um scan; then, on detection cells of 60 and 40 um (3 x 3 and 2 x 2 points), the boxcar
// must come out as itself and the pit as an ice pick of lower-bound depth.
void expect_pit_and_boxcar_apart(double apart_mm, double flat_fraction) {
  constexpr double spacing_um = 20.0;
  constexpr int n = 300;
  const double box_x = 3.0, box_y = 3.0, box_diameter = 2.0, box_depth = 200.0;
  const double pit_x = box_x + apart_mm * 0.77, pit_y = box_y + apart_mm * 0.64;
  const test::AnalyticScar pit{Shape::cone, pit_x, pit_y, 0.6, 1200.0};
  HeightMap map = test::analytic_skin(n, n, spacing_um, {}, 1.5);
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col) {
      const double x = col * spacing_um / 1000.0, y = row * spacing_um / 1000.0;
      const double u = std::hypot(x - box_x, y - box_y) / (0.5 * box_diameter);
      double box = 0.0;
      if (u < 1.0) {
        const double t = std::max(0.0, (u - flat_fraction) / (1.0 - flat_fraction));
        box = box_depth * (1.0 - t * t * (3.0 - 2.0 * t));
      }
      const double depth = std::max(box, test::analytic_depth(pit, std::hypot(x - pit_x, y - pit_y)));
      map.set(row, col, map.height(row, col) - static_cast<float>(depth));
    }
  drop_disc(map, pit_x, pit_y, 0.26);
  for (const double cell_um : {60.0, 40.0}) {
    SCOPED_TRACE(cell_um);
    const ScanAnalysis analysis = analyze_on_cells(map, cell_um);
    const std::string listing = scar_listing(analysis);
    ASSERT_EQ(analysis.detection_dx_um, cell_um);
    ASSERT_EQ(analysis.inventory.scars.size(), 2u) << listing;
    const Scar* boxcar = test::nearest(analysis.inventory, box_x, box_y, 0.3);
    ASSERT_NE(boxcar, nullptr) << listing;
    EXPECT_EQ(boxcar->type, ScarType::boxcar) << boxcar->reason;
    EXPECT_FALSE(boxcar->depth_is_lower_bound) << boxcar->reason;  // its floor was seen
    EXPECT_NEAR(boxcar->depth_um, box_depth, 0.05 * box_depth) << boxcar->reason;
    EXPECT_NEAR(boxcar->diameter_mm, box_diameter, 0.15) << boxcar->reason;
    const Scar* ice_pick = test::nearest(analysis.inventory, pit_x, pit_y, 0.2);
    ASSERT_NE(ice_pick, nullptr) << listing;
    EXPECT_EQ(ice_pick->type, ScarType::ice_pick) << ice_pick->reason;
    EXPECT_TRUE(ice_pick->depth_is_lower_bound) << ice_pick->reason;
    EXPECT_LE(ice_pick->depth_um, 1200.0) << ice_pick->reason;
  }
}

TEST(UnseenPit, PitWithMissingFloorTouchingABoxcarStaysApartFromItOnCoarseCells) {
  // Rims overlapping by 0.05 mm (1.25 mm apart; they touch at 1.3). On coarse detection cells the
  // rim between them is blurred into a saddle that the boxcar's floor rises well over 25 um above,
  // but less than 0.6 of its depth above: without knowing that the pit's floor was not seen, that
  // read as the undulating floor of one scar, and the boxcar was lost into one "ice pick" measured
  // as a lower bound (as on tuning scan cheek_3 at 60 um).
  expect_pit_and_boxcar_apart(1.25, 0.9);
}

TEST(UnseenPit, PitWithMissingFloorCutIntoABoxcarsFloorStaysApartFromIt) {
  // Closer, the pit cuts into the boxcar's flat floor: no saddle between them at all, so flooding
  // sees one basin, the boxcar's floor a shelf on the pit's wall.
  for (const double apart_mm : {1.15, 1.2}) {
    SCOPED_TRACE(apart_mm);
    expect_pit_and_boxcar_apart(apart_mm, 0.9);
  }
}

TEST(UnseenPit, DropoutOnABoxcarsWallIsNoPitOfItsOwn) {
  // A scanner often misses part of a steep wall. A round dropout there, the floor on one side of
  // it and the skin on the other, is filled as the mouth of a pit (the skin around lies above its
  // rim), but no wall rings it: it must not be split off the boxcar as an ice pick of its own, nor
  // its filled-in mouth count as a second flat floor.
  constexpr double spacing_um = 20.0;
  constexpr int n = 300;
  struct Layout {
    double flat_fraction, depth_um, radius_mm, at_mm;
  };
  // (The last two were split off as ice picks while every filled mouth, walled or not, was kept
  // apart from a touching basin in the flooding.)
  for (const Layout& layout : {Layout{0.9, 200.0, 0.26, 0.9}, Layout{0.9, 600.0, 0.26, 0.9}, Layout{0.6, 200.0, 0.35, 0.7},
                               Layout{0.9, 200.0, 0.35, 0.9}, Layout{0.6, 600.0, 0.35, 0.8}}) {
    SCOPED_TRACE(std::to_string(layout.flat_fraction) + " flat, " + std::to_string(layout.depth_um) + " um deep, dropout " +
                 std::to_string(layout.radius_mm) + " mm at " + std::to_string(layout.at_mm) + " mm");
    HeightMap map = test::analytic_skin(n, n, spacing_um, {}, 1.5);
    for (int row = 0; row < n; ++row)
      for (int col = 0; col < n; ++col) {
        const double x = col * spacing_um / 1000.0, y = row * spacing_um / 1000.0;
        const double u = std::hypot(x - 3.0, y - 3.0);
        if (u >= 1.0) continue;
        const double t = std::max(0.0, (u - layout.flat_fraction) / (1.0 - layout.flat_fraction));
        map.set(row, col, map.height(row, col) - static_cast<float>(layout.depth_um * (1.0 - t * t * (3.0 - 2.0 * t))));
      }
    drop_disc(map, 3.0 + layout.at_mm * 0.77, 3.0 + layout.at_mm * 0.64, layout.radius_mm);
    for (const double cell_um : {60.0, 45.0, 40.0}) {
      SCOPED_TRACE(cell_um);
      const ScanAnalysis analysis = analyze_on_cells(map, cell_um);
      const std::string listing = scar_listing(analysis);
      ASSERT_EQ(analysis.inventory.scars.size(), 1u) << listing;
      EXPECT_EQ(analysis.inventory.scars[0].type, ScarType::boxcar) << listing;
      EXPECT_NEAR(analysis.inventory.scars[0].diameter_mm, 2.0, 0.15) << listing;
    }
  }
}

}  // namespace
}  // namespace scarscope
