// `scarscope plan` as a clinic uses it: inventory + patient (+ clinician inputs) in, a proposal out;
// bad input exits 2 naming the field; the knowledge base is data that changes the plan without a rebuild.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "test_support.h"

namespace scarscope::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string plan_args(const std::string& patient = "patient_fitz2.json") {
  return "plan --assessment " + quoted(test_data("planning/cheek.analysis.json")) + " --patient " +
         quoted(test_data("planning/" + patient)) + " --date 2026-03-02";
}

// Sets an environment variable for the commands this test runs, and restores it afterwards.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

fs::path source_kb() {
  if (const char* dir = std::getenv("SCARSCOPE_KB_DIR")) return dir;
  return fs::path(SCARSCOPE_TEST_SOURCE).parent_path() / "kb";
}

const json* item_of(const json& plan, const std::string& modality) {
  for (const auto& stage : plan["stages"]) {
    for (const auto& item : stage["items"]) {
      if (item["modality"] == modality) return &item;
    }
  }
  return nullptr;
}

TEST(CliPlan, JsonPlanForACheek) {
  const auto result = run_cli(plan_args() + " --clinician " + quoted(test_data("planning/clinician.json")) + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json plan = json::parse(result.out);
  EXPECT_EQ(plan["status"], "plan");
  EXPECT_EQ(plan["proposal"], true);
  EXPECT_EQ(plan["basis"], "3d_plus_clinician");
  ASSERT_NE(item_of(plan, "tca_cross"), nullptr);
  EXPECT_EQ((*item_of(plan, "tca_cross"))["target_scar_ids"], json::array({1, 2}));
  ASSERT_NE(item_of(plan, "punch_elevation"), nullptr) << "scar 3 has a normal base (clinician)";
  ASSERT_NE(item_of(plan, "pulsed_dye_laser"), nullptr) << "4 erythematous macular scars (clinician)";
  for (const auto& stage : plan["stages"]) {
    for (const auto& item : stage["items"]) {
      ASSERT_FALSE(item["evidence"].empty()) << item["modality"];
      for (const auto& e : item["evidence"]) {
        EXPECT_TRUE(e.contains("citation") && e.contains("kind") && e.contains("confirmed"));
      }
    }
  }
  ASSERT_TRUE(plan["expected_improvement_pct"].is_array());
  EXPECT_LT(plan["expected_improvement_pct"][1].get<double>(), 80);
  ASSERT_FALSE(plan["schedule"].empty());
  EXPECT_EQ(plan["schedule"][0]["date"], "2026-03-02");
  for (const char* key : {"reasons", "excluded", "warnings", "referrals", "rules_fired"}) EXPECT_TRUE(plan[key].is_array()) << key;
}

TEST(CliPlan, TextPlanSaysItIsAProposalAndExplains) {
  const auto result = run_cli(plan_args() + " --explain");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("PROPOSAL"), std::string::npos);
  EXPECT_NE(result.out.find("never an order"), std::string::npos);
  EXPECT_NE(result.out.find("Rules that fired"), std::string::npos);
  EXPECT_NE(result.out.find("first_line_by_type"), std::string::npos);
  EXPECT_NE(result.out.find("Schedule"), std::string::npos);
}

TEST(CliPlan, JsonToAFile) {
  TempDir dir;
  const auto result = run_cli(plan_args() + " --json " + quoted(dir / "plan.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("PROPOSAL"), std::string::npos) << "text still goes to stdout";
  EXPECT_EQ(json::parse(read_text_file(dir / "plan.json"))["status"], "plan");
}

TEST(CliPlan, BadPatientExitsTwoNamingTheField) {
  const auto result = run_cli(plan_args("patient_bad_fitzpatrick.json"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("fitzpatrick"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
  const auto bad_date = run_cli("plan --assessment " + quoted(test_data("planning/cheek.analysis.json")) + " --patient " +
                                quoted(test_data("planning/patient_fitz2.json")) + " --date 2026-13-01");
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.err.find("--date"), std::string::npos) << bad_date.err;
  const auto bad_region = run_cli(plan_args() + " --region forehead");
  EXPECT_EQ(bad_region.exit_code, 2);
}

TEST(CliPlan, ClinicOverrideRestrictsModalities) {
  TempDir dir;
  write_text_file(dir / "clinic.json",
                  R"({"clinic": "Small clinic", "available_modalities": ["tca_cross", "microneedling", "subcision"]})");
  const auto result = run_cli(plan_args() + " --json --kb-override " + quoted(dir / "clinic.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json plan = json::parse(result.out);
  EXPECT_EQ(plan["clinic"], "Small clinic");
  EXPECT_EQ(item_of(plan, "fractional_co2"), nullptr);
  EXPECT_EQ(item_of(plan, "punch_excision"), nullptr);
  EXPECT_NE(item_of(plan, "microneedling"), nullptr);
  write_text_file(dir / "typo.json", R"({"available_modalities": ["laser_magic"]})");
  const auto typo = run_cli(plan_args() + " --kb-override " + quoted(dir / "typo.json"));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("laser_magic"), std::string::npos);
}

// A number changed in a copy of kb/ changes the plan, with the same binary.
TEST(CliPlan, ChangingTheKnowledgeBaseChangesThePlanWithoutRebuild) {
  TempDir dir;
  const fs::path kb = dir / "kb";
  fs::create_directories(kb);
  for (const auto& entry : fs::directory_iterator(source_kb())) fs::copy_file(entry.path(), kb / entry.path().filename());
  json treatments = json::parse(read_text_file(kb / "treatments.json"));
  treatments["modalities"]["tca_cross"]["sessions"]["value"] = json::array({5, 7});
  treatments["modalities"]["tca_cross"]["expected_improvement_pct"]["value"] = json::array({40, 60});
  write_text_file(kb / "treatments.json", treatments.dump(2));

  const json before = json::parse(run_cli(plan_args() + " --json").out);
  ASSERT_EQ((*item_of(before, "tca_cross"))["sessions"], json::array({3, 6}));
  ScopedEnvironment environment("SCARSCOPE_KB_DIR", kb.string());
  const auto result = run_cli(plan_args() + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json after = json::parse(result.out);
  EXPECT_EQ((*item_of(after, "tca_cross"))["sessions"], json::array({5, 7}));
  EXPECT_NE(after["expected_improvement_pct"], before["expected_improvement_pct"]);
  int tca_sessions = 0;
  for (const auto& s : after["schedule"]) tca_sessions += s["modality"] == "tca_cross" ? 1 : 0;
  EXPECT_EQ(tca_sessions, 5) << "the schedule follows the kb";
}

TEST(CliPlan, SeveralAssessmentsAreMerged) {
  const auto result = run_cli("plan --assessment " + quoted(test_data("planning/cheek.analysis.json")) + " --assessment " +
                              quoted(test_data("planning/cheek.analysis.json")) + " --patient " +
                              quoted(test_data("planning/patient_fitz2.json")) + " --date 2026-03-02 --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json plan = json::parse(result.out);
  ASSERT_NE(item_of(plan, "tca_cross"), nullptr);
  EXPECT_EQ((*item_of(plan, "tca_cross"))["target_scar_ids"].size(), 4u);
}

}  // namespace
}  // namespace scarscope::test
