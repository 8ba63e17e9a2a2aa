// A clinician compares two visits of a synthetic patient with `scarscope compare`, as a user would:
// the JSON of DESIGN.md, the overlay picture, a series of visits, and the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace scarscope {
namespace {

using test::run_cli;

struct Visits {
  test::TempDir dir;
  std::string baseline, treated, unchanged;
};

// An 8 x 8 mm cheek (400 x 400 points) and two later visits: after treatment (60 % of the depth
// left) and without any change (new pose and noise only).
// Made once for all the tests of this file (the folder goes when the program ends).
const Visits& visits() {
  static Visits* shared = nullptr;
  static Visits storage;
  if (!shared) {
    storage.baseline = (storage.dir / "v1.x3p").string();
    storage.treated = (storage.dir / "v2.x3p").string();
    storage.unchanged = (storage.dir / "v3.x3p").string();
    const std::string truth = (storage.dir / "v1.truth.json").string();
    EXPECT_EQ(run_cli("synth --seed 11 --size-mm 8 8 --scars 4 --out '" + storage.baseline + "'").exit_code, 0);
    EXPECT_EQ(run_cli("synth --followup-of '" + truth + "' --response 0.6 --seed 2 --out '" + storage.treated + "'").exit_code, 0);
    EXPECT_EQ(run_cli("synth --followup-of '" + truth + "' --response 1 --seed 3 --out '" + storage.unchanged + "'").exit_code, 0);
    shared = &storage;
  }
  return *shared;
}

TEST(CliCompare, ReportsEachScarsChangeAsJsonAndOverlay) {
  const Visits& v = visits();
  const auto overlay = v.dir / "v2.overlay.png";
  const auto result = run_cli("compare '" + v.baseline + "' '" + v.treated + "' --json - --overlay '" + overlay.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto j = nlohmann::json::parse(result.out);
  for (const char* key : {"shift_mm", "rotation_deg", "center_mm", "residual_um", "overlap_fraction"}) {
    EXPECT_TRUE(j["registration"].contains(key)) << key;
  }
  EXPECT_TRUE(j["registration"]["registered"].get<bool>());
  // The truth pose of the follow-up, in the same convention.
  const auto truth = nlohmann::json::parse(test::read_text_file(v.dir / "v2.truth.json"));
  EXPECT_NEAR(j["registration"]["rotation_deg"].get<double>(), truth["pose"]["rotation_deg"].get<double>(), 0.2);
  int improved = 0;
  for (const auto& scar : j["scars"]) {
    if (scar["status"] != "improved") continue;
    ++improved;
    EXPECT_LT(scar["volume_change_pct"].get<double>(), 0.0);
    EXPECT_GT(scar["volume_mdc_mm3"].get<double>(), 0.0);
  }
  EXPECT_GE(improved, 1);
  EXPECT_LT(j["global"]["volume_change_pct"].get<double>(), -20.0);
  EXPECT_GT(std::filesystem::file_size(overlay), 1000u);
}

TEST(CliCompare, TextSaysTheChangeInWords) {
  const Visits& v = visits();
  const auto result = run_cli("compare '" + v.baseline + "' '" + v.treated + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("less volume, beyond measurement noise"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("residual"), std::string::npos);
}

TEST(CliCompare, SeriesKeepsScarIdsAcrossVisits) {
  const Visits& v = visits();
  const auto result = run_cli("compare --series '" + v.baseline + "' '" + v.treated + "' '" + v.unchanged + "' --json -");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto j = nlohmann::json::parse(result.out);
  EXPECT_EQ(j["visits"].size(), 3u);
  ASSERT_FALSE(j["scars"].empty());
  for (const auto& scar : j["scars"]) {
    EXPECT_EQ(scar["trajectory"].size(), 3u) << scar.dump();
  }
  EXPECT_EQ(j["comparisons"].size(), 2u);
}

TEST(CliCompare, RefusesScansOfDifferentSkin) {
  const Visits& v = visits();
  const auto other = (v.dir / "other.x3p").string();
  ASSERT_EQ(run_cli("synth --seed 99 --size-mm 8 8 --scars 4 --out '" + other + "'").exit_code, 0);
  const auto result = run_cli("compare '" + v.baseline + "' '" + other + "'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("do not show the same skin"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("residual"), std::string::npos);
}

TEST(CliCompare, NeedsTwoScans) {
  const Visits& v = visits();
  const auto result = run_cli("compare '" + v.baseline + "'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("two scans"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace scarscope
