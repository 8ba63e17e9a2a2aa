// `scarscope eval` as a user runs it: score a result file against a synthetic truth.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace scarscope {
namespace {

using test::read_text_file;
using test::run_cli;
using test::TempDir;
using test::write_text_file;

std::string q(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

TEST(CliEval, TruthAgainstItselfIsPerfectAndAShiftedCopyIsNot) {
  TempDir dir;
  ASSERT_EQ(run_cli("synth --seed 4 --scars 4 --size-mm 10 10 --spacing-um 25 --out " + q(dir / "s.x3p")).exit_code,
            0);
  const auto perfect = run_cli("eval --truth " + q(dir / "s.truth.json") + " --result " + q(dir / "s.truth.json"));
  ASSERT_EQ(perfect.exit_code, 0) << perfect.err;
  EXPECT_NE(perfect.out.find("F1 1.000"), std::string::npos) << perfect.out;

  auto moved = nlohmann::json::parse(read_text_file(dir / "s.truth.json"));
  for (auto& s : moved["scars"]) s["centroid_mm"][1] = s["centroid_mm"][1].get<double>() + 50.0;
  write_text_file(dir / "moved.json", moved.dump());
  const auto scored = run_cli("eval --truth " + q(dir / "s.truth.json") + " --result " + q(dir / "moved.json") +
                              " --json " + q(dir / "report.json"));
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto report = nlohmann::json::parse(read_text_file(dir / "report.json"));
  EXPECT_EQ(report["matched"], 0);
  EXPECT_EQ(report["recall"], 0.0);
  EXPECT_EQ(report["false_positives"], moved["scars"].size());
}

TEST(CliEval, SuiteFolderAndFollowupPairs) {
  TempDir dir;
  ASSERT_EQ(run_cli("synth --seed 4 --scars 3 --size-mm 10 10 --spacing-um 25 --out " + q(dir / "a.x3p")).exit_code,
            0);
  ASSERT_EQ(run_cli("synth --seed 5 --followup-of " + q(dir / "a.truth.json") + " --out " + q(dir / "a_f.x3p"))
                .exit_code,
            0);
  // Results that restate the truth: the analysis of each scan, and a comparison with the true pose.
  write_text_file(dir / "a.analysis.json", read_text_file(dir / "a.truth.json"));
  write_text_file(dir / "a_f.analysis.json", read_text_file(dir / "a_f.truth.json"));
  const auto follow = nlohmann::json::parse(read_text_file(dir / "a_f.truth.json"));
  nlohmann::json compare = {{"registration", follow["pose"]}, {"scars", nlohmann::json::array()}};
  for (const auto& s : follow["scars"]) {
    compare["scars"].push_back({{"baseline_centroid_mm", s["baseline_centroid_mm"]},
                                {"followup_centroid_mm", s["centroid_mm"]},
                                {"volume_change_pct", 0.0},
                                {"status", "stable"}});
  }
  write_text_file(dir / "a_f.compare.json", compare.dump());
  const auto suite = run_cli("eval --suite " + q(dir.path()) + " --json");
  ASSERT_EQ(suite.exit_code, 0) << suite.err;
  const auto report = nlohmann::json::parse(suite.out);
  EXPECT_EQ(report["scored_scans"], 2);
  EXPECT_EQ(report["overall"]["f1"], 1.0);
  EXPECT_NEAR(report["followup"]["registration"]["max_error_mm"].get<double>(), 0.0, 1e-6);
  EXPECT_EQ(report["followup"]["unchanged_reported_changed"], 0);
}

TEST(CliEval, BadInputsExitTwo) {
  TempDir dir;
  write_text_file(dir / "bad.json", "{not json");
  const auto bad = run_cli("eval --truth " + q(dir / "bad.json") + " --result " + q(dir / "bad.json"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.json"), std::string::npos) << bad.err;
  EXPECT_EQ(run_cli("eval").exit_code, 2);
  EXPECT_EQ(run_cli("eval --suite " + q(dir / "nowhere")).exit_code, 2);
}

}  // namespace
}  // namespace scarscope
