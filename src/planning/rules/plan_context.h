// What one planning run shares between its rules: the request, the knowledge base, the plan being
// built, and what earlier rules decided (scar classes, blocked modalities, assignments, waiting
// periods, status votes). Internal to src/planning: the rule families (one file each) read and
// write it, and rule_table.cpp runs them in order.
#pragma once
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "planning/planner.h"

namespace scarscope::planning_rules {

// Scars counted by hand but not listed carry negative ids inside the planner; they are never shown as ids.
constexpr int kNoScar = std::numeric_limits<int>::min();

// A scar as the planner sees it: its planning class and what the clinician said about it.
struct ScarView {
  int id = 0;
  std::string scar_class;  // ice_pick | boxcar_deep | boxcar_shallow | rolling | hypertrophic
  double diameter_mm = 0.0;
  double depth_um = 0.0;
  std::array<double, 2> centroid_mm{0.0, 0.0};
  std::string scan;
  std::optional<bool> distensible, tethered, normal_base;
  bool width_measured = true;
  bool listed = true;  // false for scars a clinician counted by hand without listing them (no id, no position)
  bool atrophic() const { return scar_class != "hypertrophic"; }
  bool is_tethered() const { return tethered.value_or(scar_class == "rolling"); }
  bool is_distensible() const {
    return distensible.value_or(scar_class == "rolling" || scar_class == "boxcar_shallow");
  }
};

// A modality chosen for some scars, before it becomes a plan item.
struct Assignment {
  std::string modality;
  std::string stage;
  std::vector<int> scar_ids;
  std::vector<std::string> notes;
};

// How the punch scars of one stage are split into sessions (punch_spacing), for the scheduler.
struct PunchSessions {
  std::vector<std::vector<int>> groups;       // scar ids per session, in session order
  std::map<int, std::string> modality_of;     // scar id -> punch modality
  double gap_weeks = 0.0;                     // between punch sessions
};

// --- text helpers shared by the rule families -----------------------------------------------------
std::string format_number(double value);
std::string format_range(const NumericRange& range);
std::string join(const std::vector<std::string>& parts, const std::string& separator);
std::vector<int> listed_ids(const std::vector<int>& ids);
std::string id_list(const std::vector<int>& ids);  // "1, 2, 3 unlisted (hand-counted)"
std::string without_final_period(std::string text);
std::string short_citation(const std::string& citation);  // up to the first '.'
std::string join_citations(const std::vector<Evidence>& evidence);
// One entry per citation; it counts as confirmed only if every number it supports is.
void add_evidence(std::vector<Evidence>& into, const std::vector<Evidence>& more);
// "IV" for 4: the Fitzpatrick type as clinicians write it.
std::string roman(int value);

struct PlanContext {
  PlanContext(const PlanRequest& request, const KnowledgeBase& kb);

  const PlanRequest& request;
  const KnowledgeBase& kb;
  Plan plan;

  // What the rules decided so far.
  std::vector<ScarView> scars;
  std::set<std::string> present_classes;
  std::map<std::string, PlanExclusion> blocks;  // modality -> why it may not be planned
  std::vector<std::string> block_order;
  std::vector<Assignment> assignments;
  std::set<int> focal, released;
  std::vector<int> untreated_focal;
  std::map<int, std::string> untreated_why;
  std::vector<int> ice_picks_left_out;  // ice picks without focal treatment: no resurfacing for them
  std::vector<PlanExclusion> deferred;
  std::map<std::string, CalendarDate> not_before;
  std::vector<std::string> primed;  // planned modalities that priming protects (pigment_priming)
  std::map<std::size_t, PunchSessions> punch_sessions;  // by index in plan.stages
  std::vector<PlanStatus> votes;
  std::vector<std::string> defer_reasons;
  std::vector<std::string> defer_rules;  // the rules behind defer_reasons, in the same order
  bool refer_first = false;
  bool acne_stage = false;
  bool keloid_active = false;
  bool isotretinoin_recent = false;
  std::string keloid_why;

  bool enabled(const std::string& rule) const { return !request.disabled_rules.count(rule); }
  void fire(const std::string& rule, const std::string& why);
  void warn(const std::string& id, const std::string& text);
  void vote(PlanStatus status, const std::string& reason);
  void exclude(const std::string& modality, const std::string& reason, const std::string& rule);
  bool blocked(const std::string& modality) const { return blocks.count(modality) > 0; }
  void refer(const std::string& referral);

  // Why `modality` cannot treat `scar` by its own requirements (empty when it can).
  std::string unsuitable(const Modality& modality, const ScarView& scar) const;
  // The first of `preferences` that is not blocked and suits the scar; `why_not` collects the reasons.
  std::optional<std::string> choose(const std::vector<std::string>& preferences, const ScarView& scar,
                                    std::vector<std::string>* why_not) const;
  const std::vector<std::string>& first_line(const std::string& key) const;
  Assignment& assign(const std::string& modality, const std::string& stage, int scar_id);
  const Assignment* assignment(const std::string& modality) const;
  bool any_procedure_planned() const;
  const ScarView& view(int id) const;

  bool dark_skin() const;
  bool keloid_prone_region() const;
  bool perioral_region() const;
};

}  // namespace scarscope::planning_rules
