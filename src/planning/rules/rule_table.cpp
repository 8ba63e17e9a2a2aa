#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {

const std::vector<RuleStep>& rule_steps() {
  static const std::vector<RuleStep> steps = {
      {"scar_morphology", scar_morphology},
      {"bdd_screen", bdd_screen},
      {"active_infection", active_infection},
      {"active_cold_sore", active_cold_sore},
      {"pregnancy", pregnancy},
      {"active_acne", active_acne},
      {"capabilities", capabilities},
      {"keloid", keloid},
      {"fitzpatrick_dark", fitzpatrick_dark},
      {"downtime_limit", downtime_limit},
      {"isotretinoin", isotretinoin},
      {"first_line_by_type", first_line_by_type},
      {"hypertrophic_injections", hypertrophic_injections},
      {"erythema_vascular", erythema_vascular},
      {"ice_pick_not_resurfacing_alone", ice_pick_not_resurfacing_alone},
      {"combination_resurfacing", combination_resurfacing},
      {"fillers_after_release", fillers_after_release},
      {"anticoagulants", anticoagulants},
      {"hsv_prophylaxis", hsv_prophylaxis},
      {"keloid", keloid_flags},
      {"fitzpatrick_dark", fitzpatrick_notes},
      {"isotretinoin", isotretinoin_notes},
      {"downtime_limit", downtime_warnings},
      {"pigment_priming", pigment_priming},
      {"staging_order", staging_order},
      {"punch_spacing", punch_spacing},
      {"session_intervals", session_intervals},
      {"expectations", expectations},
      {"distress_mismatch", distress_mismatch},
      {"status_precedence", status_precedence},
  };
  return steps;
}

}  // namespace scarscope::planning_rules
