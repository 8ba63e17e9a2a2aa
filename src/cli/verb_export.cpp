// `scarscope export fhir --patient ID [--clinic NAME] [--data DIR | --db URL] --out bundle.json`:
// the patient's course as a FHIR R4 Bundle (type collection) for another system. The work is
// src/report's; the export is audited in the record.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/kb_location.h"
#include "cli/patient_export.h"
#include "cli/verb.h"
#include "report/reports.h"

namespace scarscope::cli {
namespace {

struct ExportOptions {
  PatientExportOptions target;
  std::string format;
};

int run_export(const ExportOptions& options) {
  const report::ReportResources resources = report::load_report_resources(knowledge_base_dir());
  const clinic::Timestamp moment = export_moment();
  const std::unique_ptr<store::Store> store = options.target.record.open();
  const std::string clinic_id = options.target.clinic_id(*store);
  const report::PatientCourse course = report::read_patient_course(*store, clinic_id, options.target.patient);
  const nlohmann::json bundle = report::fhir_bundle(course, resources.context(moment));
  write_export(options.target.out, bundle.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  audit_export(*store, clinic_id, options.target.patient, "fhir bundle");
  if (options.target.out != "-") {
    std::cerr << "Wrote a FHIR R4 bundle of " << bundle["entry"].size() << " resources to " << options.target.out << ".\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  app.add_option("FORMAT", options->format, "fhir (a FHIR R4 Bundle, JSON)")->required()->check(CLI::IsMember({"fhir"}));
  options->target.add_to(app, "The JSON file to write ('-': standard output)");
  return [options] { return run_export(*options); };
}

const VerbRegistrar registrar{{"export", "A patient's course for another system (FHIR R4 Bundle)", 270, setup}};

}  // namespace
}  // namespace scarscope::cli
