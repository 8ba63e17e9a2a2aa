// Rule family: what the patient is told to expect, counselling when distress is out of proportion,
// and the plan's status from every rule's vote.
#include <algorithm>

#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {

// The overall-range rule: the plan's expected improvement is the span of its procedures' own
// figures, from the lowest minimum to the highest maximum. Items without a figure add nothing, and
// nothing is added for combining treatments (no source gives a figure for the combination), so the
// range is never wider than its items support; a plan none of whose items has a figure states none.
void expectations(PlanContext& c) {
  if (!c.enabled("expectations")) return;
  std::optional<NumericRange> span;
  std::vector<std::string> with_figure, without_figure;
  for (const auto& stage : c.plan.stages) {
    for (const auto& item : stage.items) {
      if (!c.kb.modality(item.modality).procedure) continue;
      if (!item.expected_improvement_pct) {
        without_figure.push_back(item.modality);
        continue;
      }
      const NumericRange& range = *item.expected_improvement_pct;
      with_figure.push_back(item.modality + " " + format_range(range) + " %");
      span = span ? NumericRange{std::min(span->min, range.min), std::max(span->max, range.max)} : range;
    }
  }
  if (with_figure.empty() && without_figure.empty()) return;
  c.plan.expected_improvement_pct = span;
  const std::string others = without_figure.empty() ? "" : "; no figure from the sources for " + join(without_figure, ", ");
  if (span) {
    c.fire("expectations", "span of the items' figures (" + join(with_figure, ", ") + "): " + format_range(*span) +
                               " %; scars are reduced, not eliminated" + others);
  } else {
    c.fire("expectations", "no overall figure: the sources give none for these items" + others);
  }
}

void distress_mismatch(PlanContext& c) {
  if (!c.enabled("distress_mismatch") || c.refer_first) return;
  const double threshold = c.kb.threshold_min("distress_referral_min");
  const double max_grade = c.kb.threshold_min("distress_referral_max_grade");
  const double distress = c.request.patient.distress_0_10;
  if (distress < threshold) return;
  if (!c.request.severity) {
    c.fire("distress_mismatch", "distress " + format_number(distress) +
                                    " but no severity grade estimate: the comparison could not be made");
    return;
  }
  if (c.request.severity->max > max_grade) return;
  c.refer("psychological_counselling");
  c.warn("distress_out_of_proportion",
         "Distress " + format_number(distress) + "/10 with a qualitative grade estimate of at most " +
             std::to_string(c.request.severity->max) +
             ": when distress does not match the size of the problem, more procedures will not help; counselling by a "
             "clinical psychologist or psychiatrist will. Offered alongside the plan; treatment is not withheld.");
  c.fire("distress_mismatch", "distress " + format_number(distress) + " >= " + format_number(threshold) +
                                  " with grade <= " + format_number(max_grade) + ": counselling referral alongside");
}

void status_precedence(PlanContext& c) {
  Plan& plan = c.plan;
  const bool has_procedure_stage = std::any_of(plan.stages.begin(), plan.stages.end(),
                                               [](const PlanStage& stage) { return stage.id != "acne_control"; });
  if (has_procedure_stage) c.vote(PlanStatus::plan, "");
  if (!has_procedure_stage && !c.refer_first && c.defer_reasons.empty() && !c.scars.empty() && !c.acne_stage) {
    // Nothing possible: if isotretinoin blocked what would have been chosen, that is a deferral.
    bool isotretinoin_blocked = false;
    for (const auto& [id, exclusion] : c.blocks) isotretinoin_blocked = isotretinoin_blocked || exclusion.rule == "isotretinoin";
    if (isotretinoin_blocked) {
      c.vote(PlanStatus::defer, "isotretinoin: every suitable procedure needs a waiting period after the last dose");
    } else {
      c.warn("nothing_possible", "No procedure fits these scars with the modalities allowed and offered.");
    }
  }
  if (c.scars.empty() && !c.present_classes.count("macular_erythematous") &&
      !c.present_classes.count("macular_hyperpigmented")) {
    plan.reasons.insert(plan.reasons.begin(), "no scars in the assessment");
  }
  if (c.votes.empty()) {
    plan.status = PlanStatus::none;
  } else if (c.enabled("status_precedence")) {
    plan.status = *std::max_element(c.votes.begin(), c.votes.end());
    if (plan.status != PlanStatus::plan || c.votes.size() > 1) {
      std::vector<std::string> names;
      for (auto v : c.votes) names.push_back(plan_status_name(v));
      c.fire("status_precedence", "status votes " + join(names, ", ") + " -> " + plan_status_name(plan.status));
    }
  } else {
    plan.status = c.votes.back();
  }
  if (plan.status == PlanStatus::plan) {
    int procedures = 0;
    for (const auto& stage : plan.stages) procedures += static_cast<int>(stage.items.size());
    plan.reasons.push_back(std::to_string(c.scars.size()) + " scars assessed; " + std::to_string(plan.stages.size()) +
                           " stage(s), " + std::to_string(procedures) + " item(s) proposed");
  }
}

// Exclusions worth telling the clinician: modalities that could have treated a scar present, or
// that would have been planned (deferred).
void collect_exclusions(PlanContext& c) {
  for (const auto& deferred : c.deferred) c.plan.excluded.push_back(deferred);
  for (const auto& id : c.block_order) {
    const Modality& m = c.kb.modality(id);
    const bool relevant = std::any_of(m.treats.begin(), m.treats.end(),
                                      [&](const std::string& scar_class) { return c.present_classes.count(scar_class) > 0; });
    if (!relevant) continue;
    const bool already = std::any_of(c.plan.excluded.begin(), c.plan.excluded.end(),
                                     [&](const PlanExclusion& e) { return e.modality == id; });
    if (!already) c.plan.excluded.push_back(c.blocks.at(id));
  }
}

}  // namespace scarscope::planning_rules
