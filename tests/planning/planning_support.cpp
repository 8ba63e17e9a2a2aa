#include "planning_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace scarscope::test {

Scar scar(int id, ScarType type, double diameter_mm, double depth_um, double x_mm, double y_mm) {
  Scar s;
  s.id = id;
  s.type = type;
  s.confidence = 0.9;
  s.diameter_mm = diameter_mm;
  s.major_mm = diameter_mm;
  s.minor_mm = diameter_mm;
  s.area_mm2 = 3.14159 * diameter_mm * diameter_mm / 4.0;
  s.depth_um = depth_um;
  s.centroid_mm = {x_mm, y_mm};
  s.scan = "cheek.x3p";
  return s;
}

Scar ice_pick(int id, double x, double y) { return scar(id, ScarType::ice_pick, 1.2, 800, x, y); }
Scar deep_boxcar(int id, double d, double x, double y) { return scar(id, ScarType::boxcar, d, 700, x, y); }
Scar shallow_boxcar(int id, double x, double y) { return scar(id, ScarType::boxcar, 3.0, 250, x, y); }
Scar rolling(int id, double x, double y) { return scar(id, ScarType::rolling, 6.0, 300, x, y); }
Scar hypertrophic(int id, double x, double y) { return scar(id, ScarType::hypertrophic, 4.0, 600, x, y); }

PatientProfile healthy_patient() {
  PatientProfile p;
  p.birth_year = 1994;
  p.fitzpatrick = 2;
  p.distress_0_10 = 5;
  return p;
}

const KnowledgeBase& knowledge_base() {
  static const KnowledgeBase kb = load_knowledge_base(test_kb_dir());
  return kb;
}

PlanRequest request_for(std::vector<Scar> scars, PatientProfile patient, int grade_low, int grade_high) {
  PlanRequest request;
  request.inventory.scars = std::move(scars);
  request.inventory.coverage_cm2 = 16;
  request.inventory.scans = {"cheek.x3p"};
  request.patient = std::move(patient);
  request.date = CalendarDate::parse("2026-03-02", "test");
  request.severity = SeverityEstimate{grade_low, grade_high, GradeBasis::three_d_only};
  return request;
}

Plan plan_for(const PlanRequest& request) {
  Plan plan = make_plan(request, knowledge_base());
  if (request.disabled_rules.empty()) {
    for (const auto& problem : consistency_problems(plan, request, knowledge_base())) ADD_FAILURE() << problem;
  }
  return plan;
}

nlohmann::json planning_kb_document() {
  const char* dir = std::getenv("SCARSCOPE_KB_DIR");
  const std::filesystem::path kb = dir ? std::filesystem::path(dir) : std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb";
  const auto read = [](const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  };
  nlohmann::json document = read(kb / "treatments.json");
  const nlohmann::json rules = read(kb / "planning_rules.json");
  for (auto entry = rules.begin(); entry != rules.end(); ++entry) document[entry.key()] = *entry;
  return document;
}

std::vector<std::string> consistency_problems(const Plan& plan, const PlanRequest& request, const KnowledgeBase& kb) {
  std::vector<std::string> problems;
  const auto protects = [&](const std::string& modality) {
    const auto& list = kb.pigment_priming_modalities;
    return std::find(list.begin(), list.end(), modality) != list.end();
  };
  // (a) Priming.
  const ScheduledSession* priming = nullptr;
  for (const auto& session : plan.schedule) {
    if (session.modality == "pigment_priming") priming = &session;
  }
  const bool dark = request.patient.fitzpatrick >= kb.threshold_min("dark_skin_min_fitzpatrick");
  bool primed_planned = false;
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) primed_planned = primed_planned || protects(item.modality);
  }
  if (dark && primed_planned && !priming) problems.push_back("(a) darker skin with a primed modality, but no priming scheduled");
  if (priming && !priming->until) problems.push_back("(a) priming has no end date");
  if (priming && priming->until) {
    if (priming->date < plan.date) problems.push_back("(a) priming starts before the plan date");
    for (const auto& session : plan.schedule) {
      if (protects(session.modality) && session.date < *priming->until) {
        problems.push_back("(a) " + session.modality + " session " + std::to_string(session.session) + " on " +
                           session.date.to_string() + " falls inside priming (until " + priming->until->to_string() + ")");
      }
    }
  }
  // (b) Expectations.
  std::optional<NumericRange> span;
  bool any_procedure = false;
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) {
      if (!kb.modality(item.modality).procedure) continue;
      any_procedure = true;
      if (!item.expected_improvement_pct) continue;
      const NumericRange& range = *item.expected_improvement_pct;
      span = span ? NumericRange{std::min(span->min, range.min), std::max(span->max, range.max)} : range;
      if (plan.expected_improvement_pct &&
          (range.min < plan.expected_improvement_pct->min || range.max > plan.expected_improvement_pct->max)) {
        problems.push_back("(b) " + item.modality + "'s expected improvement lies outside the plan's overall range");
      }
    }
  }
  if (any_procedure && plan.expected_improvement_pct != span) {
    problems.push_back("(b) the overall range is not the span of the items' figures");
  }
  // (d) Sessions and intervals.
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) {
      if (!kb.modality(item.modality).procedure) continue;
      const int expected = item.sessions ? std::max(1, static_cast<int>(item.sessions->min)) : 1;
      const auto scheduled = std::count_if(plan.schedule.begin(), plan.schedule.end(),
                                           [&](const ScheduledSession& s) { return s.modality == item.modality; });
      if (scheduled != expected) {
        problems.push_back("(d) " + item.modality + ": " + std::to_string(scheduled) + " sessions scheduled, " +
                           std::to_string(expected) + " planned");
      }
    }
  }
  if (std::string problem; !intervals_respected(plan, kb, &problem)) problems.push_back("(d) " + problem);
  // (c) Downtime.
  if (request.patient.max_downtime_days) {
    const double limit = *request.patient.max_downtime_days;
    for (const auto& stage : plan.stages) {
      for (const auto& item : stage.items) {
        if (!kb.modality(item.modality).procedure) continue;
        if (!item.downtime_days) {
          problems.push_back("(c) " + item.modality + " has no downtime although the patient has a limit");
        } else if (item.downtime_days->min > limit) {
          problems.push_back("(c) " + item.modality + " never fits the downtime limit");
        } else if (item.downtime_days->max > limit && !plan.has_warning("downtime_over_limit_" + item.modality)) {
          problems.push_back("(c) " + item.modality + " may exceed the downtime limit without a warning");
        }
      }
    }
  }
  return problems;
}

std::vector<std::string> planned_modalities(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) out.push_back(item.modality);
  }
  return out;
}

bool intervals_respected(const Plan& plan, const KnowledgeBase& kb, std::string* problem) {
  std::map<std::string, CalendarDate> last;
  const double punch_weeks = kb.threshold_min("punch_min_weeks_between_sessions");
  for (const auto& session : plan.schedule) {
    const auto found = last.find(session.modality);
    if (found != last.end()) {
      const Modality& m = kb.modality(session.modality);
      double weeks = m.interval_weeks.value ? m.interval_weeks.value->min : 0.0;
      if (m.has_tag("punch")) weeks = std::max(weeks, punch_weeks);
      const auto days = (session.date.day - found->second.day).count();
      if (days < weeks * 7.0 - 1e-9) {
        if (problem) *problem = session.modality + " sessions " + found->second.to_string() + " and " +
                                session.date.to_string() + " are closer than " + std::to_string(weeks) + " weeks";
        return false;
      }
    }
    last[session.modality] = session.date;
  }
  return true;
}

void expect_sound_plan(const Plan& plan) {
  if (plan.expected_improvement_pct) {
    EXPECT_LT(plan.expected_improvement_pct->max, 80.0) << "scars are reduced, not eliminated";
    EXPECT_GT(plan.expected_improvement_pct->min, 0.0);
  }
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) {
      EXPECT_FALSE(item.evidence.empty()) << item.modality << " has no evidence";
      if (item.expected_improvement_pct) {
        EXPECT_LE(item.expected_improvement_pct->max, 80.0) << item.modality;
      }
    }
  }
  std::string problem;
  EXPECT_TRUE(intervals_respected(plan, knowledge_base(), &problem)) << problem;
  for (const auto& session : plan.schedule) EXPECT_GE(session.date, plan.date);
}

}  // namespace scarscope::test
