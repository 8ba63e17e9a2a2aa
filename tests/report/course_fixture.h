// Records for the report tests, made the way a clinic makes them: through the store and the
// library's workflows (synthetic scans of one cheek analysed, corrected, compared, planned; a plan
// accepted; sessions and an adverse event recorded), in a SQLite record in a temporary folder.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clinic/clock.h"
#include "clinic/records.h"
#include "report/reports.h"
#include "store/store.h"
#include "test_support.h"

namespace scarscope::test {

// The kb of the source tree, loaded once (English).
const report::ReportResources& report_resources();

// When the reports are made: 2027-01-20T10:00:00Z.
clinic::Timestamp report_moment();

struct RecordOfClinic {
  TempDir folder;
  clinic::ManualClock clock{clinic::Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 8 / 20))};
  std::unique_ptr<store::Store> store;
  clinic::Clinic clinic;
  clinic::User clinician;
  std::filesystem::path data_dir() const { return folder.path() / "record"; }
};

// A new record with a clinic ("Clinique Dermatologique Saint-Émile") and its clinician.
std::unique_ptr<RecordOfClinic> new_record();

// A patient (accented name) with a complete planning profile; `name` may be changed.
clinic::Patient add_patient(RecordOfClinic& record, const std::string& name = "Inês Łopez-Müller",
                            const std::string& identifier = {});
clinic::Visit add_visit(RecordOfClinic& record, const std::string& patient_id, const std::string& date);
// A scan file stored as its blob and registered to the visit.
clinic::Scan add_scan(RecordOfClinic& record, const clinic::Visit& visit, const std::string& file_name,
                      const std::string& bytes);

// The full course: three visits of the left cheek (baseline, and two follow-ups after treatment),
// each scan analysed; the latest corrected by the clinician; both follow-ups compared with the
// baseline; a plan made and accepted at the first visit; three sessions of the plan's first
// procedure, one with an adverse event; three consents. Built once per process.
struct FullCourse {
  std::unique_ptr<RecordOfClinic> record;
  std::string patient_id;
  std::vector<std::string> visit_ids;  // by date
  std::vector<std::string> scan_ids;
  std::vector<std::string> scan_bytes;  // the X3P files, by visit
  std::string plan_id;
  std::string session_modality;
  int scars_at_latest = 0;
};
FullCourse& full_course();

// The course read back for reports (with the scan files).
report::PatientCourse read_course(RecordOfClinic& record, const std::string& patient_id, const std::string& visit_id = {});

// Text of a PDF as `pdftotext -raw` gives it (poppler-utils: the order it was drawn in, so a table
// cell's lines stay together), and the PDF's first page as a PNG
// (`pdftoppm`), kept under the build folder as a test artifact; returns its path.
std::string pdf_text(const std::filesystem::path& pdf);
std::filesystem::path first_page_png(const std::filesystem::path& pdf, const std::string& name);
// The text with every run of white space (line and page breaks too) made one space.
std::string flattened(const std::string& text);
// The page count `pdfinfo` reads.
int pdf_pages(const std::filesystem::path& pdf);
// Where test artifacts go: BUILD_DIR/test-artifacts/report.
std::filesystem::path artifact_dir();
void write_bytes(const std::filesystem::path& path, const Bytes& bytes);

}  // namespace scarscope::test
