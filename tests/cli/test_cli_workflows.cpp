// The CLI is a thin shell over the workflows: what `scarscope analyze|grade|plan|compare --json`
// writes is exactly what the workflow returns for the same input (plus, for plan and grade, the
// file names the command was given), stamped with the version fields. A stored analysis of an
// older schema is planned from; one of a newer schema is refused with exit 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "test_support.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/progress_series.h"
#include "workflows/visit_grades.h"
#include "workflows/visit_plan.h"

namespace scarscope::test {
namespace {

using nlohmann::json;

std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

class CliWorkflows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new TempDir();
    for (const auto& [name, extra] : {std::pair<std::string, std::string>{"cheek", "--seed 5"},
                                      {"cheek_f", "--seed 6 --followup-of " + quoted(*directory / "cheek.truth.json") + " --response 0.7"}}) {
      const CommandResult made = run_cli("synth --preset cheek --size-mm 16 16 --spacing-um 40 --scars 6 " + extra +
                                         " --out " + quoted(*directory / (name + ".x3p")));
      ASSERT_EQ(made.exit_code, 0) << made.err;
    }
    knowledge = new Knowledge(load_knowledge(test_kb_dir()));
  }
  static void TearDownTestSuite() {
    delete knowledge;
    delete directory;
  }
  static json written(const std::string& file) { return read_json_file(*directory / file); }
  static std::filesystem::path path(const std::string& file) { return *directory / file; }

  static inline TempDir* directory = nullptr;
  static inline Knowledge* knowledge = nullptr;
};

TEST_F(CliWorkflows, AnalyzeWritesTheWorkflowsAssessment) {
  const CommandResult cli = run_cli("analyze " + quoted(path("cheek.x3p")) + " --json " + quoted(path("cheek.analysis.json")));
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json document = written("cheek.analysis.json");
  EXPECT_EQ(document, to_json(analyze_scan(ScanInput::file(path("cheek.x3p")), {}, *knowledge)));
  EXPECT_EQ(document["scarscope"]["version"], SCARSCOPE_VERSION);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::analysis));
}

TEST_F(CliWorkflows, GradeAndPlanWriteTheWorkflowsResultsAndTheFilesTheyWereGiven) {
  ASSERT_EQ(run_cli("analyze " + quoted(path("cheek.x3p")) + " --json " + quoted(path("a.json"))).exit_code, 0);
  const std::filesystem::path clinician = path("exam.json");
  write_text_file(clinician, R"({"macular_scars": {"erythematous": 2}, "scars": {"1": {"stretch_flattens": true}}})");
  const CommandResult graded = run_cli("grade " + quoted(path("a.json")) + " --clinician " + quoted(clinician) + " --json " +
                                       quoted(path("grades.json")));
  ASSERT_EQ(graded.exit_code, 0) << graded.err;
  json grades = written("grades.json");
  EXPECT_EQ(grades["inventories"], json::array({path("a.json").string()}));
  grades.erase("inventories");
  EXPECT_EQ(grades, to_json(grade_visit({read_inventory(path("a.json"))}, read_clinician_inputs(clinician), *knowledge)));
  EXPECT_EQ(grades["scarscope"]["schema"], current_schema(ResultKind::grades));

  const std::filesystem::path patient = test_data("planning/patient_fitz2.json");
  const CommandResult planned = run_cli("plan --assessment " + quoted(path("a.json")) + " --patient " + quoted(patient) +
                                        " --date 2026-03-02 --json " + quoted(path("plan.json")));
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  json plan = written("plan.json");
  EXPECT_EQ(plan["patient_file"], patient.string());
  plan.erase("assessments");
  plan.erase("patient_file");
  PlanVisitRequest request;
  request.date = CalendarDate::parse("2026-03-02", "date");
  request.assessments = {read_inventory(path("a.json"))};
  request.patient = read_patient_profile(patient, request.date);
  EXPECT_EQ(plan, to_json(plan_visit(request, *knowledge)));
  EXPECT_EQ(plan["knowledge_base"]["sha256"], knowledge->treatments->sha256);
}

TEST_F(CliWorkflows, CompareWritesTheWorkflowsComparisonAndSeries) {
  const CommandResult cli = run_cli("compare " + quoted(path("cheek.x3p")) + " " + quoted(path("cheek_f.x3p")) + " --json " +
                                    quoted(path("compare.json")));
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  CompareRequest request;
  request.baseline.scan = ScanInput::file(path("cheek.x3p"));
  request.followup.scan = ScanInput::file(path("cheek_f.x3p"));
  EXPECT_EQ(written("compare.json"), to_json(compare_scans(request)));
  EXPECT_EQ(written("compare.json")["scarscope"]["schema"], current_schema(ResultKind::comparison));

  const CommandResult series = run_cli("compare --series " + quoted(path("cheek.x3p")) + " " + quoted(path("cheek_f.x3p")) +
                                       " --json " + quoted(path("series.json")));
  ASSERT_EQ(series.exit_code, 0) << series.err;
  const std::vector<ComparedVisit> visits{{ScanInput::file(path("cheek.x3p")), std::nullopt},
                                          {ScanInput::file(path("cheek_f.x3p")), std::nullopt}};
  EXPECT_EQ(written("series.json"), to_json(progress_series(visits)));
}

TEST_F(CliWorkflows, AnOlderStoredAnalysisIsPlannedFromAndANewerOneRefused) {
  ASSERT_EQ(run_cli("analyze " + quoted(path("cheek.x3p")) + " --json " + quoted(path("stored.json"))).exit_code, 0);
  json older = written("stored.json");
  older.erase("scarscope");
  write_text_file(path("older.json"), older.dump());
  const std::string plan_args = " --patient " + quoted(test_data("planning/patient_fitz2.json")) + " --date 2026-03-02";
  EXPECT_EQ(run_cli("plan --assessment " + quoted(path("older.json")) + plan_args).exit_code, 0);

  json newer = written("stored.json");
  newer["scarscope"]["schema"] = current_schema(ResultKind::analysis) + 1;
  write_text_file(path("newer.json"), newer.dump());
  const CommandResult refused = run_cli("plan --assessment " + quoted(path("newer.json")) + plan_args);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("newer.json: scarscope.schema"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("upgrade ScarScope"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace scarscope::test
