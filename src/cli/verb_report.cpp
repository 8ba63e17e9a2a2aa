// `scarscope report clinician|patient --patient ID [--visit ID] [--clinic NAME] [--language LANG]
//  [--data DIR | --db URL] --out FILE.pdf`: the clinician's or the patient's PDF report of a patient
// in the record (`--kind KIND` says the same as the first argument). The work is src/report's; the
// export is audited in the record.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/kb_location.h"
#include "cli/patient_export.h"
#include "cli/verb.h"
#include "core/bytes.h"
#include "core/error.h"
#include "report/reports.h"

namespace scarscope::cli {
namespace {

struct ReportOptions {
  PatientExportOptions target;
  std::string kind;
  std::string kind_option;
  std::string visit;
  std::string language = "en";
};

int run_report(const ReportOptions& options) {
  if (!options.kind.empty() && !options.kind_option.empty() && options.kind != options.kind_option) {
    throw InputError("the report is either '" + options.kind + "' or '" + options.kind_option + "', not both",
                     ErrorCode::bad_input, "--kind");
  }
  const std::string kind_text = options.kind.empty() ? options.kind_option : options.kind;
  if (kind_text.empty()) throw InputError("say which report: clinician or patient", ErrorCode::missing_field, "KIND");
  const report::ReportKind kind = report::parse_report_kind(kind_text, "KIND");
  const report::ReportResources resources = report::load_report_resources(knowledge_base_dir(), options.language);
  const clinic::Timestamp moment = export_moment();
  const std::unique_ptr<store::Store> store = options.target.record.open();
  const std::string clinic_id = options.target.clinic_id(*store);
  const report::PatientCourse course = report::read_patient_course(
      *store, clinic_id, options.target.patient, {.visit_id = options.visit, .scan_files = true});
  const Bytes pdf = report::report_pdf(kind, course, resources.context(moment));
  write_export(options.target.out, as_chars(pdf));
  audit_export(*store, clinic_id, options.target.patient, "report " + std::string(report::report_kind_name(kind)) + " pdf");
  if (options.target.out != "-") {
    std::cerr << "Wrote the " << report::report_kind_name(kind) << " report (" << pdf.size() << " bytes) to "
              << options.target.out << ".\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  app.add_option("KIND", options->kind, "clinician or patient")->check(CLI::IsMember({"clinician", "patient"}));
  app.add_option("--kind", options->kind_option, "The same as KIND")->check(CLI::IsMember({"clinician", "patient"}));
  app.add_option("--visit", options->visit,
                 "The visit the report is about (default: the latest with an analysed scan)");
  app.add_option("--language", options->language, "A language of kb/report_text.json")->capture_default_str();
  options->target.add_to(app, "The PDF to write ('-': standard output)");
  return [options] { return run_report(*options); };
}

const VerbRegistrar registrar{{"report", "A patient's PDF report for the clinician or for the patient", 260, setup}};

}  // namespace
}  // namespace scarscope::cli
