// `scarscope synth` as a user runs it: make a small synthetic scan and its truth, read it back,
// make a follow-up, and get the same bytes for the same seed.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace scarscope {
namespace {

using test::read_text_file;
using test::run_cli;
using test::TempDir;

std::string q(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::string sha256_of_file(const std::filesystem::path& path) {
  const std::string bytes = read_text_file(path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char buffer[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", digest[i]);
    hex += buffer;
  }
  return hex;
}

// 8 x 8 mm at 20 um: 400 x 400 points.
const char* kSmall = " --size-mm 8 8 --spacing-um 20";

TEST(CliSynth, MakesAScanAndItsTruthThatInfoReads) {
  TempDir dir;
  const auto made = run_cli("synth --seed 5 --preset cheek --scars 3 --out " + q(dir / "cheek.x3p") + kSmall);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("cheek.truth.json"), std::string::npos) << made.out;
  const auto truth = nlohmann::json::parse(read_text_file(dir / "cheek.truth.json"));
  EXPECT_EQ(truth["scan"]["file"], "cheek.x3p");
  EXPECT_EQ(truth["scan"]["nx"], 400);
  EXPECT_EQ(truth["generator"]["preset"], "cheek");
  EXPECT_EQ(truth["generator"]["seed"], 5);
  ASSERT_FALSE(truth["scars"].empty());
  int counted = 0;
  for (const auto& s : truth["scars"]) {
    EXPECT_TRUE(s.contains("centroid_mm"));
    EXPECT_GT(s["diameter_mm"].get<double>(), 0.0);
    EXPECT_GT(s["volume_mm3"].get<double>(), 0.0);
    EXPECT_TRUE(s.contains(s["type"] == "hypertrophic" ? "height_um" : "depth_um"));
    ++counted;
  }
  int total = 0;
  for (const auto& [type, n] : truth["counts"].items()) total += n.get<int>();
  EXPECT_EQ(total, counted);

  const auto info = run_cli("info " + q(dir / "cheek.x3p") + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto scan = nlohmann::json::parse(info.out)["scan"];
  EXPECT_EQ(scan["nx"], 400);
  EXPECT_EQ(scan["valid_points"], truth["scan"]["valid_points"]);
  EXPECT_EQ(scan["checksum_ok"], true);
}

TEST(CliSynth, SameSeedSameBytesPinned) {
  TempDir dir;
  ASSERT_EQ(run_cli("synth --seed 1 --preset hard --out " + q(dir / "a.x3p") + kSmall).exit_code, 0);
  ASSERT_EQ(run_cli("synth --seed 1 --preset hard --out " + q(dir / "b.x3p") + kSmall).exit_code, 0);
  ASSERT_EQ(run_cli("synth --seed 2 --preset hard --out " + q(dir / "c.x3p") + kSmall).exit_code, 0);
  EXPECT_EQ(sha256_of_file(dir / "a.x3p"), sha256_of_file(dir / "b.x3p"));
  EXPECT_NE(sha256_of_file(dir / "a.x3p"), sha256_of_file(dir / "c.x3p"));
  // The bytes of this scan are part of the contract: benchmark figures were made with them.
  EXPECT_EQ(sha256_of_file(dir / "a.x3p"), "55f0e32370c0f9031a18bea87de0296a3e563796050c3179fc4b56a9bd75f7dc");
}

TEST(CliSynth, FollowupOfTheSamePatient) {
  TempDir dir;
  ASSERT_EQ(run_cli("synth --seed 9 --scars 3 --out " + q(dir / "base.x3p") + kSmall).exit_code, 0);
  const auto made = run_cli("synth --seed 10 --followup-of " + q(dir / "base.truth.json") +
                            " --response 0.5 --out " + q(dir / "later.x3p"));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("follow-up of"), std::string::npos) << made.out;
  const auto truth = nlohmann::json::parse(read_text_file(dir / "later.truth.json"));
  ASSERT_TRUE(truth.contains("pose"));
  EXPECT_LE(std::abs(truth["pose"]["rotation_deg"].get<double>()), 4.0);
  EXPECT_EQ(truth["scan"]["nx"], 400);  // the baseline's grid
  EXPECT_EQ(truth["followup_of"], "base.x3p");
  for (const auto& s : truth["scars"]) {
    EXPECT_DOUBLE_EQ(s["expected"]["volume_change_pct"].get<double>(), -50.0);
    EXPECT_TRUE(s.contains("baseline_centroid_mm"));
  }
  // A follow-up of a follow-up is refused: the baseline is what defines the patient.
  const auto chained = run_cli("synth --followup-of " + q(dir / "later.truth.json") + " --out " + q(dir / "x.x3p"));
  EXPECT_EQ(chained.exit_code, 2);
  EXPECT_NE(chained.err.find("baseline"), std::string::npos) << chained.err;
}

TEST(CliSynth, BadInputsExitTwoWithAMessage) {
  TempDir dir;
  const auto preset = run_cli("synth --preset elbow --out " + q(dir / "x.x3p"));
  EXPECT_EQ(preset.exit_code, 2);
  EXPECT_NE(preset.err.find("cheek"), std::string::npos) << preset.err;  // names the known presets
  const auto spacing = run_cli("synth --spacing-um 0 --out " + q(dir / "x.x3p"));
  EXPECT_EQ(spacing.exit_code, 2);
  ASSERT_EQ(run_cli("synth --seed 3 --scars 1 --out " + q(dir / "b.x3p") + kSmall).exit_code, 0);
  const auto response = run_cli("synth --followup-of " + q(dir / "b.truth.json") + " --response -1 --out " +
                                q(dir / "f.x3p"));
  EXPECT_EQ(response.exit_code, 2);
  const auto missing = run_cli("synth --followup-of " + q(dir / "nope.json") + " --out " + q(dir / "f.x3p"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos);
}

}  // namespace
}  // namespace scarscope
