// Bounded input and control of long work: a scan with heights no skin has is refused at once with
// an error naming the scan (it used to run for minutes in gigabytes and report a scar a kilometre
// deep), while real skin relief, steep tilts and curved faces pass; an analysis reports its
// progress and stops when its caller cancels it.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <limits>
#include <string>
#include <vector>

#include "analytic_skin.h"
#include "core/error.h"
#include "core/progress.h"
#include "scars/analysis.h"
#include "surface/formats/csv_format.h"
#include "surface/height_range.h"

namespace scarscope {
namespace {

// The case: a CSV grid of about 160 KB (192 x 192 heights at 20 um) of gently rolling skin,
// with one 10 x 10 patch at `patch_um`.
std::string csv_with_patch(double patch_um) {
  std::string text;
  for (int row = 0; row < 192; ++row) {
    for (int col = 0; col < 192; ++col) {
      if (col) text += ',';
      const bool patch = row >= 80 && row < 90 && col >= 100 && col < 110;
      char value[32];
      if (patch) {
        std::snprintf(value, sizeof value, "%.6g", patch_um);
      } else {
        std::snprintf(value, sizeof value, "%.1f", 5.0 * std::sin(row * 0.05) + 3.0 * std::cos(col * 0.07));
      }
      text += value;
    }
    text += '\n';
  }
  return text;
}

HeightMap read_csv(const std::string& text) {
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 20.0;
  return formats::read_csv_text(text, "patch.csv", options, nullptr);
}

void expect_refused_as_out_of_range(HeightMap map, const std::string& how_far) {
  try {
    (void)analyze_height_map(std::move(map));
    FAIL() << "analysed a scan with a patch " << how_far;
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::out_of_range);
    EXPECT_EQ(error.field(), "heights");
    const std::string message = error.what();
    EXPECT_NE(message.find("patch.csv"), std::string::npos) << message;  // names the scan
    EXPECT_NE(message.find(how_far), std::string::npos) << message;      // and how far the height lies
    EXPECT_NE(message.find("at row 8"), std::string::npos) << message;  // and where: in the patch
    EXPECT_NE(message.find(", column 10"), std::string::npos) << message;
  }
}

TEST(BoundedInput, ThePatchAtMinusOneBillionMicrometresIsRefusedAtOnce) {
  const std::string csv = csv_with_patch(-1e9);
  EXPECT_GT(csv.size(), 150000u);
  expect_refused_as_out_of_range(read_csv(csv), "1e+06 mm below");
}

TEST(BoundedInput, ExtremeHeightsOfEveryMagnitudeAreRefused) {
  // 1e30 used to give a scar of 9.7e29 um; beyond about 4.6e18 the casts were undefined behaviour.
  expect_refused_as_out_of_range(read_csv(csv_with_patch(-1e30)), "below");
  expect_refused_as_out_of_range(read_csv(csv_with_patch(3e38)), "above");
  expect_refused_as_out_of_range(read_csv(csv_with_patch(-30000.0)), "30 mm below");
}

TEST(BoundedInput, HeightsFarFromZeroAreRefusedEvenWhenFlat) {
  // A flat scan 1.5e24 um from zero has no relief, but float heights there are 1e17 um apart: it
  // would come out as a scar 4e17 um deep (found by fuzz_analyze). Refused with its own reason.
  HeightMap map(30, 30, 20.0, 20.0);
  for (int r = 0; r < 30; ++r)
    for (int c = 0; c < 30; ++c) map.set(r, c, 1.5e24f);
  map.metadata.source_file = "far.x3p";
  try {
    (void)analyze_height_map(std::move(map));
    FAIL() << "analysed heights 1.5e18 m from zero";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::out_of_range);
    EXPECT_NE(std::string(error.what()).find("far.x3p: a height lies 1.5e+18 m from zero"), std::string::npos) << error.what();
  }
}

TEST(BoundedInput, TheSkinReliefOfTheOverlayIsRefusedToo) {
  HeightMap map = read_csv(csv_with_patch(-1e9));
  EXPECT_THROW((void)skin_relief(map), InputError);
}

TEST(BoundedInput, DeepScarsSteepTiltsAndCurvedFacesPass) {
  // 30 x 30 mm tilted by 40 degrees (a 25 mm height range), curved like a cheek (radius 40 mm),
  // with a 3 mm deep pit and a 5 mm keloid: everything real skin and a scanner give.
  HeightMap map(300, 300, 100.0, 100.0);
  for (int row = 0; row < 300; ++row)
    for (int col = 0; col < 300; ++col) {
      const double x = (col - 150) * 0.1, y = (row - 150) * 0.1;  // mm
      double z = std::tan(40.0 * std::numbers::pi / 180.0) * x * 1000.0 + (x * x + y * y) * 1000.0 / (2.0 * 40.0);
      if (std::hypot(x + 6.0, y) < 1.0) z -= 3000.0;
      if (std::hypot(x - 6.0, y) < 2.0) z += 5000.0;
      map.set(row, col, static_cast<float>(z + 150000.0));  // a scanner's working distance as offset
    }
  EXPECT_NO_THROW(check_height_range(map));
}

// The limits hold to the micrometre on a tilted, curved scan, whichever way the check settles it
// (a bound over the whole scan, or every point against the form when the bound cannot tell).
TEST(BoundedInput, ReliefAndMagnitudeLimitsHoldExactlyWhereTheyLie) {
  const auto scan = [](double base_um, double spike_um) {
    HeightMap map(200, 200, 50.0, 50.0);
    for (int row = 0; row < 200; ++row)
      for (int col = 0; col < 200; ++col) {
        const double x = (col - 100) * 0.05, y = (row - 100) * 0.05;  // mm
        map.set(row, col, static_cast<float>(base_um + 300.0 * x + 20.0 * (x * x + y * y)));
      }
    map.set(120, 60, map.height(120, 60) + static_cast<float>(spike_um));
    return map;
  };
  EXPECT_NO_THROW(check_height_range(scan(0.0, 0.0)));
  EXPECT_NO_THROW(check_height_range(scan(0.0, 19900.0)));
  EXPECT_NO_THROW(check_height_range(scan(0.0, -19900.0)));
  EXPECT_THROW(check_height_range(scan(0.0, 20100.0)), InputError);
  EXPECT_THROW(check_height_range(scan(0.0, -20100.0)), InputError);
  // Within the relief's limit, but the heights' own limit (1 m from zero) lies between.
  EXPECT_NO_THROW(check_height_range(scan(9.9e5, 0.0)));
  EXPECT_NO_THROW(check_height_range(scan(-9.9e5, 0.0)));
  EXPECT_THROW(check_height_range(scan(9.9e5, 19000.0)), InputError);
  EXPECT_THROW(check_height_range(scan(-9.9e5, -19000.0)), InputError);
}

// A spike is judged against the median of the skin about the form, also when the form is fitted
// to a lattice the spike is not on (a scan of 10^6 points: every other row and column). Raised
// cells over a fifth of the scan, too fine for the form to follow, put that median 0.3 mm below
// zero, so a check against anything but the median would judge these scans wrongly.
TEST(BoundedInput, ASpikeOffTheFittedLatticeIsJudgedAgainstTheMedian) {
  const auto scan = [](double spike_um) {
    HeightMap map(1000, 1000, 20.0, 20.0);
    for (int row = 0; row < 1000; ++row)
      for (int col = 0; col < 1000; ++col) {
        const double x = (col - 500) * 0.02, y = (row - 500) * 0.02;  // mm
        const double raised = (row / 4 + col / 4) % 5 == 0 ? 1500.0 : 0.0;
        map.set(row, col, static_cast<float>(2000.0 + 300.0 * x + 150.0 * y + 10.0 * x * x + raised));
      }
    map.set(501, 333, map.height(501, 333) + static_cast<float>(spike_um));
    return map;
  };
  EXPECT_NO_THROW(check_height_range(scan(0.0)));
  EXPECT_NO_THROW(check_height_range(scan(19950.0)));
  EXPECT_NO_THROW(check_height_range(scan(-19750.0)));
  try {
    check_height_range(scan(20250.0));
    ADD_FAILURE() << "a point 20.25 mm above the skin was not refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 501, column 333"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("above"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_height_range(scan(-20050.0)), InputError);
}

TEST(BoundedInput, InfiniteHeightsAreMissingAndAFewPointsAreNotChecked) {
  HeightMap map(10, 10, 20.0, 20.0);
  map.set(3, 3, std::numeric_limits<float>::infinity());  // set() marks it missing
  EXPECT_FALSE(map.valid(3, 3));
  EXPECT_NO_THROW(check_height_range(map));
  HeightMap sparse(10, 10, 20.0, 20.0);
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c)
      if (r + c > 1) sparse.set_missing(r, c);
  sparse.set(0, 0, 9e5f);
  EXPECT_NO_THROW(check_height_range(sparse));  // fewer than 6 points: nothing to fit a form to
  sparse.set(0, 0, 2e6f);
  EXPECT_THROW(check_height_range(sparse), InputError);  // but 2 m from zero is refused anyway
}

HeightMap scan_with_scars() {
  return test::analytic_skin(300, 300, 20.0,
                             {{test::Shape::box, 2.0, 2.0, 2.0, 120.0}, {test::Shape::cone, 4.0, 4.0, 0.8, 150.0},
                              {test::Shape::bowl, 4.0, 1.6, 2.5, 80.0}});
}

TEST(AnalysisProgress, ReportsRiseFromZeroToOne) {
  std::vector<std::pair<std::string, double>> reports;
  Progress progress;
  progress.report = [&](std::string_view stage, double fraction) { reports.emplace_back(std::string(stage), fraction); };
  const ScanAnalysis analysis = analyze_height_map(scan_with_scars(), {}, nullptr, &progress);
  EXPECT_FALSE(analysis.inventory.scars.empty());
  ASSERT_GE(reports.size(), 6u);
  EXPECT_EQ(reports.front().second, 0.0);
  EXPECT_EQ(reports.back().first, "done");
  EXPECT_EQ(reports.back().second, 1.0);
  bool measured = false;
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].second, reports[i - 1].second) << reports[i].first;
    measured |= reports[i].first == "measuring scars";
  }
  EXPECT_TRUE(measured);
}

TEST(AnalysisProgress, ACancelledAnalysisStopsAtItsNextStep) {
  std::atomic<bool> cancel{false};
  std::vector<std::string> stages;
  Progress progress;
  progress.cancel = &cancel;
  progress.report = [&](std::string_view stage, double) {
    stages.emplace_back(stage);
    if (stage == "detection grid") cancel = true;  // as another thread would, mid-analysis
  };
  EXPECT_THROW((void)analyze_height_map(scan_with_scars(), {}, nullptr, &progress), CancelledError);
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.back(), "detection grid");  // nothing was reported (or done) after the next step

  // Cancelled before it starts: no work at all.
  stages.clear();
  EXPECT_THROW((void)analyze_height_map(scan_with_scars(), {}, nullptr, &progress), CancelledError);
  EXPECT_TRUE(stages.empty());
}

}  // namespace
}  // namespace scarscope
