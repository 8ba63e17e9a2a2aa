// The rule engine: from a scar inventory, the clinician's inputs and the patient profile to a
// staged plan. Each rule is a named unit with its source in kb/planning_rules.json; `--explain`
// lists every rule that fired and why.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grading/clinician_inputs.h"
#include "planning/calendar_date.h"
#include "planning/knowledge_base.h"
#include "planning/patient_profile.h"
#include "planning/plan.h"
#include "scars/inventory.h"

namespace scarscope {

struct PlanRequest {
  ScarInventory inventory;   // clinician corrections already applied (apply_corrections)
  ClinicianInputs clinician; // stretch test, normal base, tethered (by scar id), macular scar counts
  PatientProfile patient;
  std::string region = "face";  // face | perioral | jawline | chest | back
  CalendarDate date;            // anchors waiting periods and the schedule
  std::optional<SeverityEstimate> severity;  // Goodman & Baron qualitative estimate
  GradeBasis basis = GradeBasis::three_d_only;  // what the inventory rests on
  // Rules listed here do not run (what-if questions, and tests that show what each rule does).
  std::set<std::string> disabled_rules;
};

// The regions a plan may be made for.
const std::vector<std::string>& planning_regions();
// The ids of every rule, in the order they run.
const std::vector<std::string>& planning_rule_ids();

// Throws InputError when the request is inconsistent (unknown region, unknown modality in
// available_modalities, a disabled rule that does not exist).
Plan make_plan(const PlanRequest& request, const KnowledgeBase& kb);

}  // namespace scarscope
