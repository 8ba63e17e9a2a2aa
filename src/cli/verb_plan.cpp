// `scarscope plan --assessment A.json [--assessment B.json ...] --patient P.json [--clinician C.json]
//  [--region R] [--date YYYY-MM-DD] [--json [FILE]] [--explain] [--kb-override FILE]`:
// a staged, evidence-based treatment plan for one visit's scars and one patient. A proposal for a
// clinician to accept or change, never an order. The work is the plan_visit workflow's.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/json_output.h"
#include "cli/kb_location.h"
#include "cli/verb.h"
#include "core/json_fields.h"
#include "grading/clinician_inputs.h"
#include "planning/patient_profile.h"
#include "planning/plan.h"
#include "scars/inventory.h"
#include "workflows/visit_plan.h"

namespace scarscope::cli {
namespace {

struct PlanOptions {
  std::vector<std::string> assessments;
  std::string patient;
  std::string clinician;
  std::string region = "face";
  std::string date;
  std::string kb_override;
  bool explain = false;
  JsonOutput json;
};

int run_plan(const PlanOptions& options) {
  PlanVisitRequest request;
  request.date = options.date.empty() ? CalendarDate::today() : CalendarDate::parse(options.date, "--date");
  Knowledge knowledge = load_knowledge(knowledge_base_dir());
  if (!options.kb_override.empty()) {
    knowledge = with_clinic_override(knowledge, read_json_file(options.kb_override), options.kb_override);
  }
  for (const std::string& file : options.assessments) request.assessments.push_back(read_inventory(file));
  if (!options.clinician.empty()) request.clinician = read_clinician_inputs(options.clinician);
  request.patient = read_patient_profile(options.patient, request.date);
  request.region = options.region;

  const VisitPlan result = plan_visit(request, knowledge);
  if (options.json.requested()) {
    nlohmann::json document = to_json(result);
    document["assessments"] = options.assessments;
    document["patient_file"] = options.patient;
    if (!options.kb_override.empty()) document["kb_override"] = options.kb_override;
    options.json.write(document);
  }
  if (!options.json.to_stdout()) std::cout << plan_to_text(result.plan, options.explain);
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<PlanOptions>();
  app.add_option("--assessment", options->assessments,
                 "Scar inventory of the visit (analysis JSON or inventory JSON); repeat for several scans")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--patient", options->patient, "Patient profile JSON (skin type, acne, isotretinoin, contraindications)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--clinician", options->clinician,
                 "Clinician inputs: stretch test, normal base, tethered, type corrections, macular scars")
      ->check(CLI::ExistingFile);
  app.add_option("--region", options->region, "Treated region")
      ->check(CLI::IsMember({"face", "perioral", "jawline", "chest", "back"}))
      ->capture_default_str();
  app.add_option("--date", options->date, "Plan date YYYY-MM-DD (default today): anchors waiting periods and the schedule");
  app.add_flag("--explain", options->explain, "List every rule that fired and why");
  app.add_option("--kb-override", options->kb_override,
                 "Clinic override: JSON merge patch over kb/treatments.json + kb/planning_rules.json, "
                 "plus available_modalities")
      ->check(CLI::ExistingFile);
  options->json.add_to(app);
  return [options] { return run_plan(*options); };
}

const VerbRegistrar registrar{{"plan", "Propose a staged, evidence-based treatment plan (a proposal for a clinician)", 50, setup}};

}  // namespace
}  // namespace scarscope::cli
