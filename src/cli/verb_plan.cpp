// `scarscope plan --assessment A.json [--assessment B.json ...] --patient P.json [--clinician C.json]
//  [--region R] [--date YYYY-MM-DD] [--json [FILE]] [--explain] [--kb-override FILE]`:
// a staged, evidence-based treatment plan for one visit's scars and one patient. A proposal for a
// clinician to accept or change, never an order.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/json_output.h"
#include "cli/verb.h"
#include "grading/clinician_inputs.h"
#include "grading/grading.h"
#include "planning/knowledge_base.h"
#include "planning/patient_profile.h"
#include "planning/plan.h"
#include "planning/planner.h"
#include "scars/inventory.h"

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
  const CalendarDate date = options.date.empty() ? CalendarDate::today() : CalendarDate::parse(options.date, "--date");
  const KnowledgeBase kb = load_knowledge_base(options.kb_override.empty()
                                                   ? std::nullopt
                                                   : std::optional<std::filesystem::path>(options.kb_override));
  std::vector<ScarInventory> parts;
  for (const std::string& file : options.assessments) parts.push_back(read_inventory(file));
  // One file keeps its own scar ids (the clinician's corrections refer to them); several are merged
  // and renumbered 1..N, each scar keeping its scan and its id there.
  const ScarInventory inventory = parts.size() == 1 ? parts.front() : merge_inventories(parts);
  std::optional<ClinicianInputs> clinician;
  if (!options.clinician.empty()) clinician = read_clinician_inputs(options.clinician);

  PlanRequest request;
  request.patient = read_patient_profile(options.patient, date);
  request.region = options.region;
  request.date = date;
  request.clinician = clinician ? *clinician : ClinicianInputs{};
  request.inventory = clinician ? apply_corrections(inventory, *clinician) : inventory;
  const bool clinician_given = clinician && !clinician->empty();
  request.basis = inventory.hand_count ? "clinician_only" : clinician_given ? "3d_plus_clinician" : "3d_only";

  // Severity for the expectation and distress rules: the Goodman & Baron qualitative estimate.
  const GradingKnowledge grading = load_grading_knowledge();
  const Grades grades = grade_inventory(inventory, clinician ? &*clinician : nullptr, grading);
  request.severity = SeverityEstimate{grades.goodman_baron_qualitative.low, grades.goodman_baron_qualitative.high,
                                      grade_basis_name(grades.goodman_baron_qualitative.basis)};

  const Plan plan = make_plan(request, kb);
  if (options.json.requested()) {
    nlohmann::json document = plan_to_json(plan);
    document["assessments"] = options.assessments;
    document["patient_file"] = options.patient;
    if (!options.kb_override.empty()) document["kb_override"] = options.kb_override;
    options.json.write(document);
  }
  if (!options.json.to_stdout()) std::cout << plan_to_text(plan, options.explain);
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
