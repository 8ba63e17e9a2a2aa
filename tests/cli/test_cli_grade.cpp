// `scarscope grade` as a clinician uses it: grades of an analysis or a hand count, said to be
// estimates from the 3D scan, changed by clinician inputs, and by an edited copy of the knowledge
// base without a rebuild.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "test_support.h"

namespace scarscope {
namespace {

using nlohmann::json;
using test::run_cli;
using test::TempDir;
using test::write_text_file;

// 12 shallow boxcar scars (3 mm, 300 µm) and 3 ice pick scars on a 40 x 40 mm scan (16 cm²).
json analysis(const std::string& file = "cheek.x3p", int boxcars = 12, int ice_picks = 3) {
  json scars = json::array();
  int id = 1;
  for (int i = 0; i < boxcars; ++i) {
    scars.push_back({{"id", id++}, {"type", "boxcar"}, {"confidence", 0.9}, {"diameter_mm", 3.0}, {"area_mm2", 7.07},
                     {"major_mm", 3.1}, {"minor_mm", 2.9}, {"depth_um", 300.0}, {"profile", "U"}});
  }
  for (int i = 0; i < ice_picks; ++i) {
    scars.push_back({{"id", id++}, {"type", "ice_pick"}, {"confidence", 0.9}, {"diameter_mm", 1.0}, {"area_mm2", 0.79},
                     {"major_mm", 1.1}, {"minor_mm", 0.9}, {"depth_um", 650.0}, {"depth_is_lower_bound", true}, {"profile", "V"}});
  }
  return {{"scan", {{"file", file}, {"nx", 2000}, {"ny", 2000}, {"dx_um", 20.0}, {"dy_um", 20.0}, {"valid_fraction", 1.0}}},
          {"scars", scars}};
}

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// Sets an environment variable for the commands run inside one test, and puts it back.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::filesystem::path shipped_kb_dir() {
  if (const char* dir = std::getenv("SCARSCOPE_KB_DIR"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(SCARSCOPE_TEST_SOURCE).parent_path() / "kb";
}

TEST(CliGrade, PrintsGradesAsEstimatesFromTheScan) {
  TempDir dir;
  write_text_file(dir / "cheek.analysis.json", analysis().dump());
  const auto result = run_cli("grade " + quoted(dir / "cheek.analysis.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // 12 shallow small punched-out (2 x2 = 4) + 3 ice pick (3 x1 = 3) = 7; ECCA U 12 (40) + V 3 (15) = 55.
  EXPECT_NE(result.out.find("15 scars (3 ice pick, 12 boxcar, 0 rolling, 0 hypertrophic) in 1 scan"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Goodman & Baron quantitative: 7 / 84   estimate from 3D scan (16.0 cm²)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ECCA: 55 / 540   estimate from 3D scan (16.0 cm²)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Goodman & Baron qualitative: 4 (severe)   estimate from 3D scan"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("missing: macular"), std::string::npos) << result.out;
  EXPECT_TRUE(result.err.empty()) << result.err;
}

TEST(CliGrade, WritesTheGradesObjectAsJson) {
  TempDir dir;
  write_text_file(dir / "cheek.analysis.json", analysis("cheek.x3p", 12, 0).dump());
  const auto result = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json document = json::parse(result.out);  // standard output holds only the JSON
  const json& grades = document["grades"];
  EXPECT_EQ(grades["goodman_baron_quantitative"]["value"], 4);
  EXPECT_EQ(grades["goodman_baron_quantitative"]["maximum"], 84);
  EXPECT_EQ(grades["goodman_baron_quantitative"]["basis"], "3d_only");
  EXPECT_EQ(grades["goodman_baron_quantitative"]["coverage_cm2"], 16.0);
  EXPECT_EQ(grades["goodman_baron_quantitative"]["missing_inputs"], json::array({"macular_scars", "papular_scars"}));
  EXPECT_EQ(grades["ecca"]["value"], 40);
  EXPECT_EQ(grades["goodman_baron_qualitative"]["value"], "3-4");
  EXPECT_EQ(grades["goodman_baron_qualitative"]["missing_inputs"][0], "stretch_test");
  EXPECT_EQ(document["counts"]["boxcar"], 12);
  bool found = false;
  for (const json& item : grades["goodman_baron_quantitative"]["items"]) {
    if (item["id"] == "punched_out_shallow_small") {
      found = true;
      EXPECT_EQ(item["count"], 12);
      EXPECT_EQ(item["band"], 2);
      EXPECT_EQ(item["points_each"], 2);
      EXPECT_EQ(item["points"], 4);
      EXPECT_EQ(item["scar_ids"].size(), 12u);
    }
  }
  EXPECT_TRUE(found);

  // To a file: the text report still goes to standard output.
  const auto to_file = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --json " + quoted(dir / "grades.json"));
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_NE(to_file.out.find("Goodman & Baron"), std::string::npos);
  EXPECT_EQ(json::parse(test::read_text_file(dir / "grades.json"))["grades"]["ecca"]["value"], 40);
}

TEST(CliGrade, ClinicianInputsChangeTheGrade) {
  TempDir dir;
  write_text_file(dir / "cheek.analysis.json", analysis("cheek.x3p", 12, 0).dump());
  // Scar 1 is an ice pick scar, scar 2 a pore; the rest flatten on stretching; 3 red macules.
  write_text_file(dir / "exam.json", R"({"macular_scars": {"erythematous": 3}, "papular_scars": 0,
      "superficial_elastolysis": false, "stretch_flattens": true,
      "scars": {"1": {"type": "ice_pick"}, "2": {"remove": true}}})");
  const auto result = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --clinician " + quoted(dir / "exam.json") + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json grades = json::parse(result.out)["grades"];
  // 1 macular row (3: 1 x1 = 1) + 10 shallow boxcars (2 x1 = 2) + 1 ice pick (3 x1 = 3) = 6.
  EXPECT_EQ(grades["goodman_baron_quantitative"]["value"], 6);
  EXPECT_EQ(grades["goodman_baron_quantitative"]["basis"], "3d_plus_clinician");
  EXPECT_TRUE(grades["goodman_baron_quantitative"]["missing_inputs"].empty());
  EXPECT_EQ(grades["goodman_baron_qualitative"]["value"], 4);  // the ice pick scar
  // ECCA: 10 U (band 2, 40) + 1 V (band 1, 15) = 55.
  EXPECT_EQ(grades["ecca"]["value"], 55);

  const auto text = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --clinician " + quoted(dir / "exam.json"));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("3D scan (16.0 cm²) with clinician inputs"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("removed by the clinician"), std::string::npos) << text.out;
}

TEST(CliGrade, MergesTheScansOfAVisit) {
  TempDir dir;
  write_text_file(dir / "left.analysis.json", analysis("left.x3p", 6, 0).dump());
  write_text_file(dir / "right.analysis.json", analysis("right.x3p", 5, 1).dump());
  const auto result = run_cli("grade " + quoted(dir / "left.analysis.json") + " " + quoted(dir / "right.analysis.json") + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json document = json::parse(result.out);
  // 11 shallow boxcars together: 2 x2 = 4, plus one ice pick 3 x1 = 3.
  EXPECT_EQ(document["grades"]["goodman_baron_quantitative"]["value"], 7);
  EXPECT_EQ(document["coverage_cm2"], 32.0);
  EXPECT_EQ(document["scans"], json::array({"left.x3p", "right.x3p"}));
  ASSERT_EQ(document["merged_ids"].size(), 12u);
  EXPECT_EQ(document["merged_ids"][6]["scan"], "right.x3p");
  EXPECT_EQ(document["merged_ids"][6]["scan_scar_id"], 1);
  EXPECT_EQ(document["merged_ids"][6]["id"], 7);
}

TEST(CliGrade, AClinicianHandCountIsGradedAsSuch) {
  TempDir dir;
  write_text_file(dir / "count.json", R"({"counts": {"rolling": 8, "boxcar": 21}})");
  const auto result = run_cli("grade " + quoted(dir / "count.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("counted by a clinician"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("clinician's count"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("estimate from 3D scan"), std::string::npos) << result.out;
}

// The knowledge base is read at run time: an edited copy changes the grade with the same binary.
TEST(CliGrade, AnEditedKnowledgeBaseChangesTheGradeWithoutARebuild) {
  TempDir dir;
  write_text_file(dir / "cheek.analysis.json", analysis("cheek.x3p", 12, 0).dump());
  json kb = json::parse(test::read_text_file(shipped_kb_dir() / "grading.json"));
  kb["thresholds"]["deep_atrophic_depth_um"]["value"] = 250;  // 300 µm boxcars are now "deep"
  std::filesystem::create_directories(dir / "kb");
  write_text_file(dir / "kb" / "grading.json", kb.dump(2));

  const auto shipped = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --json");
  ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  EXPECT_EQ(json::parse(shipped.out)["grades"]["goodman_baron_quantitative"]["value"], 4);  // shallow: 2 x2

  {
    ScopedEnvironment environment("SCARSCOPE_KB_DIR", (dir / "kb").string());
    const auto edited = run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --json");
    ASSERT_EQ(edited.exit_code, 0) << edited.err;
    const json grades = json::parse(edited.out)["grades"];
    EXPECT_EQ(grades["goodman_baron_quantitative"]["value"], 6);  // deep: 3 x2
    EXPECT_EQ(grades["goodman_baron_qualitative"]["value"], 4);
  }
  const auto with_option =
      run_cli("grade " + quoted(dir / "cheek.analysis.json") + " --kb " + quoted(dir / "kb" / "grading.json") + " --json");
  ASSERT_EQ(with_option.exit_code, 0) << with_option.err;
  EXPECT_EQ(json::parse(with_option.out)["grades"]["goodman_baron_quantitative"]["value"], 6);
}

TEST(CliGrade, BadInputExits2WithTheFieldNamed) {
  TempDir dir;
  json bad = analysis();
  bad["scars"][3]["type"] = "crater";
  write_text_file(dir / "bad.json", bad.dump());
  auto result = run_cli("grade " + quoted(dir / "bad.json"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("bad.json: scars[3].type: 'crater' is not a scar type"), std::string::npos) << result.err;

  write_text_file(dir / "cheek.json", analysis().dump());
  write_text_file(dir / "exam.json", R"({"papular": 2})");
  result = run_cli("grade " + quoted(dir / "cheek.json") + " --clinician " + quoted(dir / "exam.json"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("exam.json: papular: unknown field"), std::string::npos) << result.err;

  write_text_file(dir / "exam.json", R"({"scars": {"99": {"remove": true}}})");
  result = run_cli("grade " + quoted(dir / "cheek.json") + " --clinician " + quoted(dir / "exam.json"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("scars.99"), std::string::npos) << result.err;

  write_text_file(dir / "kb.json", "{}");
  result = run_cli("grade " + quoted(dir / "cheek.json") + " --kb " + quoted(dir / "kb.json"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("kb.json"), std::string::npos) << result.err;

  result = run_cli("grade " + quoted(dir / "missing.json"));
  EXPECT_EQ(result.exit_code, 2);
  result = run_cli("grade");
  EXPECT_EQ(result.exit_code, 2);
}

}  // namespace
}  // namespace scarscope
