// A user analyses a small curved skin scan with one scar of each type, pores and noise, and
// expects each scar found once, typed right and measured to within a few per cent.
#include <gtest/gtest.h>

#include <cmath>

#include "analytic_skin.h"
#include "core/error.h"
#include "scars/analysis.h"

namespace scarscope {
namespace {

using test::AnalyticScar;
using test::Shape;
using test::nearest;


TEST(Analysis, FindsTypesAndMeasuresOneScarOfEachType) {
  const std::vector<AnalyticScar> truth = {
      {Shape::cone, 2.0, 2.0, 1.0, 600.0},   // ice pick
      {Shape::box, 6.0, 2.5, 3.0, 300.0},    // boxcar
      {Shape::bowl, 4.5, 7.5, 6.0, 150.0},   // rolling
      {Shape::dome, 9.5, 5.5, 3.0, 400.0},   // hypertrophic
  };
  HeightMap map = test::analytic_skin(300, 300, 40.0, truth, 2.0, 20);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  const ScarType expected[] = {ScarType::ice_pick, ScarType::boxcar, ScarType::rolling, ScarType::hypertrophic};
  EXPECT_EQ(analysis.inventory.scars.size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    SCOPED_TRACE(i);
    const Scar* scar = nearest(analysis.inventory, truth[i].x_mm, truth[i].y_mm, 0.5);
    ASSERT_NE(scar, nullptr);
    EXPECT_EQ(scar->type, expected[i]) << scar->reason;
    EXPECT_NEAR(scar->depth_um, truth[i].depth_um, 0.10 * truth[i].depth_um) << scar->reason;
    EXPECT_NEAR(scar->diameter_mm, truth[i].diameter_mm, 0.15 * truth[i].diameter_mm);
    EXPECT_NEAR(scar->volume_mm3, test::analytic_volume_mm3(truth[i]), 0.20 * test::analytic_volume_mm3(truth[i]));
    EXPECT_FALSE(scar->reason.empty());
    EXPECT_GT(scar->confidence, 0.0);
    EXPECT_LE(scar->confidence, 1.0);
    EXPECT_FALSE(scar->depth_is_lower_bound);
  }
}

TEST(Analysis, FlatPlaneGivesNoScar) {
  HeightMap map(100, 100, 20.0, 20.0);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  EXPECT_TRUE(analysis.inventory.scars.empty());
}

TEST(Analysis, AllMissingGivesAnHonestEmptyResult) {
  HeightMap map(50, 50, 20.0, 20.0);
  for (int r = 0; r < 50; ++r)
    for (int c = 0; c < 50; ++c) map.set_missing(r, c);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  EXPECT_TRUE(analysis.inventory.scars.empty());
  ASSERT_FALSE(analysis.notes.empty());
  EXPECT_NE(analysis.notes[0].find("no valid point"), std::string::npos);
}

TEST(Analysis, TinyScanAndAbsurdSpacingAreRefused) {
  EXPECT_THROW(analyze_height_map(HeightMap(3, 3, 20.0, 20.0)), InputError);
  EXPECT_THROW(analyze_height_map(HeightMap(100, 100, 0.5, 0.5)), InputError);
  EXPECT_THROW(analyze_height_map(HeightMap(100, 100, 500.0, 500.0)), InputError);
}

}  // namespace
}  // namespace scarscope
