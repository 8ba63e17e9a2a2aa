// The documents of issue 19 over the API: GET /patients/{id}/report.pdf?kind=clinician|patient and
// GET /patients/{id}/fhir on a course made through the API (a scan analysed by the server's job,
// a plan accepted, a session with an adverse event). What a clinician downloads is the PDF the
// library makes (read back with pdftotext) and a FHIR Bundle of the course; each download leaves an
// `export` audit entry; other roles get 403, another clinic 404, bad queries a 4xx naming the field.
#include <cstdio>
#include <set>

#include "clinic/vocabulary.h"
#include "server_test_support.h"

namespace scarscope::test {
namespace {

struct Course {
  std::string patient, visit;
};

class Documents : public testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    ApiClient api = server_->client_as(server_->north.clinician);
    course_.patient = api.post("/api/v1/patients", complete_patient("Zoë Ndiaye")).json.at("id");
    course_.visit = api.post("/api/v1/patients/" + course_.patient + "/visits", {{"date", "2026-11-02"}, {"region", "left_cheek"}})
                        .json.at("id");
    const Answer upload = api.send("POST", "/api/v1/visits/" + course_.visit + "/scans?file_name=cheek.x3p",
                                   synthetic_scan_x3p(), "application/octet-stream");
    ASSERT_EQ(upload.status, 201) << upload.body;
    ASSERT_EQ(server_->wait_for_job(api, upload.json.at("job").at("id")).at("state"), "done");
    const Answer plan = api.post("/api/v1/visits/" + course_.visit + "/plan", Json::object());
    ASSERT_EQ(plan.status, 201) << plan.body;
    ASSERT_EQ(api.post("/api/v1/plans/" + plan.json.at("id").get<std::string>() + "/accept", {{"note", "as proposed"}}).status, 200);
    const Answer session = api.post("/api/v1/patients/" + course_.patient + "/sessions",
                                    {{"date", "2026-11-03"}, {"modality", "tca_cross"}, {"region", "left_cheek"},
                                     {"parameters", {{"tca_concentration_pct", 100}}}});
    ASSERT_EQ(session.status, 201) << session.body;
    ASSERT_EQ(api.post("/api/v1/sessions/" + session.json.at("id").get<std::string>() + "/adverse-events",
                       {{"kind", "erythema"}, {"severity", "mild"}, {"onset", "2026-11-03"}})
                  .status,
              201);
  }

  // The export entries of the patient in the audit trail, with their details.
  std::multiset<std::string> exports() {
    return server_->store().read(server_->north.clinic.id, [&](const store::ClinicReader& tx) {
      store::AuditQuery query;
      query.patient_id = course_.patient;
      query.page.limit = 1000;
      std::multiset<std::string> found;
      for (const clinic::AuditEntry& entry : tx.audit_entries(query).items) {
        if (entry.action == clinic::AuditAction::export_) found.insert(entry.detail + " by " + entry.user_id);
      }
      return found;
    });
  }

  // The text of a PDF as pdftotext gives it, white space made single spaces.
  static std::string pdf_text(const std::string& bytes) {
    TempDir folder;
    const std::filesystem::path pdf = folder.path() / "report.pdf";
    write_text_file(pdf, bytes);
    std::string text;
    FILE* pipe = ::popen(("pdftotext -enc UTF-8 '" + pdf.string() + "' - 2>&1").c_str(), "r");
    if (pipe == nullptr) return {};
    char buffer[4096];
    std::size_t read = 0;
    while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, read);
    EXPECT_EQ(::pclose(pipe), 0) << text;
    std::string flat;
    for (char c : text) {
      const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
      if (space && (flat.empty() || flat.back() == ' ')) continue;
      flat += space ? ' ' : c;
    }
    return flat;
  }

  std::unique_ptr<TestServer> server_;
  Course course_;
};

TEST_P(Documents, AClinicianDownloadsBothReportsAndEachIsAuditedAsAnExport) {
  ApiClient api = server_->client_as(server_->north.clinician);
  const Answer clinician = api.get("/api/v1/patients/" + course_.patient + "/report.pdf?kind=clinician");
  ASSERT_EQ(clinician.status, 200) << clinician.body;
  EXPECT_EQ(clinician.header("Content-Type"), "application/pdf");
  EXPECT_NE(clinician.header("Content-Disposition").find("clinician-report-" + course_.patient + ".pdf"), std::string::npos);
  EXPECT_EQ(clinician.body.substr(0, 5), "%PDF-");
  const std::string clinician_text = pdf_text(clinician.body);
  EXPECT_NE(clinician_text.find("Clinician report"), std::string::npos) << clinician_text.substr(0, 400);
  EXPECT_NE(clinician_text.find("Zoë Ndiaye"), std::string::npos);
  EXPECT_NE(clinician_text.find("Accepted treatment plan"), std::string::npos);
  EXPECT_NE(clinician_text.find("erythema"), std::string::npos) << "the adverse event is in the report";

  const Answer patient = api.get("/api/v1/patients/" + course_.patient + "/report.pdf?kind=patient&visit=" + course_.visit);
  ASSERT_EQ(patient.status, 200) << patient.body;
  const std::string patient_text = pdf_text(patient.body);
  EXPECT_NE(patient_text.find("Your skin report"), std::string::npos) << patient_text.substr(0, 400);
  EXPECT_NE(patient_text.find("It cannot make them go away."), std::string::npos);

  const std::string by = " by " + server_->north.clinician.id;
  EXPECT_EQ(exports(), (std::multiset<std::string>{"report clinician pdf" + by, "report patient pdf" + by}));
}

TEST_P(Documents, TheFhirExportIsABundleOfTheCourseAndIsAudited) {
  ApiClient api = server_->client_as(server_->north.clinician);
  const Answer answer = api.get("/api/v1/patients/" + course_.patient + "/fhir");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("Content-Type").rfind("application/fhir+json", 0), 0u) << answer.header("Content-Type");
  const Json bundle = Json::parse(answer.body);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  std::multiset<std::string> types;
  for (const Json& entry : bundle["entry"]) types.insert(entry["resource"]["resourceType"].get<std::string>());
  EXPECT_EQ(types.count("Patient"), 1u);
  EXPECT_EQ(types.count("Encounter"), 1u);
  EXPECT_EQ(types.count("CarePlan"), 1u);
  EXPECT_EQ(types.count("Procedure"), 1u);
  EXPECT_EQ(types.count("AdverseEvent"), 1u);
  EXPECT_GT(types.count("Observation"), 3u) << "the measured scars and the grades";
  EXPECT_EQ(exports(), (std::multiset<std::string>{"fhir bundle by " + server_->north.clinician.id}));
}

TEST_P(Documents, OnlyCliniciansOfTheClinicGetThemAndBadQueriesNameTheField) {
  const std::string report = "/api/v1/patients/" + course_.patient + "/report.pdf?kind=patient";
  const std::string fhir = "/api/v1/patients/" + course_.patient + "/fhir";
  for (const clinic::Role role : {clinic::Role::admin, clinic::Role::assistant}) {
    ApiClient api = server_->client_as(server_->north.with_role(role));
    EXPECT_EQ(api.get(report).status, 403) << clinic::name(role);
    EXPECT_EQ(api.get(fhir).status, 403) << clinic::name(role);
  }
  ApiClient south = server_->client_as(server_->south.clinician);
  EXPECT_EQ(south.get(report).status, 404);
  EXPECT_EQ(south.get(fhir).status, 404);
  EXPECT_EQ(server_->client().get(fhir).status, 401);

  ApiClient api = server_->client_as(server_->north.clinician);
  struct Case {
    std::string query;
    std::string field;
  };
  for (const Case& bad : std::vector<Case>{{"", "kind"},
                                           {"?kind=summary", "kind"},
                                           {"?kind=patient&language=xx", "language"},
                                           {"?kind=clinician&visit=nosuchvisit0000000000", "visit"}}) {
    const Answer answer = api.get("/api/v1/patients/" + course_.patient + "/report.pdf" + bad.query);
    EXPECT_GE(answer.status, 400) << bad.query;
    EXPECT_LT(answer.status, 500) << bad.query;
    EXPECT_EQ(answer.json.value("field", ""), bad.field) << bad.query << " " << answer.body;
  }
  EXPECT_TRUE(exports().empty()) << "nothing was exported";
}

INSTANTIATE_TEST_SUITE_P(Engines, Documents, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
