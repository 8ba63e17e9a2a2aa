// The documents that leave the clinic: the clinician's PDF report, the patient's PDF report (plain
// language, every sentence about expectations from the catalogue with its sources) and the FHIR R4
// export of the course. Each is made from a PatientCourse (report/course.h) read through the store.
#pragma once
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "clinic/clock.h"
#include "clinic/treatment_vocabulary.h"
#include "core/bytes.h"
#include "report/course.h"
#include "report/report_text.h"
#include "workflows/knowledge.h"

namespace scarscope::report {

enum class ReportKind { clinician, patient };
std::string_view report_kind_name(ReportKind kind);  // "clinician", "patient"
// InputError (out_of_range, naming `field`) for anything else.
ReportKind parse_report_kind(std::string_view text, const std::string& field = "kind");

// What every document is made with besides the course. The references must outlive the call.
struct ReportContext {
  const Knowledge& knowledge;                     // modality names, knowledge-base versions
  const ReportText& text;                         // the words, in one language
  const clinic::TreatmentVocabulary& vocabulary;  // units of session parameters
  clinic::Timestamp generated_at;                 // printed on every page; "next sessions" count from it
};

// What ReportContext refers to, loaded from a kb folder (grading, treatments and planning rules,
// session parameters, the reports' catalogue in one language). Load once, use for many documents.
struct ReportResources {
  Knowledge knowledge;
  ReportText text;
  clinic::TreatmentVocabulary vocabulary;
  ReportContext context(clinic::Timestamp generated_at) const { return {knowledge, text, vocabulary, generated_at}; }
};
ReportResources load_report_resources(const std::filesystem::path& kb_dir, const std::string& language = "en");

// The knowledge bases a document was made with, in one line ("grading 2026-11-22, ...").
std::string knowledge_versions(const ReportContext& context);

// The reports as PDF bytes. The clinician report draws its pictures from the course's scan files
// (read the course with CourseRequest::scan_files) and compares the progress baseline with the
// latest follow-up again for the difference picture (compare_scans with the stored scars).
Bytes clinician_report_pdf(const PatientCourse& course, const ReportContext& context);
Bytes patient_report_pdf(const PatientCourse& course, const ReportContext& context);
Bytes report_pdf(ReportKind kind, const PatientCourse& course, const ReportContext& context);

// A FHIR R4 Bundle of type "collection": the patient, an Encounter per visit, a Media per scan, an
// Observation per measured scar and per grade (labelled estimate), the accepted plan as a CarePlan,
// a Procedure per session, AdverseEvents and Consents. Codes of ScarScope's own vocabularies use
// local code systems (report/fhir_export.cpp names them); no profile is claimed.
nlohmann::json fhir_bundle(const PatientCourse& course, const ReportContext& context);

}  // namespace scarscope::report
