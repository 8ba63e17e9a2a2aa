#include "planning/plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/format.h"

namespace scarscope {
namespace {

using nlohmann::json;

// Whole numbers stay whole in the JSON ([3, 6] sessions, not [3.0, 6.0]).
json number_json(double value) {
  if (std::abs(value - std::round(value)) < 1e-9 && std::abs(value) < 1e9) return static_cast<long long>(std::llround(value));
  return value;
}

json range_json(const std::optional<NumericRange>& range) {
  if (!range) return nullptr;
  return json::array({number_json(range->min), number_json(range->max)});
}

json evidence_json(const std::vector<Evidence>& evidence) {
  json out = json::array();
  for (const auto& e : evidence) {
    json entry = {{"citation", e.citation}, {"kind", e.kind}, {"confirmed", e.confirmed}};
    // The figures this source gives where sources disagree (the item shows the strongest's).
    if (!e.figures.empty()) {
      json figures = json::object();
      for (const auto& [field, range] : e.figures) figures[field] = range_json(range);
      entry["figures"] = figures;
    }
    out.push_back(entry);
  }
  return out;
}

std::string number_text(double value) { return fixed_decimal(value, std::abs(value - std::round(value)) < 1e-9 ? 0 : 1); }

std::string range_text(const std::optional<NumericRange>& range, const std::string& unit) {
  if (!range) return "not given by the sources";
  const std::string body = range->min == range->max ? number_text(range->min)
                                                    : number_text(range->min) + "-" + number_text(range->max);
  return body + unit;
}

std::string ids_text(const std::vector<int>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out;
}

// "Lee JB et al" from a full citation, for compact text lines.
std::string short_citation(const Evidence& e) {
  std::string text = e.citation;
  const auto dot = text.find(". ");
  if (dot != std::string::npos && dot < 80) text = text.substr(0, dot);
  text += " [" + e.kind + (e.confirmed ? "" : ", unconfirmed") + "]";
  for (const auto& [field, range] : e.figures) text += " (" + field + " " + range_text(range, "") + ")";
  return text;
}

}  // namespace

const char* plan_status_name(PlanStatus status) {
  switch (status) {
    case PlanStatus::none: return "none";
    case PlanStatus::plan: return "plan";
    case PlanStatus::defer: return "defer";
    case PlanStatus::refer: return "refer";
  }
  return "none";
}

const PlanItem* Plan::find_item(const std::string& modality) const {
  for (const auto& stage : stages) {
    for (const auto& item : stage.items) {
      if (item.modality == modality) return &item;
    }
  }
  return nullptr;
}

const PlanExclusion* Plan::find_exclusion(const std::string& modality) const {
  for (const auto& exclusion : excluded) {
    if (exclusion.modality == modality) return &exclusion;
  }
  return nullptr;
}

bool Plan::has_warning(const std::string& id) const {
  return std::any_of(warnings.begin(), warnings.end(), [&](const PlanWarning& w) { return w.id == id; });
}

bool Plan::fired(const std::string& rule) const {
  return std::any_of(rules_fired.begin(), rules_fired.end(), [&](const FiredRule& r) { return r.id == rule; });
}

int Plan::stage_of(const std::string& modality) const {
  for (const auto& stage : stages) {
    for (const auto& item : stage.items) {
      if (item.modality == modality) return stage.order;
    }
  }
  return 0;
}

json plan_to_json(const Plan& plan) {
  json stages = json::array();
  for (const auto& stage : plan.stages) {
    json items = json::array();
    for (const auto& item : stage.items) {
      json entry = {{"modality", item.modality},
                    {"target_scar_ids", item.target_scar_ids},
                    {"sessions", range_json(item.sessions)},
                    {"interval_weeks", range_json(item.interval_weeks)},
                    {"downtime_days", range_json(item.downtime_days)},
                    {"expected_improvement_pct", range_json(item.expected_improvement_pct)},
                    {"evidence", evidence_json(item.evidence)},
                    {"notes", item.notes}};
      if (item.not_before) entry["not_before"] = item.not_before->to_string();
      items.push_back(entry);
    }
    stages.push_back({{"order", stage.order}, {"id", stage.id}, {"goal", stage.goal}, {"items", items}});
  }
  json excluded = json::array();
  for (const auto& e : plan.excluded) excluded.push_back({{"modality", e.modality}, {"reason", e.reason}, {"rule", e.rule}});
  json warnings = json::array();
  for (const auto& w : plan.warnings) warnings.push_back({{"id", w.id}, {"text", w.text}});
  json schedule = json::array();
  for (const auto& s : plan.schedule) {
    json entry = {{"date", s.date.to_string()}, {"modality", s.modality}, {"session", s.session},
                  {"target_scar_ids", s.target_scar_ids}};
    if (s.until) entry["until"] = s.until->to_string();
    schedule.push_back(entry);
  }
  json rules = json::array();
  for (const auto& r : plan.rules_fired) {
    rules.push_back({{"rule", r.id}, {"title", r.title}, {"why", r.why}, {"evidence", evidence_json(r.evidence)}});
  }
  json severity = nullptr;
  if (plan.severity) {
    severity = {{"goodman_baron_qualitative",
                 plan.severity->min == plan.severity->max
                     ? std::to_string(plan.severity->min)
                     : std::to_string(plan.severity->min) + "-" + std::to_string(plan.severity->max)},
                {"basis", grade_basis_name(plan.severity->basis)}};
  }
  return {{"status", plan_status_name(plan.status)},
          {"proposal", true},
          {"notice", "A proposal for a clinician to accept or change, never an order."},
          {"reasons", plan.reasons},
          {"stages", stages},
          {"excluded", excluded},
          {"warnings", warnings},
          {"referrals", plan.referrals},
          {"expected_improvement_pct", range_json(plan.expected_improvement_pct)},
          {"schedule", schedule},
          {"basis", grade_basis_name(plan.basis)},
          {"severity", severity},
          {"region", plan.region},
          {"date", plan.date.to_string()},
          {"kb_version", plan.kb_version},
          {"knowledge_base",
           {{"version", plan.kb_version},
            {"sha256", plan.kb_sha256},
            {"clinic_sha256", plan.kb_clinic_sha256.empty() ? json(nullptr) : json(plan.kb_clinic_sha256)}}},
          {"clinic", plan.clinic.empty() ? json(nullptr) : json(plan.clinic)},
          {"rules_fired", rules}};
}

std::string plan_to_text(const Plan& plan, bool explain) {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // the same text under any global locale
  out << "TREATMENT PLAN PROPOSAL - for a clinician to accept or change, never an order\n";
  out << "  status      " << plan_status_name(plan.status) << "\n";
  out << "  region      " << plan.region << ", plan date " << plan.date.to_string() << "\n";
  out << "  rests on    " << (plan.basis == GradeBasis::three_d_only     ? "3D measurement only (estimate from 3D scan)"
                             : plan.basis == GradeBasis::clinician_only ? "clinician input only"
                                                              : "3D measurement and clinician input")
      << "\n";
  if (plan.severity) {
    out << "  severity    Goodman & Baron qualitative grade estimate " << plan.severity->min;
    if (plan.severity->max != plan.severity->min) out << "-" << plan.severity->max;
    out << "\n";
  }
  if (!plan.clinic.empty()) out << "  clinic      " << plan.clinic << "\n";
  for (const auto& reason : plan.reasons) out << "  reason      " << reason << "\n";
  if (plan.expected_improvement_pct) {
    out << "  expect      " << range_text(plan.expected_improvement_pct, " %")
        << " improvement overall: scars are reduced, not eliminated\n";
  }
  for (const auto& stage : plan.stages) {
    out << "\nStage " << stage.order << ": " << stage.goal << "\n";
    for (const auto& item : stage.items) {
      out << "  - " << item.modality;
      if (!item.target_scar_ids.empty()) out << " (scars " << ids_text(item.target_scar_ids) << ")";
      out << "\n";
      if (item.sessions) {
        out << "      sessions " << range_text(item.sessions, "") << ", every " << range_text(item.interval_weeks, " weeks")
            << "; downtime " << range_text(item.downtime_days, " days") << "\n";
      }
      if (item.expected_improvement_pct) {
        out << "      improvement " << range_text(item.expected_improvement_pct, " %") << " (indicative)\n";
      }
      if (!item.notes.empty()) out << "      note: " << item.notes << "\n";
      for (const auto& e : item.evidence) out << "      source: " << short_citation(e) << "\n";
    }
  }
  if (!plan.excluded.empty()) {
    out << "\nNot proposed:\n";
    for (const auto& e : plan.excluded) out << "  - " << e.modality << ": " << e.reason << "\n";
  }
  if (!plan.warnings.empty()) {
    out << "\nWarnings:\n";
    for (const auto& w : plan.warnings) out << "  ! " << w.text << " [" << w.id << "]\n";
  }
  if (!plan.referrals.empty()) {
    out << "\nReferrals:\n";
    for (const auto& r : plan.referrals) out << "  - " << r << "\n";
  }
  if (!plan.schedule.empty()) {
    out << "\nSchedule (earliest dates; each session is confirmed by the clinician):\n";
    for (const auto& s : plan.schedule) {
      out << "  " << s.date.to_string() << "  " << s.modality;
      if (s.until) out << " until " << s.until->to_string();
      else out << " session " << s.session;
      if (!s.target_scar_ids.empty()) out << " (scars " << ids_text(s.target_scar_ids) << ")";
      out << "\n";
    }
  }
  if (explain) {
    out << "\nRules that fired:\n";
    for (const auto& r : plan.rules_fired) {
      out << "  * " << r.id << ": " << r.title << "\n";
      for (const auto& why : r.why) out << "      why: " << why << "\n";
      for (const auto& e : r.evidence) out << "      source: " << short_citation(e) << "\n";
    }
  }
  return out.str();
}

}  // namespace scarscope
