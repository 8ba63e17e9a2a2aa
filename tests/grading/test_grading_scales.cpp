// Worked examples computed by hand from the tables of CLINICAL.md Part 1 (kept in kb/grading.json):
// Goodman & Baron quantitative = sum over lesion types of points x count multiplier (1-10 x1,
// 11-20 x2, > 20 x3), hypertrophic by area (< 5 cm² 6, 5-20 cm² 12, > 20 cm² 18), maximum 84;
// ECCA = sum of weight x count band (0 none, 1 fewer than 5, 2 from 5 to 20, 3 more than 20), maximum 540.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "grading/grading.h"
#include "grading_fixtures.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::add_scars;
using test::lists;
using test::row;
using test::scanned;

class GradingScales : public ::testing::Test {
 protected:
  GradingKnowledge kb = load_grading_knowledge(test::test_kb_dir() / "grading.json");
};

// Small shallow boxcar scars: 3 mm wide, 300 µm deep (< 500 µm: Jacob's shallow band) ->
// "punched-out scars with shallow bases, small", 2 points.
TEST_F(GradingScales, GoodmanBaronCountBoundaries_10_11_20_21) {
  const std::vector<std::pair<int, int>> expected{{1, 2}, {10, 2}, {11, 4}, {20, 4}, {21, 6}, {40, 6}};
  for (const auto& [count, points] : expected) {
    ScarInventory inventory = scanned();
    add_scars(inventory, count, ScarType::boxcar, 3.0, 300.0);
    const Grades grades = grade_inventory(inventory, nullptr, kb);
    const GradeItem& shallow = row(grades.goodman_baron_quantitative, "punched_out_shallow_small");
    EXPECT_EQ(shallow.count, count);
    EXPECT_EQ(shallow.points, points) << count << " scars";
    EXPECT_EQ(grades.goodman_baron_quantitative.value, points) << count << " scars";
  }
}

// Ice pick scars are ECCA's V-shaped item, weight 15.
TEST_F(GradingScales, EccaCountBoundaries_4_5_20_21) {
  const std::vector<std::pair<int, int>> expected{{1, 15}, {4, 15}, {5, 30}, {20, 30}, {21, 45}};
  for (const auto& [count, points] : expected) {
    ScarInventory inventory = scanned();
    add_scars(inventory, count, ScarType::ice_pick, 1.0, 800.0);
    const Grades grades = grade_inventory(inventory, nullptr, kb);
    const GradeItem& v_shaped = row(grades.ecca, "v_shaped");
    EXPECT_EQ(v_shaped.count, count);
    EXPECT_EQ(v_shaped.points, points) << count << " scars";
    EXPECT_EQ(grades.ecca.value, points) << count << " scars";
    EXPECT_FALSE(grades.ecca.value_high.has_value());
  }
  ScarInventory none = scanned();
  EXPECT_EQ(grade_inventory(none, nullptr, kb).ecca.value, 0);
}

// CLINICAL.md 2.3's worked example: V x 8 -> band 2 -> 30; U x 15 -> band 2 -> 40; M x 3 -> band 1 -> 25; 95.
TEST_F(GradingScales, EccaWorkedExampleOfClinicalNote) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 8, ScarType::ice_pick, 1.0, 700.0);
  add_scars(inventory, 15, ScarType::boxcar, 3.0, 300.0);
  add_scars(inventory, 3, ScarType::rolling, 6.0, 250.0);
  const Grades grades = grade_inventory(inventory, nullptr, kb);
  EXPECT_EQ(row(grades.ecca, "v_shaped").points, 30);
  EXPECT_EQ(row(grades.ecca, "u_shaped").points, 40);
  EXPECT_EQ(row(grades.ecca, "m_shaped").points, 25);
  EXPECT_EQ(grades.ecca.value, 95);
  EXPECT_EQ(grades.ecca.maximum, 540);
  // Elastolysis is a clinician's finding: without it the grade says so.
  EXPECT_TRUE(lists(grades.ecca.missing_inputs, "superficial_elastolysis"));
  EXPECT_EQ(grades.ecca.basis, GradeBasis::three_d_only);
}

// A cheek: 12 shallow boxcars (B, 2 pts x2 = 4), 3 ice picks (C, 3 pts x1 = 3), 2 rolling scars
// 250 µm deep (< 300 µm: mildly atrophic dish-like, A, 1 pt x1 = 1), one raised scar 4 mm wide
// (0.126 cm² < 5 cm²: 6 pts) -> 14. ECCA: V 3 -> 15, U 12 -> 40, M 2 -> 25, recent hypertrophic
// (age unknown: counted recent) 1 -> 40 = 120, or 130 if the raised scar is older than 2 years (50).
TEST_F(GradingScales, GoodmanBaronWorkedExampleOfACheek) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 12, ScarType::boxcar, 3.0, 300.0);
  add_scars(inventory, 3, ScarType::ice_pick, 1.0, 700.0);
  add_scars(inventory, 2, ScarType::rolling, 6.0, 250.0);
  add_scars(inventory, 1, ScarType::hypertrophic, 4.0, 600.0);
  const Grades grades = grade_inventory(inventory, nullptr, kb);
  const ScaleGrade& gbq = grades.goodman_baron_quantitative;
  EXPECT_EQ(row(gbq, "punched_out_shallow_small").points, 4);
  EXPECT_EQ(row(gbq, "punched_out_deep_abnormal_base").points, 3);
  EXPECT_EQ(row(gbq, "mild_dish").points, 1);
  EXPECT_EQ(row(gbq, "hypertrophic").points, 6);
  EXPECT_NEAR(*row(gbq, "hypertrophic").area_cm2, 0.1257, 1e-3);
  EXPECT_EQ(gbq.value, 14);
  EXPECT_EQ(gbq.maximum, 84);
  EXPECT_EQ(gbq.coverage_cm2, 16.0);
  EXPECT_TRUE(lists(gbq.missing_inputs, "macular_scars"));
  EXPECT_TRUE(lists(gbq.missing_inputs, "papular_scars"));
  EXPECT_FALSE(lists(gbq.missing_inputs, "scar_measurements"));

  EXPECT_EQ(grades.ecca.value, 120);
  ASSERT_TRUE(grades.ecca.value_high.has_value());
  EXPECT_EQ(*grades.ecca.value_high, 130);
  EXPECT_TRUE(lists(grades.ecca.missing_inputs, "hypertrophic_age_months"));

  // Ice pick scars make the qualitative grade 4 whatever the stretch test says.
  EXPECT_EQ(grades.goodman_baron_qualitative.low, 4);
  EXPECT_EQ(grades.goodman_baron_qualitative.high, 4);
  EXPECT_EQ(grades.goodman_baron_qualitative.value_text(), "4");
  EXPECT_FALSE(lists(grades.goodman_baron_qualitative.missing_inputs, "stretch_test"));
}

// Every row at its top: each lesion type more than 20 times (x3), hypertrophic area over 20 cm²,
// and for ECCA every item more than 20 times, with 25 elastolytic areas given by the clinician.
TEST_F(GradingScales, MaximaAre84And540) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 21, ScarType::rolling, 6.0, 200.0);   // mild dish-like        A 1 x3 = 3
  add_scars(inventory, 21, ScarType::rolling, 6.0, 400.0);   // moderate dish-like    B 2 x3 = 6
  add_scars(inventory, 21, ScarType::boxcar, 3.0, 300.0);    // shallow, small        B 2 x3 = 6
  add_scars(inventory, 21, ScarType::boxcar, 6.0, 300.0);    // shallow broad (>=5mm) B 2 x3 = 6
  add_scars(inventory, 21, ScarType::boxcar, 3.0, 600.0);    // deep, normal base     C 3 x3 = 9
  add_scars(inventory, 21, ScarType::ice_pick, 1.0, 900.0);  // deep, abnormal base   C 3 x3 = 9
  add_scars(inventory, 21, ScarType::rolling, 12.0, 600.0);  // deep broad (>=10mm)   C 3 x3 = 9
  for (int i = 0; i < 21; ++i) {                              // linear / troughed     C 3 x3 = 9
    Scar trough = test::measured_scar(static_cast<int>(inventory.scars.size()) + 1, ScarType::rolling, 6.0, 200.0);
    trough.major_mm = 12.0;
    trough.minor_mm = 3.0;
    inventory.scars.push_back(trough);
  }
  add_scars(inventory, 42, ScarType::hypertrophic, 12.0, 400.0);  // 42 x 1.13 cm² = 47.5 cm² -> 18
  ClinicianInputs clinician;
  clinician.macular_erythematous = 15;  // 15 + 6 = 21 macular -> A 1 x3 = 3
  clinician.macular_hyperpigmented = 6;
  clinician.papular_scars = 30;         // D 2 x3 = 6
  clinician.superficial_elastolysis_count = 25;
  for (const Scar& scar : inventory.scars) {
    if (scar.type != ScarType::hypertrophic) continue;
    // Half recent, half older than two years: 21 each, both at band 3.
    clinician.hypertrophic_age_months[scar.id] = clinician.hypertrophic_age_months.size() < 21 ? 6.0 : 36.0;
  }
  const Grades grades = grade_inventory(inventory, &clinician, kb);
  const ScaleGrade& gbq = grades.goodman_baron_quantitative;
  for (const GradeItem& item : gbq.items) {
    if (item.id != "hypertrophic") {
      EXPECT_EQ(item.band, 3) << item.id << " has " << item.count;
    }
  }
  EXPECT_EQ(row(gbq, "linear_troughed").count, 21);
  EXPECT_EQ(row(gbq, "deep_broad").count, 21);
  EXPECT_EQ(row(gbq, "hypertrophic").points, 18);
  EXPECT_EQ(gbq.value, 84);
  EXPECT_EQ(gbq.value, gbq.maximum);
  EXPECT_TRUE(gbq.missing_inputs.empty());
  EXPECT_EQ(gbq.basis, GradeBasis::three_d_plus_clinician);

  for (const GradeItem& item : grades.ecca.items) EXPECT_EQ(item.band, 3) << item.id << " has " << item.count;
  EXPECT_EQ(grades.ecca.value, 540);
  EXPECT_FALSE(grades.ecca.value_high.has_value());
  EXPECT_TRUE(grades.ecca.missing_inputs.empty());
}

// Raised scars are scored by their total area: < 5 cm² 6, 5-20 cm² 12, > 20 cm² 18.
TEST_F(GradingScales, HypertrophicAreaBands) {
  const std::vector<std::pair<double, int>> expected{{1.0, 6}, {4.99, 6}, {5.0, 12}, {20.0, 12}, {20.01, 18}};
  for (const auto& [area_cm2, points] : expected) {
    ScarInventory inventory = scanned();
    Scar raised = test::measured_scar(1, ScarType::hypertrophic, 10.0, 500.0);
    raised.area_mm2 = area_cm2 * 100.0;
    inventory.scars.push_back(raised);
    const Grades grades = grade_inventory(inventory, nullptr, kb);
    EXPECT_EQ(row(grades.goodman_baron_quantitative, "hypertrophic").points, points) << area_cm2 << " cm²";
  }
}

// Jacob's deep boxcar starts at 0.5 mm: 500 µm is deep (C, 3 points), 499 µm is shallow (B, 2).
TEST_F(GradingScales, DeepBoxcarThresholdIsInclusive) {
  ScarInventory deep = scanned();
  add_scars(deep, 1, ScarType::boxcar, 3.0, 500.0);
  EXPECT_EQ(grade_inventory(deep, nullptr, kb).goodman_baron_quantitative.value, 3);
  ScarInventory shallow = scanned();
  add_scars(shallow, 1, ScarType::boxcar, 3.0, 499.0);
  EXPECT_EQ(grade_inventory(shallow, nullptr, kb).goodman_baron_quantitative.value, 2);
}

TEST_F(GradingScales, QualitativeIsARangeWithoutTheStretchTest) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 5, ScarType::boxcar, 3.0, 300.0);   // shallow boxcar: 3 if it flattens, else 4
  add_scars(inventory, 2, ScarType::rolling, 6.0, 200.0);  // mild rolling: 2
  const Grades unknown = grade_inventory(inventory, nullptr, kb);
  const QualitativeGrade& grade = unknown.goodman_baron_qualitative;
  EXPECT_EQ(grade.low, 3);
  EXPECT_EQ(grade.high, 4);
  EXPECT_EQ(grade.value_text(), "3-4");
  EXPECT_EQ(grade.level, "moderate to severe");
  EXPECT_TRUE(lists(grade.missing_inputs, "stretch_test"));
  EXPECT_EQ(grade.findings.size(), 5u);  // the boxcars decide; the mild rolling scars do not
  const nlohmann::json json = grades_to_json(unknown);
  EXPECT_EQ(json["goodman_baron_qualitative"]["value"], "3-4");
  EXPECT_EQ(json["goodman_baron_qualitative"]["basis"], "3d_only");

  ClinicianInputs flattens;
  flattens.stretch_flattens = true;
  const QualitativeGrade moderate = grade_inventory(inventory, &flattens, kb).goodman_baron_qualitative;
  EXPECT_EQ(moderate.value_text(), "3");
  EXPECT_EQ(moderate.level, "moderate");
  EXPECT_FALSE(lists(moderate.missing_inputs, "stretch_test"));
  EXPECT_EQ(grades_to_json(grade_inventory(inventory, &flattens, kb))["goodman_baron_qualitative"]["value"], 3);

  ClinicianInputs stays;
  stays.stretch_flattens = false;
  EXPECT_EQ(grade_inventory(inventory, &stays, kb).goodman_baron_qualitative.value_text(), "4");
}

TEST_F(GradingScales, QualitativeMildMacularAndNothing) {
  ScarInventory mild = scanned();
  add_scars(mild, 3, ScarType::rolling, 6.0, 150.0);
  EXPECT_EQ(grade_inventory(mild, nullptr, kb).goodman_baron_qualitative.value_text(), "2");

  ScarInventory clear = scanned();
  const Grades nothing = grade_inventory(clear, nullptr, kb);
  EXPECT_EQ(nothing.goodman_baron_qualitative.high, 0);
  EXPECT_EQ(nothing.goodman_baron_qualitative.level, "no scarring found");
  // Flat marks could still be there: a scan cannot see them.
  EXPECT_TRUE(lists(nothing.goodman_baron_qualitative.missing_inputs, "macular_scars"));
  EXPECT_EQ(nothing.goodman_baron_quantitative.value, 0);

  ClinicianInputs macular;
  macular.macular_erythematous = 6;
  const Grades marks = grade_inventory(clear, &macular, kb);
  EXPECT_EQ(marks.goodman_baron_qualitative.value_text(), "1");
  EXPECT_EQ(marks.goodman_baron_qualitative.level, "macular");
  EXPECT_EQ(marks.goodman_baron_quantitative.value, 1);  // 6 macular scars: 1 point x1
  EXPECT_EQ(row(marks.goodman_baron_quantitative, "macular").source, "clinician");
}

TEST_F(GradingScales, AHandCountIsClinicianOnlyAndSaysWhatItAssumed) {
  const ScarInventory counted =
      inventory_from_json(nlohmann::json::parse(R"({"counts": {"boxcar": 12, "ice_pick": 2}})"), "exam.json");
  const Grades grades = grade_inventory(counted, nullptr, kb);
  const ScaleGrade& gbq = grades.goodman_baron_quantitative;
  EXPECT_EQ(gbq.basis, GradeBasis::clinician_only);
  EXPECT_FALSE(gbq.coverage_cm2.has_value());
  // Depth unknown: 12 boxcars counted as shallow (2 x2 = 4), 2 ice picks 3 x1 = 3.
  EXPECT_EQ(gbq.value, 7);
  EXPECT_EQ(row(gbq, "punched_out_shallow_small").unlisted, 12);
  EXPECT_TRUE(lists(gbq.missing_inputs, "scar_measurements"));
  const nlohmann::json json = grades_to_json(grades);
  EXPECT_TRUE(json["goodman_baron_quantitative"]["coverage_cm2"].is_null());
  EXPECT_EQ(json["goodman_baron_quantitative"]["basis"], "clinician_only");

  // The clinician says the boxcars do not flatten on stretching: deep, 3 points x2 = 6.
  ClinicianInputs stretch;
  stretch.stretch_flattens = false;
  EXPECT_EQ(grade_inventory(counted, &stretch, kb).goodman_baron_quantitative.value, 9);
}

TEST_F(GradingScales, DepthSeenOnlyAsALowerBoundIsNotCalledShallow) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 1, ScarType::boxcar, 1.8, 350.0);
  inventory.scars[0].depth_is_lower_bound = true;  // the floor was not seen: it is at least 350 µm deep
  const Grades grades = grade_inventory(inventory, nullptr, kb);
  EXPECT_TRUE(lists(grades.goodman_baron_quantitative.missing_inputs, "scar_measurements"));
  const GradeItem& item = row(grades.goodman_baron_quantitative, "punched_out_shallow_small");
  ASSERT_EQ(item.count, 1);
  bool said = false;
  for (const std::string& note : item.notes) said |= note.find("depth only a lower bound (floor not seen)") != std::string::npos;
  EXPECT_TRUE(said) << "the row does not say why the depth is unknown";
  // A lower bound beyond the threshold is as good as a measurement.
  inventory.scars[0].depth_um = 650.0;
  const Grades deep = grade_inventory(inventory, nullptr, kb);
  EXPECT_EQ(row(deep.goodman_baron_quantitative, "punched_out_deep_normal_base").count, 1);
  EXPECT_FALSE(lists(deep.goodman_baron_quantitative.missing_inputs, "scar_measurements"));
}

TEST_F(GradingScales, MergedScansAddUp) {
  ScarInventory left = scanned();
  add_scars(left, 6, ScarType::boxcar, 3.0, 300.0);
  ScarInventory right = scanned();
  right.scans = {"chin.x3p"};
  add_scars(right, 5, ScarType::boxcar, 3.0, 300.0);
  // Each scan alone: 6 or 5 shallow boxcars -> x1 -> 2 points. Together 11 -> x2 -> 4 points over 32 cm².
  EXPECT_EQ(grade_inventory(left, nullptr, kb).goodman_baron_quantitative.value, 2);
  const ScarInventory visit = merge_inventories({left, right});
  const Grades grades = grade_inventory(visit, nullptr, kb);
  EXPECT_EQ(grades.goodman_baron_quantitative.value, 4);
  EXPECT_EQ(*grades.goodman_baron_quantitative.coverage_cm2, 32.0);
  EXPECT_EQ(grades.ecca.value, 40);  // 11 U-shaped -> band 2 x 20
  EXPECT_NE(grades_text(grades).find("2 scans"), std::string::npos);
}

TEST_F(GradingScales, TextSaysEstimateFromThe3dScan) {
  ScarInventory inventory = scanned();
  add_scars(inventory, 12, ScarType::boxcar, 3.0, 300.0);
  const std::string text = grades_text(grade_inventory(inventory, nullptr, kb));
  EXPECT_NE(text.find("Goodman & Baron quantitative: 4 / 84   estimate from 3D scan (16.0 cm²)"), std::string::npos) << text;
  EXPECT_NE(text.find("Goodman & Baron qualitative: 3-4"), std::string::npos) << text;
  EXPECT_NE(text.find("ECCA: 40 / 540   estimate from 3D scan"), std::string::npos) << text;
  EXPECT_NE(text.find("stretch test"), std::string::npos) << text;
  EXPECT_NE(text.find("12 -> multiplier 2 x 2 points = 4"), std::string::npos) << text;

  // With every missing input supplied by a clinician the grade no longer calls itself a 3D estimate.
  ClinicianInputs complete;
  complete.macular_erythematous = 0;
  complete.papular_scars = 0;
  complete.superficial_elastolysis = false;
  complete.stretch_flattens = true;
  const Grades full = grade_inventory(inventory, &complete, kb);
  EXPECT_TRUE(full.goodman_baron_quantitative.missing_inputs.empty());
  EXPECT_TRUE(full.ecca.missing_inputs.empty());
  EXPECT_TRUE(full.goodman_baron_qualitative.missing_inputs.empty());
  const std::string full_text = grades_text(full);
  EXPECT_NE(full_text.find("Goodman & Baron quantitative: 4 / 84   3D scan (16.0 cm²) with clinician inputs"), std::string::npos)
      << full_text;
  EXPECT_EQ(grades_to_json(full)["ecca"]["basis"], "3d_plus_clinician");
}

}  // namespace
}  // namespace scarscope
