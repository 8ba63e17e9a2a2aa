// A process that embeds the library may run under a comma-decimal locale (a server started with
// LANG=de_DE.UTF-8 that calls std::locale::global, or setlocale). The JSON, CSV and text the
// library's workflows write must not change with it (test::CommaDecimalLocale generates de_DE).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "scars/scar_csv.h"
#include "test_support.h"
#include "workflow_fixtures.h"
#include "workflows/assessment.h"
#include "workflows/visit_plan.h"

namespace scarscope {
namespace {

struct Outputs {
  std::string analysis, csv, grades, plan_json, plan_text;
  bool operator==(const Outputs&) const = default;
};

Outputs everything() {
  const Assessment assessment = analyze_scan(test::visit_scans(3).baseline_input(), {}, test::shipped_knowledge());
  PlanVisitRequest request;
  request.date = CalendarDate::parse("2026-03-02", "date");
  request.assessments = {read_inventory(test::test_data("planning/cheek.analysis.json"))};
  request.patient = read_patient_profile(test::test_data("planning/patient_fitz2.json"), request.date);
  request.clinician = read_clinician_inputs(test::test_data("planning/clinician.json"));
  const VisitPlan plan = plan_visit(request, test::shipped_knowledge());
  return {to_json(assessment).dump(2), scar_csv_rows(assessment.scars, "scan.x3p"), grades_text(assessment.grades),
          to_json(plan).dump(2), plan_to_text(plan.plan, true)};
}

TEST(Locale, ACommaDecimalLocaleChangesNothingTheLibraryWrites) {
  const Outputs classic = everything();
  Outputs german;
  std::string probe;
  {
    const test::CommaDecimalLocale comma;
    std::ostringstream stream;
    stream << 0.5;
    probe = stream.str();
    german = everything();
  }
  ASSERT_EQ(probe, "0,5") << "the locale was in force: streams wrote a comma";
  EXPECT_EQ(german.analysis, classic.analysis);
  EXPECT_EQ(german.csv, classic.csv);
  EXPECT_EQ(german.grades, classic.grades);
  EXPECT_EQ(german.plan_json, classic.plan_json);
  EXPECT_EQ(german.plan_text, classic.plan_text);
  EXPECT_NE(classic.csv.find('.'), std::string::npos);
}

}  // namespace
}  // namespace scarscope
