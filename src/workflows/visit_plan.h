// A treatment plan for one visit (`scarscope plan`): the visit's scars, the patient's profile and
// the clinician's examination, planned with the treatment knowledge base. A proposal for a
// clinician to accept or change, never an order.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result_version.h"
#include "grading/clinician_inputs.h"
#include "planning/calendar_date.h"
#include "planning/patient_profile.h"
#include "planning/plan.h"
#include "scars/inventory.h"
#include "workflows/knowledge.h"

namespace scarscope {

struct PlanVisitRequest {
  // The scars of the visit's scans (each an assessment's `scars`, or an inventory read from JSON);
  // several are merged (see visit_inventory).
  std::vector<ScarInventory> assessments;
  PatientProfile patient;
  std::optional<ClinicianInputs> clinician;  // corrections and what only an examination shows
  std::string region = "face";               // face | perioral | jawline | chest | back
  CalendarDate date;                         // anchors waiting periods and the schedule
  std::set<std::string> disabled_rules;      // what-if questions: these rules do not run
};

struct VisitPlan {
  ResultVersion made_by;
  Plan plan;
};

// Plans the visit: the clinician's corrections are applied, the severity the expectation and
// distress rules use is the Goodman & Baron qualitative estimate of the scars. The plan records the
// knowledge base's version and hashes. Throws InputError (an unknown region, a correction naming
// an unknown scar, no treatment knowledge base loaded).
VisitPlan plan_visit(const PlanVisitRequest& request, const Knowledge& knowledge);

// The plan JSON (planning/plan.h plan_to_json) stamped "scarscope": {"version", "schema"}.
nlohmann::json to_json(const VisitPlan& plan);
// A stored plan back: to_json(visit_plan_from_json(j)) == j for the fields a plan has (a CLI's
// additions, such as "assessments", are not part of it). Older schemas accepted, newer refused.
VisitPlan visit_plan_from_json(const nlohmann::json& document, const std::string& source);

}  // namespace scarscope
