// A treatment plan: a proposal for a clinician to accept or change, never an order. Stages of
// items (modality, target scars, sessions, intervals, downtime, expected improvement, evidence),
// what was excluded and why, warnings, referrals, a schedule and the rules that fired.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "grading/grading.h"
#include "planning/calendar_date.h"
#include "planning/knowledge_base.h"

namespace scarscope {

// Ordered by precedence: refer > defer > plan > none.
enum class PlanStatus { none = 0, plan = 1, defer = 2, refer = 3 };
const char* plan_status_name(PlanStatus status);

struct PlanItem {
  std::string modality;
  std::vector<int> target_scar_ids;
  std::optional<NumericRange> sessions, interval_weeks, downtime_days, expected_improvement_pct;
  std::vector<Evidence> evidence;
  std::string notes;
  std::optional<CalendarDate> not_before;  // e.g. the end of an isotretinoin waiting period
};

struct PlanStage {
  int order = 0;
  std::string id;  // kb stage id
  std::string goal;
  std::vector<PlanItem> items;
};

struct PlanExclusion {
  std::string modality;
  std::string reason;
  std::string rule;  // the rule that excluded it
};

struct PlanWarning {
  std::string id;
  std::string text;
};

struct ScheduledSession {
  CalendarDate date;
  std::string modality;
  int session = 1;  // 1-based, per modality
  std::vector<int> target_scar_ids;
  std::optional<CalendarDate> until;  // for a course rather than a visit (priming): the day it ends
};

struct FiredRule {
  std::string id;
  std::string title;
  std::vector<std::string> why;
  std::vector<Evidence> evidence;
};

struct SeverityEstimate {
  int min = 1;  // Goodman & Baron qualitative grade estimate, 1-4; a range when the stretch test is missing
  int max = 1;
  GradeBasis basis = GradeBasis::three_d_only;
};

struct Plan {
  PlanStatus status = PlanStatus::none;
  std::vector<std::string> reasons;
  std::vector<PlanStage> stages;
  std::vector<PlanExclusion> excluded;
  std::vector<PlanWarning> warnings;
  std::vector<std::string> referrals;
  std::optional<NumericRange> expected_improvement_pct;
  std::vector<ScheduledSession> schedule;
  GradeBasis basis = GradeBasis::three_d_only;  // what the scars rest on
  std::vector<FiredRule> rules_fired;
  std::string region;
  CalendarDate date;
  std::string kb_version;
  // The knowledge base's content hashes (its base layer's, its clinic layer's if any): set by the
  // plan_visit workflow, recorded in the JSON's "knowledge_base".
  std::string kb_sha256;
  std::string kb_clinic_sha256;
  std::string clinic;
  std::optional<SeverityEstimate> severity;

  // Look-ups for callers and tests.
  const PlanItem* find_item(const std::string& modality) const;
  bool has_item(const std::string& modality) const { return find_item(modality) != nullptr; }
  const PlanExclusion* find_exclusion(const std::string& modality) const;
  bool has_warning(const std::string& id) const;
  bool fired(const std::string& rule) const;
  int stage_of(const std::string& modality) const;  // order of the stage holding it, 0 if none
};

nlohmann::json plan_to_json(const Plan& plan);
// The readable plan for the clinician; `explain` adds every rule that fired and why.
std::string plan_to_text(const Plan& plan, bool explain);

}  // namespace scarscope
