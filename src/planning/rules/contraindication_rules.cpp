// Rule family: who may have procedures now (body-dysmorphic screen, temporary contraindications,
// active acne). These vote for refer or defer; they never choose a modality.
#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {
namespace {

// A temporary contraindication: procedures wait (the plan's status votes defer), with its reason.
void defer_procedures(PlanContext& c, const std::string& rule, const std::string& reason,
                      const std::string& status_reason, const std::string& why) {
  c.defer_reasons.push_back(reason);
  c.defer_rules.push_back(rule);
  c.vote(PlanStatus::defer, status_reason);
  c.fire(rule, why);
}

}  // namespace

void bdd_screen(PlanContext& c) {
  if (!c.enabled("bdd_screen") || !c.request.patient.bdd_screen_positive) return;
  c.refer_first = true;
  c.refer("psychological_counselling");
  c.vote(PlanStatus::refer, "positive body-dysmorphic disorder screen: refer to psychological counselling before any procedure");
  c.fire("bdd_screen", "bdd_screen_positive is true: no procedures are planned; refer to a clinical psychologist or psychiatrist");
  c.warn("bdd_screen_positive",
         "Positive body-dysmorphic screen (BDDQ-DV: sensitivity " + format_number(c.kb.threshold_min("bdd_screen_sensitivity_pct")) +
             "%, specificity " + format_number(c.kb.threshold_min("bdd_screen_specificity_pct")) +
             "%, Dufresne 2001): patients with BDD are often dissatisfied after procedures. Refer for psychological "
             "assessment; no procedures are proposed.");
}

void active_infection(PlanContext& c) {
  if (!c.enabled("active_infection") || !c.request.patient.active_skin_infection) return;
  defer_procedures(c, "active_infection", "active skin infection", "active skin infection: defer procedures until it has cleared",
                   "active_skin_infection is true: procedures are deferred until it has cleared");
}

void active_cold_sore(PlanContext& c) {
  if (!c.enabled("active_cold_sore") || !c.request.patient.active_cold_sore) return;
  defer_procedures(c, "active_cold_sore", "active cold sore", "active cold sore: reschedule procedures once it has healed",
                   "active_cold_sore is true: reschedule (Gilbert & McBurney 2000)");
}

void pregnancy(PlanContext& c) {
  if (!c.enabled("pregnancy") || !c.request.patient.pregnant_or_breastfeeding) return;
  defer_procedures(c, "pregnancy", "pregnancy or breastfeeding", "pregnancy or breastfeeding: defer elective scar procedures",
                   "pregnant_or_breastfeeding is true: elective procedures deferred; no retinoid priming (UNCONFIRMED, "
                   "common practice; clinician sign-off required)");
  c.warn("no_retinoid_priming", "Pregnancy or breastfeeding: no retinoid (tretinoin) priming; retinoids are teratogenic.");
}

void active_acne(PlanContext& c) {
  if (!c.enabled("active_acne")) return;
  switch (c.request.patient.active_acne) {
    case AcneActivity::none: return;
    case AcneActivity::severe:
      c.acne_stage = true;
      defer_procedures(c, "active_acne", "severe (nodulocystic) active acne",
                       "severe active acne: treat the acne first, scar procedures later",
                       "active_acne is severe: acne treatment first, scar procedures deferred");
      return;
    case AcneActivity::moderate:
      c.acne_stage = true;
      c.vote(PlanStatus::plan, "");
      c.fire("active_acne", "active_acne is moderate: acne treatment is the first stage, procedures after");
      c.warn("active_acne_sources_disagree",
             "Moderate active acne: traditional teaching is to control acne before any scar procedure, while the 2022 "
             "international consensus (Salameh et al.) accepts some energy-based treatment alongside acne therapy. "
             "This plan puts acne treatment first.");
      return;
    case AcneActivity::mild:
      c.fire("active_acne", "active_acne is mild: a warning, not a block");
      c.warn("mild_active_acne",
             "Mild active acne: non-ablative and vascular treatments may go ahead with care; keep treating the acne, "
             "since uncontrolled inflammation makes new scars (Dreno 2018). Microneedling over active lesions is best avoided.");
      return;
  }
}

}  // namespace scarscope::planning_rules
