// The clinician's report of a full course, read back as a clinician would read it: the PDF's text
// (pdftotext) holds the patient, the scar count and table, the grades with their basis, the accepted
// plan's modalities, the sessions and the adverse event, and the progress in figures.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "clinic/vocabulary.h"
#include "core/format.h"
#include "course_fixture.h"
#include "report/reports.h"
#include "workflows/assessment.h"

namespace scarscope::test {
namespace {

struct ClinicianReportRead {
  report::PatientCourse course;
  std::filesystem::path pdf;
  std::string text;  // flattened
};

const ClinicianReportRead& clinician_report() {
  static const ClinicianReportRead read = [] {
    FullCourse& full = full_course();
    ClinicianReportRead made;
    made.course = read_course(*full.record, full.patient_id);
    const Bytes pdf = report::clinician_report_pdf(made.course, report_resources().context(report_moment()));
    made.pdf = artifact_dir() / "clinician-report.pdf";
    write_bytes(made.pdf, pdf);
    made.text = flattened(pdf_text(made.pdf));
    return made;
  }();
  return read;
}

std::string number(double value, int decimals) { return fixed_decimal(value, decimals); }

TEST(ClinicianReport, NamesThePatientAndTheVisitWithAccentsAndTheDateItWasMade) {
  const ClinicianReportRead& report = clinician_report();
  EXPECT_NE(report.text.find("Clinician report"), std::string::npos);
  EXPECT_NE(report.text.find("Inês Łopez-Müller"), std::string::npos) << report.text.substr(0, 600);
  EXPECT_NE(report.text.find("Clinique Dermatologique Saint-Émile"), std::string::npos);
  EXPECT_NE(report.text.find("SE-2026-0142"), std::string::npos);
  const report::CourseVisit& latest = report.course.visits.back();
  EXPECT_EQ(report.course.focus_visit, report.course.visits.size() - 1) << "the latest analysed visit is the focus";
  EXPECT_NE(report.text.find("Visit of " + report_resources().text.date(latest.visit.date) + ", left cheek"), std::string::npos);
  EXPECT_NE(report.text.find("generated 20 January 2027"), std::string::npos);
  EXPECT_NE(report.text.find(std::string("ScarScope ") + SCARSCOPE_VERSION), std::string::npos);
  EXPECT_NE(report.text.find("grading " + report_resources().knowledge.grading.version), std::string::npos);
  EXPECT_NE(report.text.find("treatments " + report_resources().knowledge.treatments->version), std::string::npos);
}

TEST(ClinicianReport, HasNumberedPagesAndKeepsAFirstPagePicture) {
  const ClinicianReportRead& report = clinician_report();
  const int pages = pdf_pages(report.pdf);
  EXPECT_GE(pages, 3);
  for (int page = 1; page <= pages; ++page) {
    EXPECT_NE(report.text.find("Page " + std::to_string(page) + " of " + std::to_string(pages)), std::string::npos) << page;
  }
  const std::filesystem::path png = first_page_png(report.pdf, "clinician-report-page1");
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_GT(std::filesystem::file_size(png), 10000u) << "a first page with the scar map is not a blank page";
}

TEST(ClinicianReport, ListsEveryScarOfTheVisitWithItsTypeSizeAndUnits) {
  const ClinicianReportRead& report = clinician_report();
  const report::CourseScan& scan = *report.course.visits.back().first_analysed();
  const ScarInventory& scars = scan.in_force->scars;
  ASSERT_GT(scars.scars.size(), 2u);
  EXPECT_NE(report.text.find("Scars (" + std::to_string(scars.counts().total()) + ")"), std::string::npos);
  EXPECT_NE(report.text.find("Depth µm"), std::string::npos);
  EXPECT_NE(report.text.find("Volume mm³"), std::string::npos);
  bool lower_bound = false;
  for (const Scar& scar : scars.scars) {
    // Hypertrophic scars are raised: their height above the skin carries a "+".
    const std::string depth = std::string(scar.type == ScarType::hypertrophic ? "+" : "") +
                              (scar.depth_is_lower_bound ? "≥ " : "") + number(scar.depth_um, 0);
    const std::string row = std::to_string(scar.id) + " " + report_resources().text.scar_type_name(scar_type_name(scar.type)) +
                            (scar.corrected_by_clinician.empty() ? "" : " *") + " " + flattened(scar.reason) + " " +
                            number(scar.diameter_mm, 2) + " " + depth + " " + number(scar.volume_mm3, 3);
    EXPECT_NE(report.text.find(row), std::string::npos) << "row of scar " << scar.id << ": " << row;
    lower_bound = lower_bound || scar.depth_is_lower_bound;
  }
  if (lower_bound) {
    EXPECT_NE(report.text.find("the depth is a lower bound"), std::string::npos);
  }
  EXPECT_NE(report.text.find("*: corrected by a clinician (type"), std::string::npos) << "the fixture retyped one scar";
}

TEST(ClinicianReport, GivesEachGradeWithWhatItRestsOn) {
  const ClinicianReportRead& report = clinician_report();
  const Grades& grades = report.course.visits.back().first_analysed()->in_force->grades;
  const std::string quantitative = std::to_string(grades.goodman_baron_quantitative.value) + " of 84";
  EXPECT_NE(report.text.find("Goodman & Baron quantitative " + quantitative), std::string::npos) << quantitative;
  // ECCA is a range when the scan cannot see an input that would raise it (a hypertrophic scar's age).
  const std::string ecca = std::to_string(grades.ecca.value) +
                           (grades.ecca.value_high ? "-" + std::to_string(*grades.ecca.value_high) : std::string());
  EXPECT_NE(report.text.find("ECCA " + ecca + " of 540"), std::string::npos) << ecca;
  EXPECT_NE(report.text.find("Goodman & Baron qualitative " + grades.goodman_baron_qualitative.value_text()),
            std::string::npos);
  // The latest scan was corrected by the clinician: its grades rest on the scan and those inputs.
  EXPECT_NE(report.text.find("3D scan (" + number(grades.ecca.coverage_cm2.value_or(0.0), 1) + " cm²) with the clinician's inputs"),
            std::string::npos);
  for (const std::string& missing : grades.goodman_baron_quantitative.missing_inputs) {
    EXPECT_NE(report.text.find(missing), std::string::npos) << missing;
  }
}

TEST(ClinicianReport, ShowsTheAcceptedPlanWithItsModalitiesScheduleAndSources) {
  const ClinicianReportRead& report = clinician_report();
  const report::CoursePlan* accepted = report.course.accepted_plan();
  ASSERT_NE(accepted, nullptr);
  EXPECT_NE(report.text.find("Accepted on " + report_resources().text.date(CalendarDate{std::chrono::floor<std::chrono::days>(*accepted->plan.accepted_at)}) +
                             " by Dr Ana Souza"),
            std::string::npos);
  EXPECT_NE(report.text.find("Agreed with the patient; priming first, as proposed."), std::string::npos);
  const KnowledgeBase& kb = *report_resources().knowledge.treatments;
  int items = 0;
  for (const PlanStage& stage : accepted->in_force.plan.stages) {
    for (const PlanItem& item : stage.items) {
      ++items;
      EXPECT_NE(report.text.find(kb.modality(item.modality).name), std::string::npos) << item.modality;
    }
  }
  EXPECT_GT(items, 0);
  for (const PlanWarning& warning : accepted->in_force.plan.warnings) {
    EXPECT_NE(report.text.find("[" + warning.id + "]"), std::string::npos) << warning.id;
  }
  for (const FiredRule& rule : accepted->in_force.plan.rules_fired) {
    EXPECT_NE(report.text.find("[" + rule.id + "]"), std::string::npos) << rule.id;
  }
  EXPECT_NE(report.text.find("Schedule (earliest dates)"), std::string::npos);
}

TEST(ClinicianReport, ListsTheSessionsGivenWithParametersAndTheAdverseEvent) {
  const ClinicianReportRead& report = clinician_report();
  const report::ReportText& text = report_resources().text;
  ASSERT_FALSE(report.course.sessions.empty());
  const std::string name = report_resources().knowledge.treatments->modality(full_course().session_modality).name;
  for (const report::CourseSession& given : report.course.sessions) {
    EXPECT_NE(report.text.find(text.date(given.session.date) + " " + name), std::string::npos) << given.session.date.to_string();
    for (const auto& [parameter, value] : given.session.parameters) {
      EXPECT_NE(report.text.find(parameter), std::string::npos) << parameter;
    }
  }
  const report::CourseSession& first = report.course.sessions.front();
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_NE(report.text.find("erythema mild " + text.date(first.events[0].onset) + " " + text.date(*first.events[0].resolved)),
            std::string::npos);
}

TEST(ClinicianReport, GivesTheProgressInFiguresAgainstEachScarsMinimalDetectableChange) {
  const ClinicianReportRead& report = clinician_report();
  ASSERT_TRUE(report.course.progress && report.course.progress->series);
  const SeriesComparison& series = report.course.progress->series->series;
  ASSERT_EQ(series.comparisons.size(), 2u);
  const GlobalChange& total = series.comparisons.back().global;
  EXPECT_LT(total.volume_change_pct, -10.0) << "the follow-ups' scars are half as deep";
  const std::string sentence = "total scar volume " + number(total.volume_before_mm3, 3) + " mm³ → " +
                               number(total.volume_after_mm3, 3) + " mm³ (" + number(total.volume_change_pct, 1) + " %)";
  EXPECT_NE(report.text.find(sentence), std::string::npos) << sentence;
  EXPECT_NE(report.text.find("Total scar volume (mm³) at each visit"), std::string::npos);
  EXPECT_NE(report.text.find("minimal detectable change (MDC95)"), std::string::npos);
  for (const ScarTrajectory& scar : series.scars) {
    const TrajectoryPoint& last = scar.points.back();
    if (!std::isfinite(last.volume_change_pct)) continue;
    const std::string change = (last.volume_change_pct > 0 ? "+" : "") + number(last.volume_change_pct, 1) + " %";
    EXPECT_NE(report.text.find(change + " " + number(last.volume_mdc_mm3, 3)), std::string::npos) << "scar " << scar.id;
  }
  EXPECT_NE(report.text.find("Left: baseline of"), std::string::npos) << "the baseline/latest/difference picture";
}

}  // namespace
}  // namespace scarscope::test
