// The documents of issue 19 that leave the clinic, served from the same route table:
// GET /patients/{id}/report.pdf?kind=clinician|patient[&visit=ID] (src/report's PDF reports) and
// GET /patients/{id}/fhir (the course as a FHIR R4 Bundle). Each call leaves an `export` audit entry.
#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/error.h"
#include "report/reports.h"
#include "server/routes.h"

namespace scarscope::server {

namespace {

// The words of the language asked for (?language=, default en), loaded at start.
const report::ReportText& report_text(const ApiContext& api, const Call& call) {
  const std::string language = call.query_value<std::string>("language", "en");
  const auto found = api.report_texts->find(language);
  if (found == api.report_texts->end()) {
    std::string offered;
    for (const auto& [name, text] : *api.report_texts) offered += (offered.empty() ? "" : ", ") + name;
    throw InputError("no language '" + language + "' (the catalogue has " + offered + ")", ErrorCode::out_of_range,
                     "language");
  }
  return found->second;
}

report::ReportContext report_context(const ApiContext& api, const Call& call) {
  return {*api.knowledge, report_text(api, call), api.vocabulary, call.now};
}

void audit_export(ApiContext& api, const Call& call, const std::string& patient_id, const std::string& detail) {
  api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    tx.append_audit(ApiContext::change(call, clinic::AuditAction::export_, "patient", patient_id, patient_id, detail));
  });
}

Reply report_pdf(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const report::ReportKind kind = report::parse_report_kind(call.query_value<std::string>("kind", ""), "kind");
  const report::PatientCourse course = report::read_patient_course(
      api.store, call.user().clinic_id, id, {.visit_id = call.query_value<std::string>("visit", ""), .scan_files = true});
  const Bytes pdf = report::report_pdf(kind, course, report_context(api, call));
  const std::string kind_name(report::report_kind_name(kind));
  audit_export(api, call, id, "report " + kind_name + " pdf");
  Reply reply = Reply::bytes(std::string(as_chars(pdf)), "application/pdf");
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + kind_name + "-report-" + id + ".pdf\"");
  return reply;
}

Reply fhir(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const report::PatientCourse course = report::read_patient_course(api.store, call.user().clinic_id, id);
  const nlohmann::json bundle = report::fhir_bundle(course, report_context(api, call));
  audit_export(api, call, id, "fhir bundle");
  Reply reply = Reply::bytes(bundle.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/fhir+json");
  return reply;
}

}  // namespace

void add_document_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  routes.add({.method = "GET",
              .path = "/patients/{id}/report.pdf",
              .roles = clinicians,
              .summary = "The clinician's or the patient's PDF report of the patient (kind), about one visit (default: "
                         "the latest with an analysed scan); audited as an export",
              .tag = "reports",
              .query = {{"kind", enumeration({"clinician", "patient"}), "which report", true},
                        {"visit", record_id(), "the visit the report is about"},
                        {"language", string(20, 1), "a language of kb/report_text.json (default en)"}},
              .response = {200, "application/pdf", {}, "a PDF document"},
              .handler = [&api](Call& call) { return report_pdf(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/fhir",
              .roles = clinicians,
              .summary = "The patient's course as a FHIR R4 Bundle of type collection (Patient, Encounters, Media, "
                         "Observations, CarePlan, Procedures, AdverseEvents, Consents); audited as an export",
              .tag = "reports",
              .response = {200, "application/fhir+json", {}, "a FHIR R4 Bundle (JSON)"},
              .handler = [&api](Call& call) { return fhir(api, call); }});
}

}  // namespace scarscope::server
