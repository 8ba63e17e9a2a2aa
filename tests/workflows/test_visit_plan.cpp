// grade_visit and plan_visit: a visit's scars graded and planned with the knowledge base as a value,
// the results stamped and recording that knowledge base's version and hashes; their JSON read back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"
#include "test_support.h"
#include "workflow_fixtures.h"
#include "workflows/assessment.h"
#include "workflows/visit_grades.h"
#include "workflows/visit_plan.h"

namespace scarscope {
namespace {

using nlohmann::json;

ScarInventory demo_inventory() {
  return read_inventory(test::test_data("planning/cheek.analysis.json"));
}

PlanVisitRequest demo_request() {
  PlanVisitRequest request;
  request.date = CalendarDate::parse("2026-03-02", "date");
  request.assessments = {demo_inventory()};
  request.patient = read_patient_profile(test::test_data("planning/patient_fitz2.json"), request.date);
  request.clinician = read_clinician_inputs(test::test_data("planning/clinician.json"));
  return request;
}

TEST(PlanVisit, APlanRecordsTheKnowledgeBaseItWasMadeWith) {
  const VisitPlan result = plan_visit(demo_request(), test::shipped_knowledge());
  EXPECT_EQ(result.plan.status, PlanStatus::plan);
  EXPECT_EQ(result.plan.basis, GradeBasis::three_d_plus_clinician);
  const json document = to_json(result);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::plan));
  EXPECT_EQ(document["knowledge_base"]["sha256"], test::shipped_knowledge().treatments->sha256);
  EXPECT_TRUE(document["knowledge_base"]["clinic_sha256"].is_null());
  EXPECT_EQ(document["basis"], "3d_plus_clinician");
  EXPECT_EQ(document.dump().find(test::test_kb_dir().string()), std::string::npos);
  EXPECT_EQ(to_json(visit_plan_from_json(document, "plan.json")), document) << "a stored plan reads back unchanged";
}

// A plan that primes dark skin schedules the priming course with its end ("until"), and items whose
// sources disagree carry each source's figures: both must survive a store-and-read of the plan.
TEST(PlanVisit, APrimedPlanWithEvidenceFiguresReadsBackUnchanged) {
  PlanVisitRequest request = demo_request();
  request.patient.fitzpatrick = 5;
  const json document = to_json(plan_visit(request, test::shipped_knowledge()));
  bool has_until = false;
  for (const json& session : document["schedule"]) has_until = has_until || session.contains("until");
  bool has_figures = false;
  for (const json& stage : document["stages"]) {
    for (const json& item : stage["items"]) {
      for (const json& evidence : item["evidence"]) has_figures = has_figures || evidence.contains("figures");
    }
  }
  ASSERT_TRUE(has_until) << "the Fitzpatrick V plan schedules priming: " << document["schedule"].dump();
  ASSERT_TRUE(has_figures) << "some item's sources give their own figures";
  EXPECT_EQ(to_json(visit_plan_from_json(document, "plan.json")), document) << "priming and figures read back";
}

TEST(PlanVisit, AClinicLayerIsExplicitAndLeavesTheBaseAsItWas) {
  const Knowledge& base = test::shipped_knowledge();
  const double base_sessions = base.treatments->modality("tca_cross").sessions.value->min;
  const json layer = json::parse(R"({"clinic": "Test clinic", "available_modalities": ["tca_cross", "subcision", "microneedling"],
                                    "modalities": {"tca_cross": {"sessions": {"value": [4, 8]}}}})");
  const Knowledge clinic = with_clinic_override(base, layer, "clinic.json");
  EXPECT_EQ(clinic.treatments->sha256, base.treatments->sha256) << "the base layer is the same";
  EXPECT_EQ(clinic.treatments->clinic_sha256.size(), 64u);
  EXPECT_TRUE(base.treatments->clinic_sha256.empty());
  EXPECT_EQ(base.treatments->modality("tca_cross").sessions.value->min, base_sessions) << "the base was not changed";
  EXPECT_NE(base_sessions, 4.0);

  const VisitPlan planned = plan_visit(demo_request(), clinic);
  EXPECT_EQ(planned.plan.clinic, "Test clinic");
  EXPECT_EQ(planned.plan.find_item("tca_cross")->sessions->min, 4);
  EXPECT_FALSE(planned.plan.has_item("fractional_co2"));
  EXPECT_EQ(to_json(planned)["knowledge_base"]["clinic_sha256"], clinic.treatments->clinic_sha256);

  // A layer naming a modality the kb does not have is refused, naming it.
  try {
    with_clinic_override(base, json::parse(R"({"available_modalities": ["tca_cros"]})"), "typo.json");
    FAIL() << "a typo was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.field(), "available_modalities[0]");
  }
}

TEST(Knowledge, TheHashFollowsTheContentNotTheFormatting) {
  test::TempDir dir;
  for (const char* file : {"grading.json", "treatments.json", "planning_rules.json"}) {
    // The same content written with other spacing and key order.
    test::write_text_file(dir / file, read_json_file(test::test_kb_dir() / file).dump(1, '\t'));
  }
  const Knowledge copy = load_knowledge(dir.path());
  EXPECT_EQ(copy.grading.sha256, test::shipped_knowledge().grading.sha256);
  EXPECT_EQ(copy.treatments->sha256, test::shipped_knowledge().treatments->sha256);

  json grading = read_json_file(test::test_kb_dir() / "grading.json");
  grading["thresholds"]["deep_atrophic_depth_um"]["value"] = 450;
  const Knowledge changed = knowledge_from_json(grading, read_json_file(test::test_kb_dir() / "treatments.json"),
                                                read_json_file(test::test_kb_dir() / "planning_rules.json"));
  EXPECT_NE(changed.grading.sha256, test::shipped_knowledge().grading.sha256);
  EXPECT_EQ(changed.treatments->sha256, test::shipped_knowledge().treatments->sha256);

  try {
    (void)Knowledge{test::shipped_knowledge().grading, nullptr}.treatment_knowledge();
    FAIL() << "plans without a treatment kb";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::missing_field);
  }
}

TEST(GradeVisit, SeveralScansAreMergedAndTheGradesReadBack) {
  ScarInventory left = demo_inventory();
  ScarInventory right = demo_inventory();
  left.scans = {"left.x3p"};
  right.scans = {"right.x3p"};
  const VisitGrades graded = grade_visit({left, right}, std::nullopt, test::shipped_knowledge());
  EXPECT_EQ(graded.inventory.scars.size(), 2 * demo_inventory().scars.size());
  ASSERT_EQ(graded.merged_ids.size(), graded.inventory.scars.size());
  EXPECT_EQ(graded.merged_ids.back().scan, "right.x3p");
  const json document = to_json(graded);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::grades));
  EXPECT_EQ(document["counts"]["ice_pick"], 4);
  EXPECT_EQ(to_json(visit_grades_from_json(document, "grades.json")), document);
  EXPECT_THROW(grade_visit({}, std::nullopt, test::shipped_knowledge()), InputError);
}

}  // namespace
}  // namespace scarscope
