// `scarscope report` and `scarscope export fhir` as a user runs them, on a record in a data folder:
// the files they write, the audit entry each export leaves, and clear errors for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "course_fixture.h"

namespace scarscope::test {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::int64_t exports_of(RecordOfClinic& record, const std::string& patient_id) {
  return record.store->read(record.clinic.id, [&](const store::ClinicReader& tx) {
    store::AuditQuery query;
    query.patient_id = patient_id;
    query.page.limit = 1000;
    std::int64_t count = 0;
    for (const clinic::AuditEntry& entry : tx.audit_entries(query).items) {
      if (entry.action == clinic::AuditAction::export_) ++count;
    }
    return count;
  });
}

TEST(ReportCli, WritesBothReportsAndAuditsEachExport) {
  FullCourse& full = full_course();
  TempDir out;
  const std::int64_t before = exports_of(*full.record, full.patient_id);
  const std::string record = " --data " + quoted(full.record->data_dir());
  CommandResult result = run_cli("report clinician --patient " + full.patient_id + record + " --out " + quoted(out / "c.pdf"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run_cli("report --kind patient --patient " + full.patient_id + record + " --out " + quoted(out / "p.pdf"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("Wrote the patient report"), std::string::npos);
  EXPECT_EQ(read_text_file(out / "c.pdf").substr(0, 5), "%PDF-");
  EXPECT_NE(flattened(pdf_text(out / "c.pdf")).find("Clinician report"), std::string::npos);
  EXPECT_NE(flattened(pdf_text(out / "p.pdf")).find("Your skin report"), std::string::npos);
  EXPECT_EQ(exports_of(*full.record, full.patient_id), before + 2);
}

TEST(ReportCli, TheSameRecordAtTheSameMomentGivesTheSameDocuments) {
  FullCourse& full = full_course();
  TempDir out;
  const std::string record = " --data " + quoted(full.record->data_dir());
  for (const char* name : {"a", "b"}) {
    const CommandResult result = run_cli("report patient --patient " + full.patient_id + record + " --out " +
                                         quoted(out / (std::string(name) + ".pdf")) + " --clinic 'Clinique Dermatologique Saint-Émile'");
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  // SOURCE_DATE_EPOCH is set by this test process for its children.
  EXPECT_EQ(read_text_file(out / "a.pdf"), read_text_file(out / "b.pdf"));
  EXPECT_NE(flattened(pdf_text(out / "a.pdf")).find("Made on 20 January 2027"), std::string::npos);
}

TEST(ReportCli, ExportsTheCourseAsAFhirBundle) {
  FullCourse& full = full_course();
  TempDir out;
  const std::int64_t before = exports_of(*full.record, full.patient_id);
  const CommandResult result = run_cli("export fhir --patient " + full.patient_id + " --data " +
                                       quoted(full.record->data_dir()) + " --out " + quoted(out / "bundle.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json bundle = nlohmann::json::parse(read_text_file(out / "bundle.json"));
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["timestamp"], "2027-01-20T10:00:00Z");
  EXPECT_EQ(exports_of(*full.record, full.patient_id), before + 1);
}

TEST(ReportCli, BadInputGetsAClearErrorAndWritesNothing) {
  FullCourse& full = full_course();
  TempDir out;
  const std::string record = " --data " + quoted(full.record->data_dir());
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"report clinician --patient nosuchpatient0000000000" + record, "no patient nosuchpatient0000000000"},
      {"report clinician --patient " + full.patient_id + " --visit nosuchvisit" + record, "no visit nosuchvisit"},
      {"report clinician --patient " + full.patient_id + " --clinic 'Other clinic'" + record, "no clinic named 'Other clinic'"},
      {"report clinician --patient " + full.patient_id + " --language xx" + record, "no language 'xx'"},
      {"report --patient " + full.patient_id + record, "say which report"},
      {"report clinician --kind patient --patient " + full.patient_id + record, "not both"},
      {"report clinician --patient " + full.patient_id + " --data " + quoted(out / "no-record"), "no-record"},
  };
  const std::int64_t before = exports_of(*full.record, full.patient_id);
  for (const Case& c : cases) {
    const CommandResult result = run_cli(c.args + " --out " + quoted(out / "x.pdf"));
    EXPECT_EQ(result.exit_code, 2) << c.args << "\n" << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << c.args << "\n" << result.err;
    EXPECT_FALSE(std::filesystem::exists(out / "x.pdf")) << c.args;
  }
  const CommandResult unknown_kind = run_cli("report summary --patient " + full.patient_id + record + " --out x.pdf");
  EXPECT_EQ(unknown_kind.exit_code, 2) << unknown_kind.err;
  const CommandResult unwritable = run_cli("export fhir --patient " + full.patient_id + record + " --out " +
                                           quoted(out / "missing-folder" / "b.json"));
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.err;
  EXPECT_NE(unwritable.err.find("missing-folder"), std::string::npos) << unwritable.err;
  EXPECT_EQ(exports_of(*full.record, full.patient_id), before) << "nothing was exported";
}

// The test process fixes the moment its CLI children make documents at.
const bool kMoment = [] {
  ::setenv("SOURCE_DATE_EPOCH", "1800439200", 1);  // 2027-01-20T10:00:00Z
  return true;
}();

}  // namespace
}  // namespace scarscope::test
