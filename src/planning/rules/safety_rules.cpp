// Rule family: warnings that go with the chosen modalities (bleeding and bruising on anticoagulants,
// herpes simplex prophylaxis).
#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {

void anticoagulants(PlanContext& c) {
  if (!c.enabled("anticoagulants") || !c.request.patient.anticoagulants) return;
  std::vector<std::string> which;
  for (const auto& a : c.assignments) {
    const Modality& m = c.kb.modality(a.modality);
    if (m.has_tag("punch") || m.has_tag("injection") || m.id == "subcision") which.push_back(a.modality);
  }
  if (which.empty()) return;
  c.warn("anticoagulants_bruising",
         "Anticoagulants: continue medically necessary anticoagulants (Otley 2003: for skin surgery, stopping them does "
         "not lower the small bleeding risk and has been followed by thromboembolism); warn of more bleeding, bruising "
         "and haematoma with " + join(which, ", ") + ". Flag only, clinician to decide.");
  c.fire("anticoagulants", "anticoagulants is true; bruising/haematoma warning for " + join(which, ", "));
}

void hsv_prophylaxis(PlanContext& c) {
  if (!c.enabled("hsv_prophylaxis")) return;
  std::vector<std::string> which;
  for (const auto& a : c.assignments) {
    if (c.kb.modality(a.modality).hsv_prophylaxis) which.push_back(a.modality);
  }
  const std::string regimen = "valacyclovir " + format_number(c.kb.threshold_min("hsv_valacyclovir_mg")) +
                              " mg twice daily from the day before (or the morning of) the procedure for " +
                              format_range(*c.kb.threshold("hsv_course_days").value) + " days (Gilbert & McBurney 2000)";
  if (!which.empty()) {
    c.warn("hsv_prophylaxis", "HSV prophylaxis for " + join(which, ", ") + ": " + regimen + ".");
    c.fire("hsv_prophylaxis", join(which, ", ") + " call for HSV prophylaxis");
  }
  if (c.request.patient.hsv_history && c.perioral_region() && c.any_procedure_planned()) {
    c.warn("hsv_prophylaxis_perioral", "HSV history and perioral work: prophylaxis for every perioral procedure: " + regimen + ".");
    c.fire("hsv_prophylaxis", "hsv_history with perioral work");
  }
}

}  // namespace scarscope::planning_rules
