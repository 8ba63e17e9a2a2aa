// A clinician compares two visits of a synthetic patient with `scarscope compare`, as a user would:
// the JSON of DESIGN.md, the overlay picture, a series of visits, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace scarscope {
namespace {

using test::run_cli;

struct Visits {
  test::TempDir dir;
  std::string baseline, treated, unchanged, halved;
};

// An 8 x 8 mm cheek (400 x 400 points) and three later visits: after treatment (60 % of the depth
// left), without any change (new pose, form and noise only), and after a clear response (half left).
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
    storage.halved = (storage.dir / "v4.x3p").string();
    EXPECT_EQ(run_cli("synth --followup-of '" + truth + "' --response 0.5 --seed 4 --out '" + storage.halved + "'").exit_code, 0);
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

// New pose, new form, new noise, same scars: nothing may be called improved or worse, and every
// scar found in both scans is matched.
TEST(CliCompare, APairWithoutChangeCallsNoScarChanged) {
  const Visits& v = visits();
  const auto result = run_cli("compare '" + v.baseline + "' '" + v.unchanged + "' --json -");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto j = nlohmann::json::parse(result.out);
  int matched = 0;
  for (const auto& scar : j["scars"]) {
    EXPECT_NE(scar["status"], "improved") << scar.dump();
    EXPECT_NE(scar["status"], "worse") << scar.dump();
    if (!scar["baseline_id"].is_null() && !scar["followup_id"].is_null()) {
      ++matched;
      // Within its MDC, and the MDC itself well below a clinically meaningful 10 % of the volume.
      EXPECT_LE(std::abs(scar["measured_volume_change_mm3"].get<double>()), scar["volume_mdc_mm3"].get<double>());
      EXPECT_LT(scar["volume_mdc_mm3"].get<double>(), 0.1 * scar["volume_mm3"][0].get<double>()) << scar.dump();
      // What the MDC rests on: the share of the footprint both scans see, and how many of the
      // patches are independent (at most all of them).
      EXPECT_GT(scar["footprint_seen_fraction"].get<double>(), 0.0) << scar.dump();
      EXPECT_LE(scar["footprint_seen_fraction"].get<double>(), 1.0) << scar.dump();
      EXPECT_GE(scar["mdc_independent_patches"].get<double>(), 1.0) << scar.dump();
      EXPECT_LE(scar["mdc_independent_patches"].get<double>(), scar["mdc_patches"].get<double>()) << scar.dump();
    }
  }
  EXPECT_GE(matched, 3);
  EXPECT_LT(std::abs(j["global"]["volume_change_pct"].get<double>()), 2.0);
}

// Half the depth left: every scar seen in both scans is called improved, beyond its own MDC, and
// the words say so.
TEST(CliCompare, AClearChangeIsCalledImprovedBeyondTheMdc) {
  const Visits& v = visits();
  const auto json = run_cli("compare '" + v.baseline + "' '" + v.halved + "' --json -");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  int matched = 0;
  for (const auto& scar : j["scars"]) {
    if (scar["baseline_id"].is_null() || scar["followup_id"].is_null()) continue;
    ++matched;
    EXPECT_EQ(scar["status"], "improved") << scar.dump();
    EXPECT_GT(-scar["measured_volume_change_mm3"].get<double>(), scar["volume_mdc_mm3"].get<double>()) << scar.dump();
    // Per scar the measured share varies (a pit's floor is hard to see; tuning median error < 1 pp,
    // but single scars off by 20-30 pp): clearly less, and the total close to half.
    EXPECT_LT(scar["volume_change_pct"].get<double>(), -15.0) << scar.dump();
  }
  EXPECT_GE(matched, 3);
  EXPECT_NEAR(j["global"]["volume_change_pct"].get<double>(), -50.0, 10.0);
  const auto text = run_cli("compare '" + v.baseline + "' '" + v.halved + "'");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("less volume, beyond measurement noise"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("within measurement noise (MDC"), std::string::npos) << text.out;
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
