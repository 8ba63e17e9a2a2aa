// The planner's rules as a table of {id, function}, in the order they run. Each function belongs to
// one rule family (one file each); a rule may run more than once (a second pass once the modalities
// are chosen), under its own id. The numbers a rule writes into its text come from the kb.
#pragma once
#include <vector>

#include "planning/rules/plan_context.h"

namespace scarscope::planning_rules {

using RuleFunction = void (*)(PlanContext&);

struct RuleStep {
  const char* id;  // the kb rule (kb/planning_rules.json "rules") this step belongs to
  RuleFunction run;
};

const std::vector<RuleStep>& rule_steps();

// contraindication_rules.cpp: who may have procedures now.
void bdd_screen(PlanContext& context);
void active_infection(PlanContext& context);
void active_cold_sore(PlanContext& context);
void pregnancy(PlanContext& context);
void active_acne(PlanContext& context);

// patient_limit_rules.cpp: which modalities this patient may have (and their after-selection notes).
void capabilities(PlanContext& context);
void keloid(PlanContext& context);
void fitzpatrick_dark(PlanContext& context);
void downtime_limit(PlanContext& context);
void downtime_warnings(PlanContext& context);
void isotretinoin(PlanContext& context);
void keloid_flags(PlanContext& context);
void fitzpatrick_notes(PlanContext& context);
void isotretinoin_notes(PlanContext& context);
void pigment_priming(PlanContext& context);

// selection_rules.cpp: which modality for which scar.
void scar_morphology(PlanContext& context);
void first_line_by_type(PlanContext& context);
void hypertrophic_injections(PlanContext& context);
void erythema_vascular(PlanContext& context);
void ice_pick_not_resurfacing_alone(PlanContext& context);
void combination_resurfacing(PlanContext& context);
void fillers_after_release(PlanContext& context);

// safety_rules.cpp: warnings that go with the chosen modalities.
void anticoagulants(PlanContext& context);
void hsv_prophylaxis(PlanContext& context);

// scheduling_rules.cpp: stages, punch sessions and dates.
void staging_order(PlanContext& context);
void punch_spacing(PlanContext& context);
void session_intervals(PlanContext& context);

// outcome_rules.cpp: expectations, counselling and the plan's status.
void expectations(PlanContext& context);
void distress_mismatch(PlanContext& context);
void status_precedence(PlanContext& context);
// Not a rule: the exclusions worth telling the clinician, once everything is decided.
void collect_exclusions(PlanContext& context);

}  // namespace scarscope::planning_rules
