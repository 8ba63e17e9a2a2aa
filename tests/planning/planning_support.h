// Small builders for planning vignettes: scars, inventories, patients and requests in code, so each
// test reads as the clinical story it checks.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "planning/knowledge_base.h"
#include "planning/plan.h"
#include "planning/planner.h"

namespace scarscope::test {

// A measured scar as the analysis would report it.
Scar scar(int id, ScarType type, double diameter_mm, double depth_um, double x_mm, double y_mm);
// Shorthands with typical sizes (Jacob 2001): ice pick 1.2 mm / 800 um, deep boxcar 2.5 mm / 700 um,
// shallow boxcar 3 mm / 250 um, rolling 6 mm / 300 um, hypertrophic 4 mm / 600 um high.
Scar ice_pick(int id, double x_mm, double y_mm);
Scar deep_boxcar(int id, double diameter_mm, double x_mm, double y_mm);
Scar shallow_boxcar(int id, double x_mm, double y_mm);
Scar rolling(int id, double x_mm, double y_mm);
Scar hypertrophic(int id, double x_mm, double y_mm);

// A patient with no contraindication: Fitzpatrick II, no acne, never isotretinoin, distress 5.
PatientProfile healthy_patient();

// The kb in kb/ (or $SCARSCOPE_KB_DIR), loaded once.
const KnowledgeBase& knowledge_base();

// A request for 2026-03-02 on the face, severity given as a Goodman & Baron range.
PlanRequest request_for(std::vector<Scar> scars, PatientProfile patient, int grade_low = 3, int grade_high = 4);

Plan plan_for(const PlanRequest& request);

// Every modality of the plan, in stage order.
std::vector<std::string> planned_modalities(const Plan& plan);
// True when sessions of one modality are never closer than its minimum interval, and punch
// sessions never closer than the kb's minimum weeks between punch sessions.
bool intervals_respected(const Plan& plan, const KnowledgeBase& kb, std::string* problem);
// Everything a plan must always say: a proposal, a realistic range (never near 100 %), evidence on items.
void expect_sound_plan(const Plan& plan);

// What the plan says and what it schedules agree (issue 21): an empty list when they do. plan_for()
// checks every plan it makes with no rule disabled, so every vignette is checked.
//  (a) priming: where the plan primes pigment-prone skin, priming is scheduled, and no session of a
//      modality it protects falls inside it.
//  (b) expectations: the overall range is the span of the procedures' own figures (none when none
//      has one), so no item's range lies outside it and it is never wider than they support.
//  (d) sessions: every procedure is scheduled as often as its session range's minimum (once without
//      a range), its sessions at least its minimum interval apart.
//  (c) downtime: with a downtime limit, every procedure's shortest downtime fits it, and one whose
//      longest downtime does not carries the warning downtime_over_limit_<modality>.
std::vector<std::string> consistency_problems(const Plan& plan, const PlanRequest& request, const KnowledgeBase& kb);

// The kb document (treatments.json + planning_rules.json merged), read from $SCARSCOPE_KB_DIR or the
// source tree's kb/, for tests that change a number and parse it with knowledge_base_from_json.
nlohmann::json planning_kb_document();

}  // namespace scarscope::test
