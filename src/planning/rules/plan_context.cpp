#include "planning/rules/plan_context.h"

#include "core/format.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace scarscope::planning_rules {

std::string format_number(double value) {
  // Locale-independent (the plan's texts must not follow the process locale).
  return fixed_decimal(value, std::abs(value - std::round(value)) < 1e-9 ? 0 : 1);
}

std::string format_range(const NumericRange& range) {
  if (range.min == range.max) return format_number(range.min);
  return format_number(range.min) + "-" + format_number(range.max);
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

std::vector<int> listed_ids(const std::vector<int>& ids) {
  std::vector<int> out;
  for (int id : ids) {
    if (id >= 0) out.push_back(id);
  }
  return out;
}

std::string id_list(const std::vector<int>& ids) {
  std::vector<std::string> parts;
  int unlisted = 0;
  for (int id : ids) {
    if (id >= 0) parts.push_back(std::to_string(id));
    else ++unlisted;
  }
  if (unlisted > 0) parts.push_back(std::to_string(unlisted) + " unlisted (hand-counted)");
  return join(parts, ", ");
}

std::string without_final_period(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string short_citation(const std::string& citation) {
  const auto dot = citation.find('.');
  return dot == std::string::npos ? citation : citation.substr(0, dot);
}

std::string join_citations(const std::vector<Evidence>& evidence) {
  std::vector<std::string> names;
  for (const auto& e : evidence) names.push_back(short_citation(e.citation));
  return join(names, "; ");
}

void add_evidence(std::vector<Evidence>& into, const std::vector<Evidence>& more) {
  for (const auto& evidence : more) {
    const auto same = std::find_if(into.begin(), into.end(), [&](const Evidence& e) { return e.citation == evidence.citation; });
    if (same == into.end()) {
      into.push_back(evidence);
    } else {
      same->confirmed = same->confirmed && evidence.confirmed;
      same->figures.insert(evidence.figures.begin(), evidence.figures.end());
    }
  }
}

std::string roman(int value) {
  static const std::vector<std::pair<int, const char*>> numerals = {
      {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}};
  std::string out;
  for (const auto& [amount, numeral] : numerals) {
    while (value >= amount) {
      out += numeral;
      value -= amount;
    }
  }
  return out;
}

PlanContext::PlanContext(const PlanRequest& request_in, const KnowledgeBase& kb_in) : request(request_in), kb(kb_in) {
  plan.region = request.region;
  plan.date = request.date;
  plan.basis = request.basis;
  plan.kb_version = kb.version;
  plan.clinic = kb.clinic_name;
  plan.severity = request.severity;
}

void PlanContext::fire(const std::string& rule, const std::string& why) {
  for (auto& fired : plan.rules_fired) {
    if (fired.id == rule) {
      if (std::find(fired.why.begin(), fired.why.end(), why) == fired.why.end()) fired.why.push_back(why);
      return;
    }
  }
  const RuleInfo& info = kb.rule(rule);
  plan.rules_fired.push_back({rule, info.title, {why}, info.evidence});
}

void PlanContext::warn(const std::string& id, const std::string& text) {
  for (const auto& warning : plan.warnings) {
    if (warning.id == id) return;
  }
  plan.warnings.push_back({id, text});
}

void PlanContext::vote(PlanStatus status, const std::string& reason) {
  votes.push_back(status);
  if (!reason.empty() && std::find(plan.reasons.begin(), plan.reasons.end(), reason) == plan.reasons.end()) {
    plan.reasons.push_back(reason);
  }
}

void PlanContext::exclude(const std::string& modality, const std::string& reason, const std::string& rule) {
  if (!kb.modalities.count(modality)) return;
  if (!blocks.count(modality)) {
    blocks[modality] = {modality, reason, rule};
    block_order.push_back(modality);
  }
}

void PlanContext::refer(const std::string& referral) {
  if (std::find(plan.referrals.begin(), plan.referrals.end(), referral) == plan.referrals.end()) {
    plan.referrals.push_back(referral);
  }
}

std::string PlanContext::unsuitable(const Modality& modality, const ScarView& scar) const {
  const auto& req = modality.requirements;
  if (std::find(modality.treats.begin(), modality.treats.end(), scar.scar_class) == modality.treats.end()) {
    return modality.id + " does not treat " + scar.scar_class;
  }
  if (std::find(req.never_for.begin(), req.never_for.end(), scar.scar_class) != req.never_for.end()) {
    return modality.id + " is never for " + scar.scar_class + " scars";
  }
  if (!req.only_for.empty() && std::find(req.only_for.begin(), req.only_for.end(), scar.scar_class) == req.only_for.end()) {
    return modality.id + " is only for " + join(req.only_for, ", ");
  }
  for (const std::string& key : {scar.scar_class, std::string("*")}) {
    const auto limit = req.max_diameter_mm.find(key);
    if (limit != req.max_diameter_mm.end() && limit->second.value && scar.width_measured &&
        scar.diameter_mm > limit->second.value->max) {
      return modality.id + " needs a scar <= " + format_number(limit->second.value->max) + " mm wide (scar " +
             std::to_string(scar.id) + " is " + format_number(scar.diameter_mm) + " mm)";
    }
  }
  if (req.normal_base && scar.normal_base != true) {
    return modality.id + " needs a normal-looking base (clinician input normal_base: " +
           (scar.normal_base ? "false" : "not given") + ")";
  }
  if (req.distensible_or_tethered && !scar.is_distensible() && !scar.is_tethered()) {
    return modality.id + " needs a distensible or tethered scar";
  }
  return "";
}

std::optional<std::string> PlanContext::choose(const std::vector<std::string>& preferences, const ScarView& scar,
                                               std::vector<std::string>* why_not) const {
  for (const auto& id : preferences) {
    const Modality& modality = kb.modality(id);
    if (blocked(id)) {
      if (why_not) why_not->push_back(id + ": " + blocks.at(id).reason);
      continue;
    }
    const std::string reason = unsuitable(modality, scar);
    if (!reason.empty()) {
      if (why_not) why_not->push_back(reason);
      continue;
    }
    return id;
  }
  return std::nullopt;
}

const std::vector<std::string>& PlanContext::first_line(const std::string& key) const {
  static const std::vector<std::string> none;
  const auto found = kb.first_line.find(key);
  return found == kb.first_line.end() ? none : found->second;
}

Assignment& PlanContext::assign(const std::string& modality, const std::string& stage, int scar_id) {
  for (auto& existing : assignments) {
    if (existing.modality == modality) {
      if (scar_id != kNoScar &&
          std::find(existing.scar_ids.begin(), existing.scar_ids.end(), scar_id) == existing.scar_ids.end()) {
        existing.scar_ids.push_back(scar_id);
      }
      return existing;
    }
  }
  assignments.push_back({modality, stage, {}, {}});
  if (scar_id != kNoScar) assignments.back().scar_ids.push_back(scar_id);
  return assignments.back();
}

const Assignment* PlanContext::assignment(const std::string& modality) const {
  for (const auto& a : assignments) {
    if (a.modality == modality) return &a;
  }
  return nullptr;
}

bool PlanContext::any_procedure_planned() const {
  return std::any_of(assignments.begin(), assignments.end(),
                     [&](const Assignment& a) { return kb.modality(a.modality).procedure; });
}

const ScarView& PlanContext::view(int id) const {
  for (const auto& scar : scars) {
    if (scar.id == id) return scar;
  }
  throw std::logic_error("scar id " + std::to_string(id) + " not in the plan");
}

bool PlanContext::dark_skin() const {
  return request.patient.fitzpatrick >= kb.threshold_min("dark_skin_min_fitzpatrick");
}

bool PlanContext::keloid_prone_region() const {
  return std::find(kb.keloid_prone_regions.begin(), kb.keloid_prone_regions.end(), request.region) !=
         kb.keloid_prone_regions.end();
}

bool PlanContext::perioral_region() const {
  return std::find(kb.perioral_regions.begin(), kb.perioral_regions.end(), request.region) != kb.perioral_regions.end();
}

}  // namespace scarscope::planning_rules
