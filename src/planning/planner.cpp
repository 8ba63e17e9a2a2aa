#include "planning/planner.h"

#include <algorithm>

#include "core/error.h"
#include "planning/rules/rule_table.h"

namespace scarscope {
namespace {

const std::vector<std::string> kRegions = {"face", "perioral", "jawline", "chest", "back"};

// Every rule id once, in the order its first step runs.
std::vector<std::string> rule_ids_in_order() {
  std::vector<std::string> ids;
  for (const auto& step : planning_rules::rule_steps()) {
    if (std::find(ids.begin(), ids.end(), step.id) == ids.end()) ids.emplace_back(step.id);
  }
  return ids;
}

}  // namespace

const std::vector<std::string>& planning_regions() { return kRegions; }

const std::vector<std::string>& planning_rule_ids() {
  static const std::vector<std::string> ids = rule_ids_in_order();
  return ids;
}

Plan make_plan(const PlanRequest& request, const KnowledgeBase& kb) {
  if (std::find(kRegions.begin(), kRegions.end(), request.region) == kRegions.end()) {
    throw InputError("region \"" + request.region + "\" is not one of face, perioral, jawline, chest, back");
  }
  const auto& rule_ids = planning_rule_ids();
  for (const auto& rule : request.disabled_rules) {
    if (std::find(rule_ids.begin(), rule_ids.end(), rule) == rule_ids.end()) {
      throw InputError("unknown planning rule \"" + rule + "\"");
    }
  }
  for (const auto& id : rule_ids) kb.rule(id);  // every rule must carry its source in the kb
  planning_rules::PlanContext context(request, kb);
  for (const auto& step : planning_rules::rule_steps()) step.run(context);
  planning_rules::collect_exclusions(context);
  return std::move(context.plan);
}

}  // namespace scarscope
