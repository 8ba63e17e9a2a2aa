// Shorter courses give correct, shorter reports, never a crash: a patient with no visits, a visit
// without a scan (and one whose scan is not analysed yet), a plan never accepted, a single visit
// (no progress yet). Each report is read back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "clinic/documents.h"
#include "core/error.h"
#include "course_fixture.h"
#include "report/reports.h"

namespace scarscope::test {
namespace {

struct BothReports {
  std::string clinician, patient;
  int clinician_pages = 0, patient_pages = 0;
};

BothReports render(RecordOfClinic& record, const std::string& patient_id, const std::string& name) {
  const report::PatientCourse course = read_course(record, patient_id);
  const report::ReportContext context = report_resources().context(report_moment());
  BothReports read;
  const std::filesystem::path clinician = artifact_dir() / (name + "-clinician.pdf");
  const std::filesystem::path patient = artifact_dir() / (name + "-patient.pdf");
  write_bytes(clinician, report::clinician_report_pdf(course, context));
  write_bytes(patient, report::patient_report_pdf(course, context));
  read.clinician = flattened(pdf_text(clinician));
  read.patient = flattened(pdf_text(patient));
  read.clinician_pages = pdf_pages(clinician);
  read.patient_pages = pdf_pages(patient);
  return read;
}

TEST(ReportEdgeCases, APatientWithNoVisits) {
  auto record = new_record();
  const clinic::Patient patient = add_patient(*record, "Zoë Ndiaye");
  const BothReports read = render(*record, patient.id, "no-visits");
  EXPECT_NE(read.clinician.find("Zoë Ndiaye"), std::string::npos);
  EXPECT_NE(read.clinician.find("No visits recorded for this patient."), std::string::npos);
  EXPECT_NE(read.clinician.find("No plan has been accepted for this patient."), std::string::npos);
  EXPECT_NE(read.clinician.find("No treatment sessions recorded."), std::string::npos);
  EXPECT_EQ(read.clinician.find("Scar map"), std::string::npos);
  EXPECT_EQ(read.clinician.find("Progress of"), std::string::npos);
  EXPECT_NE(read.patient.find("We have not scanned your skin yet."), std::string::npos);
  EXPECT_NE(read.patient.find("We will show your progress once we have scanned the same skin again."), std::string::npos);
  EXPECT_NE(read.patient.find("Your treatment plan is not ready yet."), std::string::npos);
  EXPECT_NE(read.patient.find("It cannot make them go away."), std::string::npos) << "expectations are said to everyone";
  EXPECT_EQ(read.clinician_pages, 1);
  EXPECT_LE(read.patient_pages, 2);
}

TEST(ReportEdgeCases, AVisitWithoutAScanAndAScanNotYetAnalysed) {
  auto record = new_record();
  const clinic::Patient patient = add_patient(*record);
  add_visit(*record, patient.id, "2026-10-01");
  BothReports read = render(*record, patient.id, "visit-without-scan");
  EXPECT_NE(read.clinician.find("Visit of 1 October 2026, left cheek"), std::string::npos);
  EXPECT_NE(read.clinician.find("No scan was recorded at this visit: no scar map, table or grades."), std::string::npos);
  EXPECT_NE(read.patient.find("Your visit on 1 October 2026 has no scan yet, so there is nothing to show here."),
            std::string::npos);

  const clinic::Visit later = add_visit(*record, patient.id, "2026-11-05");
  add_scan(*record, later, "waiting.x3p", full_course().scan_bytes[0]);
  read = render(*record, patient.id, "scan-not-analysed");
  EXPECT_NE(read.clinician.find("Visit of 5 November 2026"), std::string::npos);
  EXPECT_NE(read.clinician.find("The scan of this visit has not been analysed yet"), std::string::npos);
  EXPECT_NE(read.clinician.find("waiting.x3p"), std::string::npos);
  EXPECT_NE(read.clinician.find("not analysed yet"), std::string::npos) << "the progress section says what waits";
  EXPECT_EQ(read.clinician.find("Scar map"), std::string::npos);
}

TEST(ReportEdgeCases, APlanNeverAcceptedAndASingleVisit) {
  auto record = new_record();
  const clinic::Patient patient = add_patient(*record);
  const clinic::Visit visit = add_visit(*record, patient.id, "2026-09-01");
  FullCourse& full = full_course();
  const clinic::Scan scan = add_scan(*record, visit, "cheek.x3p", full.scan_bytes[0]);
  // The analysis and the proposal of the full course's first visit, stored again for this patient.
  const report::PatientCourse source = read_course(*full.record, full.patient_id);
  record->store->write(record->clinic.id, [&](store::ClinicWriter& tx) {
    clinic::Assessment assessment;
    assessment.scan_id = scan.id;
    assessment.analysis = source.visits.front().scans.front().assessment->analysis;
    tx.store_assessment(assessment);
    clinic::Plan plan;
    plan.visit_id = visit.id;
    plan.proposal = source.plans.front().plan.proposal;
    plan.created_by = record->clinician.id;
    tx.create_plan(plan);
  });
  const BothReports read = render(*record, patient.id, "plan-not-accepted");
  EXPECT_NE(read.clinician.find("No plan has been accepted: 1 proposal(s) wait for a clinician."), std::string::npos);
  EXPECT_NE(read.clinician.find("Scar map"), std::string::npos);
  EXPECT_NE(read.clinician.find("No follow-up has been compared with the baseline yet"), std::string::npos);
  EXPECT_EQ(read.clinician.find("Schedule (earliest dates)"), std::string::npos);
  EXPECT_NE(read.patient.find("Your treatment plan is not ready yet."), std::string::npos);
  EXPECT_NE(read.patient.find("We found"), std::string::npos);
  EXPECT_NE(read.patient.find("We will show your progress once we have scanned the same skin again."), std::string::npos);
}

TEST(ReportEdgeCases, AVisitOfAnotherPatientOrClinicIsNotFound) {
  FullCourse& full = full_course();
  auto record = new_record();
  const clinic::Patient patient = add_patient(*record);
  try {
    read_course(*record, patient.id, full.visit_ids.front());
    FAIL() << "a visit of another record's patient was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_EQ(error.field(), "visit");
  }
  try {
    read_course(*record, full.patient_id);
    FAIL() << "another clinic's patient was read";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_EQ(error.field(), "patient");
  }
}

TEST(ReportEdgeCases, AnEarlierVisitCanBeTheSubjectOfTheClinicianReport) {
  FullCourse& full = full_course();
  const report::PatientCourse course = read_course(*full.record, full.patient_id, full.visit_ids.front());
  ASSERT_EQ(course.focus_visit, 0u);
  const std::filesystem::path pdf = artifact_dir() / "clinician-first-visit.pdf";
  write_bytes(pdf, report::clinician_report_pdf(course, report_resources().context(report_moment())));
  const std::string text = flattened(pdf_text(pdf));
  EXPECT_NE(text.find("Visit of " + report_resources().text.date(course.visits.front().visit.date)), std::string::npos);
  EXPECT_NE(text.find("cheek-" + course.visits.front().visit.date.to_string() + ".x3p"), std::string::npos);
}

}  // namespace
}  // namespace scarscope::test
