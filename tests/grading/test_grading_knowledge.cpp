// kb/grading.json is data a clinic may edit: it is checked when read (a broken copy is named, not
// half-used), and what it says is what the grades do.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "grading/grading.h"
#include "grading_fixtures.h"
#include "test_support.h"

namespace scarscope {
namespace {

using nlohmann::json;

json shipped_knowledge() {
  std::ifstream in(test::test_kb_dir() / "grading.json");
  return json::parse(in);
}

std::string error_of(const json& document) {
  try {
    grading_knowledge_from_json(document, "copy.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(GradingKnowledge, EveryThresholdSaysWhereItComesFrom) {
  const json kb = shipped_knowledge();
  ASSERT_TRUE(kb["thresholds"].is_object());
  EXPECT_GE(kb["thresholds"].size(), 5u);
  for (const auto& [name, threshold] : kb["thresholds"].items()) {
    EXPECT_TRUE(threshold["value"].is_number()) << name;
    EXPECT_FALSE(threshold["source"].get<std::string>().empty()) << name;
    EXPECT_FALSE(threshold["reason"].get<std::string>().empty()) << name;
    EXPECT_TRUE(threshold["confirmed"].is_boolean()) << name;
    // Our own numbers say so plainly.
    if (threshold["source"] == "ScarScope's choice") {
      EXPECT_FALSE(threshold["confirmed"].get<bool>()) << name;
    }
  }
  const GradingKnowledge loaded = load_grading_knowledge(test::test_kb_dir() / "grading.json");
  EXPECT_FALSE(loaded.version.empty());
}

TEST(GradingKnowledge, ChangingAThresholdChangesTheGrade) {
  ScarInventory inventory = test::scanned();
  test::add_scars(inventory, 12, ScarType::boxcar, 3.0, 300.0);
  const GradingKnowledge shipped = grading_knowledge_from_json(shipped_knowledge(), "shipped");
  EXPECT_EQ(grade_inventory(inventory, nullptr, shipped).goodman_baron_quantitative.value, 4);  // shallow: 2 x2

  // A clinic that calls 250 µm "deep": the same scars are now deep punched-out scars, 3 x2 = 6.
  json edited = shipped_knowledge();
  edited["thresholds"]["deep_atrophic_depth_um"]["value"] = 250;
  const GradingKnowledge clinic = grading_knowledge_from_json(edited, "clinic");
  const Grades grades = grade_inventory(inventory, nullptr, clinic);
  EXPECT_EQ(grades.goodman_baron_quantitative.value, 6);
  EXPECT_EQ(grades.goodman_baron_qualitative.value_text(), "4");
}

TEST(GradingKnowledge, ABrokenCopyIsNamed) {
  json kb = shipped_knowledge();
  kb["goodman_baron_quantitative"]["maximum"] = 90;
  EXPECT_NE(error_of(kb).find("copy.json: goodman_baron_quantitative.maximum: 90 but the table adds up to 84"), std::string::npos);

  kb = shipped_knowledge();
  kb["ecca"]["items"][0]["weight"] = 16;
  EXPECT_NE(error_of(kb).find("ecca.maximum: 540 but the table adds up to 543"), std::string::npos);

  kb = shipped_knowledge();
  kb["goodman_baron_quantitative"]["mapping"]["boxcar"][1]["when"][1]["at_least"] = "deepest_depth_um";
  EXPECT_NE(error_of(kb).find("'deepest_depth_um' is not a threshold"), std::string::npos);

  kb = shipped_knowledge();
  kb["goodman_baron_quantitative"]["mapping"]["ice_pick"][0]["lesion"] = "pit";
  EXPECT_NE(error_of(kb).find("mapping.ice_pick[0].lesion: 'pit' is not a lesion type"), std::string::npos);

  kb = shipped_knowledge();
  kb["ecca"]["mapping"]["rolling"][0]["when"] = json::parse(R"([{"field": "depth_um", "below": 100}])");
  EXPECT_NE(error_of(kb).find("the last rule must have no conditions"), std::string::npos);

  kb = shipped_knowledge();
  kb["goodman_baron_qualitative"]["mapping"]["ice_pick"][0]["grade"] = 5;
  EXPECT_NE(error_of(kb).find("a grade is 1 to 4"), std::string::npos);

  kb = shipped_knowledge();
  kb["thresholds"]["deep_atrophic_depth_um"].erase("source");
  EXPECT_NE(error_of(kb).find("thresholds.deep_atrophic_depth_um.source: missing"), std::string::npos);

  kb = shipped_knowledge();
  kb["goodman_baron_quantitative"]["mapping"]["boxcar"][0]["when"][0]["field"] = "colour";
  EXPECT_NE(error_of(kb).find("'colour' is not a field rules can test"), std::string::npos);

  kb = shipped_knowledge();
  kb.erase("ecca");
  EXPECT_NE(error_of(kb).find("ecca: missing"), std::string::npos);

  EXPECT_THROW(load_grading_knowledge("/nonexistent/grading.json"), InputError);
}

}  // namespace
}  // namespace scarscope
