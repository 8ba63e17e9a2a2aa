// A clinician's --clinician FILE: read strictly, corrections win over the scan and are recorded,
// and they change the grade.
#include "grading/clinician_inputs.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "grading/grading.h"
#include "grading_fixtures.h"
#include "test_support.h"

namespace scarscope {
namespace {

using nlohmann::json;

std::string error_of(const json& document) {
  try {
    clinician_inputs_from_json(document, "exam.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(ClinicianInputs, ReadsTheDesignExample) {
  const ClinicianInputs inputs = clinician_inputs_from_json(json::parse(R"(
    {"macular_scars": {"erythematous": 12, "hyperpigmented": 3}, "papular_scars": 0,
     "hypertrophic_age_months": {"7": 30}, "superficial_elastolysis": false,
     "scars": {"7": {"type": "boxcar", "stretch_flattens": false, "normal_base": true, "tethered": false},
               "12": {"remove": true}}})"));
  EXPECT_EQ(inputs.macular_erythematous, 12);
  EXPECT_EQ(inputs.macular_hyperpigmented, 3);
  EXPECT_EQ(inputs.macular_total(), 15);
  EXPECT_EQ(inputs.papular_scars, 0);
  EXPECT_EQ(inputs.hypertrophic_age_months.at(7), 30.0);
  EXPECT_EQ(inputs.superficial_elastolysis, false);
  EXPECT_EQ(inputs.scars.at(7).type, ScarType::boxcar);
  EXPECT_EQ(inputs.scars.at(7).stretch_flattens, false);
  EXPECT_EQ(inputs.scars.at(7).normal_base, true);
  EXPECT_TRUE(inputs.scars.at(12).remove);
  EXPECT_FALSE(inputs.empty());
  EXPECT_TRUE(ClinicianInputs{}.empty());
  // Written back, it reads the same.
  EXPECT_EQ(clinician_inputs_to_json(clinician_inputs_from_json(clinician_inputs_to_json(inputs))),
            clinician_inputs_to_json(inputs));
}

TEST(ClinicianInputs, AcceptsTheAddedShortForms) {
  const ClinicianInputs inputs = clinician_inputs_from_json(
      json::parse(R"({"superficial_elastolysis": 7, "hypertrophic_age_months": 40, "stretch_flattens": true,
                      "macular_scars": {"hypopigmented": 2}, "notes": "left cheek only"})"));
  EXPECT_EQ(inputs.superficial_elastolysis_count, 7);
  EXPECT_EQ(inputs.superficial_elastolysis, true);
  EXPECT_EQ(inputs.hypertrophic_age_months_all, 40.0);
  EXPECT_EQ(inputs.stretch_flattens, true);
  EXPECT_EQ(inputs.macular_total(), 2);
  EXPECT_EQ(inputs.notes, "left cheek only");
}

TEST(ClinicianInputs, UnknownOrWrongFieldsAreNamed) {
  EXPECT_NE(error_of(json::parse(R"({"macular": 3})")).find("exam.json: macular: unknown field"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"macular_scars": {"red": 3}})")).find("macular_scars.red: unknown field"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"papular_scars": -1})")).find("papular_scars: -1 is negative"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"papular_scars": "few"})")).find("papular_scars: expected a count"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"scars": {"7": {"strech_flattens": true}}})")).find("scars.7.strech_flattens: unknown field"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"scars": {"seven": {}}})")).find("scars.seven: 'seven' is not a scar id"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"scars": {"7": {"type": "keloid"}}})")).find("scars.7.type: 'keloid' is not a scar type"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"scars": {"7": {"remove": "yes"}}})")).find("scars.7.remove: expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"hypertrophic_age_months": {"3": -2}})")).find("hypertrophic_age_months.3"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("expected a JSON object"), std::string::npos);
}

TEST(ClinicianInputs, ReadsAFileAndNamesIt) {
  test::TempDir dir;
  test::write_text_file(dir / "exam.json", R"({"papular_scars": 2})");
  EXPECT_EQ(read_clinician_inputs(dir / "exam.json").papular_scars, 2);
  test::write_text_file(dir / "bad.json", R"({"papular_scars": 2,})");
  try {
    read_clinician_inputs(dir / "bad.json");
    FAIL() << "bad JSON accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("bad.json"), std::string::npos);
  }
}

TEST(ClinicianInputs, CorrectionsWinAndAreRecorded) {
  ScarInventory inventory = test::scanned();
  test::add_scars(inventory, 3, ScarType::boxcar, 3.0, 300.0);
  ClinicianInputs inputs;
  inputs.scars[1].type = ScarType::ice_pick;
  inputs.scars[2].remove = true;
  inputs.scars[3].normal_base = true;
  const ScarInventory corrected = apply_corrections(inventory, inputs);
  ASSERT_EQ(corrected.scars.size(), 2u);
  EXPECT_EQ(corrected.scars[0].type, ScarType::ice_pick);
  EXPECT_EQ(corrected.scars[0].corrected_by_clinician, std::vector<std::string>{"type"});
  EXPECT_EQ(corrected.scars[1].id, 3);
  EXPECT_EQ(corrected.scars[1].corrected_by_clinician, std::vector<std::string>{"normal_base"});
  // The record travels with the scar in the inventory JSON.
  EXPECT_EQ(scar_to_json(corrected.scars[0])["corrected_by_clinician"], json::array({"type"}));
  EXPECT_EQ(corrected.counts().boxcar, 1);

  // A depression turned into a raised scar keeps no depth as its height.
  ClinicianInputs raise;
  raise.scars[1].type = ScarType::hypertrophic;
  EXPECT_FALSE(apply_corrections(inventory, raise).scars[0].measured("depth_um"));

  ClinicianInputs unknown;
  unknown.scars[99].remove = true;
  try {
    apply_corrections(inventory, unknown);
    FAIL() << "a correction of a scar that does not exist was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("scars.99"), std::string::npos);
  }
}

TEST(ClinicianInputs, ACorrectionChangesTheGrade) {
  const GradingKnowledge kb = load_grading_knowledge(test::test_kb_dir() / "grading.json");
  // 11 shallow boxcar scars: 2 points x2 = 4; ECCA 11 U-shaped -> band 2 x 20 = 40; qualitative 3-4.
  ScarInventory inventory = test::scanned();
  test::add_scars(inventory, 11, ScarType::boxcar, 3.0, 300.0);
  const Grades before = grade_inventory(inventory, nullptr, kb);
  EXPECT_EQ(before.goodman_baron_quantitative.value, 4);
  EXPECT_EQ(before.goodman_baron_qualitative.value_text(), "3-4");

  // The clinician finds scar 1 is an ice pick scar and scar 2 a pore: 9 shallow boxcars (2 x1 = 2)
  // plus one ice pick (3 x1 = 3) = 5; ECCA 9 U (band 2, 40) + 1 V (band 1, 15) = 55; qualitative 4.
  ClinicianInputs inputs;
  inputs.scars[1].type = ScarType::ice_pick;
  inputs.scars[2].remove = true;
  const Grades after = grade_inventory(inventory, &inputs, kb);
  EXPECT_EQ(after.goodman_baron_quantitative.value, 5);
  EXPECT_EQ(after.ecca.value, 55);
  EXPECT_EQ(after.goodman_baron_qualitative.value_text(), "4");
  EXPECT_EQ(after.goodman_baron_quantitative.basis, GradeBasis::three_d_plus_clinician);
  const GradeItem& pick = test::row(after.goodman_baron_quantitative, "punched_out_deep_abnormal_base");
  EXPECT_EQ(pick.scar_ids, std::vector<int>{1});
  EXPECT_EQ(pick.source, "3d_plus_clinician");
  bool removal_noted = false;
  for (const std::string& note : after.notes) removal_noted |= note.find("scar 2 (boxcar) removed by the clinician") != std::string::npos;
  EXPECT_TRUE(removal_noted);

  // A deep boxcar whose base the clinician finds abnormal moves rows (same 3 points).
  ScarInventory deep = test::scanned();
  test::add_scars(deep, 1, ScarType::boxcar, 3.0, 700.0);
  ClinicianInputs base;
  base.scars[1].normal_base = false;
  EXPECT_EQ(test::row(grade_inventory(deep, nullptr, kb).goodman_baron_quantitative, "punched_out_deep_normal_base").count, 1);
  EXPECT_EQ(test::row(grade_inventory(deep, &base, kb).goodman_baron_quantitative, "punched_out_deep_abnormal_base").count, 1);

  // Per-scar stretch test decides the qualitative grade of that scar.
  ScarInventory one = test::scanned();
  test::add_scars(one, 1, ScarType::boxcar, 3.0, 300.0);
  ClinicianInputs flattens;
  flattens.scars[1].stretch_flattens = true;
  EXPECT_EQ(grade_inventory(one, &flattens, kb).goodman_baron_qualitative.value_text(), "3");

  // Hypertrophic age for a scar id that is not there is an error, not silently ignored.
  ClinicianInputs ages;
  ages.hypertrophic_age_months[42] = 12.0;
  EXPECT_THROW(grade_inventory(one, &ages, kb), InputError);
}

}  // namespace
}  // namespace scarscope
