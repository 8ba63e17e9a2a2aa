// A user analyses a fine scan (10 µm or 20 µm points): scars are found on the coarser detection
// grid (block means of about 45 µm: 50 µm for a 10 µm scan, 40 µm for a 20 µm one) and measured back at the scan's resolution, or on block means for a scar
// hundreds of points wide. Whatever grid did the work, each scar must come out where it is and
// as wide, deep and large as it is.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analytic_skin.h"
#include "scars/analysis.h"

namespace scarscope {
namespace {

using test::AnalyticScar;
using test::Shape;
using test::nearest;


void expect_measured(const ScanAnalysis& analysis, const std::vector<AnalyticScar>& truth) {
  EXPECT_EQ(analysis.inventory.scars.size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    SCOPED_TRACE(i);
    const Scar* scar = nearest(analysis.inventory, truth[i].x_mm, truth[i].y_mm, 0.3);
    ASSERT_NE(scar, nullptr);
    EXPECT_NEAR(scar->depth_um, truth[i].depth_um, 0.10 * truth[i].depth_um) << scar->reason;
    EXPECT_NEAR(scar->diameter_mm, truth[i].diameter_mm, 0.12 * truth[i].diameter_mm) << scar->reason;
    EXPECT_NEAR(scar->volume_mm3, test::analytic_volume_mm3(truth[i]), 0.20 * test::analytic_volume_mm3(truth[i]));
    EXPECT_FALSE(scar->depth_is_lower_bound);
    // The outline lies around the centre, about a radius away.
    ASSERT_FALSE(scar->outline_mm.empty());
    for (const auto& p : scar->outline_mm) {
      const double r = std::hypot(p[0] - truth[i].x_mm, p[1] - truth[i].y_mm);
      EXPECT_GT(r, 0.3 * truth[i].diameter_mm);
      EXPECT_LT(r, 0.7 * truth[i].diameter_mm);
    }
  }
}

TEST(MultiResolution, TenMicrometreScanIsDetectedOnACoarserGridAndMeasuredAtFullResolution) {
  const std::vector<AnalyticScar> truth = {
      {Shape::box, 1.8, 1.9, 1.6, 250.0},   // 160 points wide
      {Shape::cone, 4.2, 4.0, 1.0, 400.0},  // 100 points wide
  };
  const HeightMap map = test::analytic_skin(600, 600, 10.0, truth, 1.5);
  const ScanAnalysis analysis = analyze_height_map(map.clone());
  EXPECT_DOUBLE_EQ(analysis.detection_dx_um, 50.0);
  EXPECT_DOUBLE_EQ(analysis.detection_dy_um, 50.0);
  expect_measured(analysis, truth);
  // The grid is written to the settings with the scan's own spacing.
  const nlohmann::json j = analysis_to_json(analysis, nlohmann::json::object());
  EXPECT_DOUBLE_EQ(j["settings"]["pixel_dx_um"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["settings"]["detection"]["grid_dx_um"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["settings"]["detection"]["grid_cell_um"].get<double>(), 45.0);
}

TEST(MultiResolution, CoarseAndFullResolutionDetectionAgree) {
  // The same skin at 20 µm, detected on the 40 µm grid with wide scars measured on block means
  // (more than 64 points across), and everything at full resolution.
  const std::vector<AnalyticScar> truth = {
      {Shape::box, 3.5, 3.5, 4.0, 250.0},  // 200 points wide: measured on 3 x 3 block means
      {Shape::cone, 6.6, 6.5, 1.0, 500.0},
  };
  const HeightMap map = test::analytic_skin(400, 400, 20.0, truth, 2.0, 10);
  AnalysisSettings coarse_settings;
  coarse_settings.measurement.min_points_across = 64;
  const ScanAnalysis coarse = analyze_height_map(map.clone(), coarse_settings);
  AnalysisSettings fine_settings;
  fine_settings.detection.grid_cell_um = 20.0;
  fine_settings.measurement.min_points_across = 1000;
  const ScanAnalysis fine = analyze_height_map(map.clone(), fine_settings);
  EXPECT_DOUBLE_EQ(coarse.detection_dx_um, 40.0);
  EXPECT_DOUBLE_EQ(fine.detection_dx_um, 20.0);
  expect_measured(coarse, truth);
  expect_measured(fine, truth);
  ASSERT_EQ(coarse.inventory.scars.size(), fine.inventory.scars.size());
  for (std::size_t i = 0; i < coarse.inventory.scars.size(); ++i) {
    const Scar& a = coarse.inventory.scars[i];
    const Scar& b = fine.inventory.scars[i];
    EXPECT_EQ(a.type, b.type);
    EXPECT_NEAR(a.diameter_mm, b.diameter_mm, 0.05 * b.diameter_mm);
    EXPECT_NEAR(a.depth_um, b.depth_um, 0.05 * b.depth_um);
  }
}

}  // namespace
}  // namespace scarscope
