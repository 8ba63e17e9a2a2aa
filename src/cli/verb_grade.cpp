// `scarscope grade INVENTORY.json [MORE.json ...] [--clinician FILE] [--json [FILE]] [--kb FILE]`:
// Goodman & Baron and ECCA grades of one visit's scar inventory (analysis JSONs, truth files or a
// clinician's hand count), each said to be an estimate from the 3D scan where it is one.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/json_output.h"
#include "cli/kb_location.h"
#include "cli/verb.h"
#include "grading/clinician_inputs.h"
#include "grading/grading.h"
#include "scars/inventory.h"
#include "workflows/visit_grades.h"

namespace scarscope::cli {
namespace {

struct GradeOptions {
  std::vector<std::string> inventories;
  std::string clinician;
  std::string knowledge_base;
  JsonOutput json;
};

int run_grade(const GradeOptions& options) {
  Knowledge knowledge;
  knowledge.grading = load_grading_knowledge(options.knowledge_base.empty() ? knowledge_base_dir() / "grading.json"
                                                                            : std::filesystem::path(options.knowledge_base));
  std::vector<ScarInventory> parts;
  for (const std::string& file : options.inventories) parts.push_back(read_inventory(file));
  std::optional<ClinicianInputs> clinician;
  if (!options.clinician.empty()) clinician = read_clinician_inputs(options.clinician);

  const VisitGrades result = grade_visit(parts, clinician, knowledge);
  if (options.json.requested()) {
    nlohmann::json document = to_json(result);
    document["inventories"] = options.inventories;
    options.json.write(document);
  }
  if (!options.json.to_stdout()) {
    const ScarInventory& inventory = result.inventory;
    const ScarCounts counts = inventory.counts();
    std::cout << counts.total() << " scar" << (counts.total() == 1 ? "" : "s") << " (" << counts.ice_pick << " ice pick, "
              << counts.boxcar << " boxcar, " << counts.rolling << " rolling, " << counts.hypertrophic << " hypertrophic)";
    if (inventory.hand_count) {
      std::cout << " counted by a clinician";
    } else {
      std::cout << " in " << inventory.scans.size() << " scan" << (inventory.scans.size() == 1 ? "" : "s");
    }
    if (clinician) std::cout << ", with clinician inputs from " << options.clinician;
    std::cout << "\n" << grades_text(result.grades);
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<GradeOptions>();
  app.add_option("INVENTORY", options->inventories,
                 "Scar inventories of one visit (analysis JSON, truth file or a clinician's count); several are merged")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--clinician", options->clinician,
                 "What only an examination shows (macular and papular scars, stretch test, ...) and corrections")
      ->check(CLI::ExistingFile);
  app.add_option("--kb", options->knowledge_base, "Grading knowledge base to use instead of kb/grading.json")
      ->check(CLI::ExistingFile);
  options->json.add_to(app);
  return [options] { return run_grade(*options); };
}

const VerbRegistrar registrar{
    {"grade", "Goodman & Baron and ECCA grades of a scar inventory (estimates from the scanned skin)", 40, setup}};

}  // namespace
}  // namespace scarscope::cli
